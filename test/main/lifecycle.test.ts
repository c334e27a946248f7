// The app's lifecycle with a fake `app`: one instance (a second start quits at once and its files
// go to the first), files opened with the app or dropped on its icon are imported, quitting waits
// for the engine to stop, and closing the last window quits except on macOS.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { pathsFromArgv, runLifecycle, type LifecycleApp, type LifecycleHooks } from '../../main/lifecycle.ts';

class FakeApp extends EventEmitter implements LifecycleApp {
  quits = 0;
  readonly lock: boolean;
  constructor(lock: boolean) {
    super();
    this.lock = lock;
  }
  requestSingleInstanceLock(): boolean {
    return this.lock;
  }
  quit(): void {
    this.quits++;
    // Electron asks 'before-quit' listeners first; one may prevent it.
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.emit('quitted');
  }
}

const existing = new Set(['/home/me/report.pdf', '/home/me/notes', '/work/dir/rel.md']);

function hooks(platform: NodeJS.Platform = 'linux', defaultApp = false) {
  const calls = { shown: 0, imported: [] as string[][], shutdowns: 0 };
  let finish: () => void = () => {};
  const value: LifecycleHooks = {
    platform,
    defaultApp,
    showWindow: () => calls.shown++,
    importPaths: (paths) => calls.imported.push(paths),
    shutdown: () => {
      calls.shutdowns++;
      return new Promise<void>((resolve) => (finish = resolve));
    },
    exists: (path) => existing.has(path),
  };
  return { value, calls, finishShutdown: () => finish() };
}

describe('the app lifecycle', () => {
  test('a second instance quits at once and starts nothing', () => {
    const app = new FakeApp(false);
    const h = hooks();
    assert.equal(runLifecycle(app, h.value, ['/opt/Cairn/cairn', '/home/me/report.pdf'], '/'), false);
    assert.equal(app.quits, 1);
    assert.equal(app.listenerCount('second-instance'), 0);
    assert.deepEqual(h.calls.imported, [], 'its files are handed to the first instance by Electron, not imported here');
  });

  test("the first instance imports the files it was started with, then those of later starts, and shows its window", () => {
    const app = new FakeApp(true);
    const h = hooks();
    assert.equal(runLifecycle(app, h.value, ['/opt/Cairn/cairn', '--enable-logging', '/home/me/report.pdf', '/nope.pdf'], '/'), true);
    assert.deepEqual(h.calls.imported, [['/home/me/report.pdf']]);
    app.emit('second-instance', {}, ['C:\\Cairn\\Cairn.exe', '--allow-file-access-from-files', 'rel.md', '/home/me/notes'], '/work/dir');
    assert.deepEqual(h.calls.imported.at(-1), ['/work/dir/rel.md', '/home/me/notes']);
    assert.equal(h.calls.shown, 1);
    app.emit('second-instance', {}, ['/opt/Cairn/cairn'], '/');
    assert.equal(h.calls.shown, 2, 'a plain second start brings the window forward');
    assert.equal(h.calls.imported.length, 2);
  });

  test('macOS: files opened with the app or dropped on the dock icon are imported; closing the window keeps the app', () => {
    const app = new FakeApp(true);
    const h = hooks('darwin');
    runLifecycle(app, h.value, ['/Applications/Cairn.app/Contents/MacOS/Cairn', '-psn_0_12345'], '/');
    let prevented = false;
    app.emit('open-file', { preventDefault: () => (prevented = true) }, '/home/me/notes');
    assert.equal(prevented, true);
    assert.deepEqual(h.calls.imported, [['/home/me/notes']]);
    app.emit('window-all-closed');
    assert.equal(app.quits, 0);
    app.emit('activate');
    assert.equal(h.calls.shown, 1);
  });

  test('quitting waits for the engine to stop, once; closing the last window quits on Linux and Windows', async () => {
    const app = new FakeApp(true);
    const h = hooks('win32');
    runLifecycle(app, h.value, ['C:\\Cairn\\Cairn.exe'], 'C:\\');
    let quitted = 0;
    app.on('quitted', () => quitted++);
    app.emit('window-all-closed');
    assert.equal(app.quits, 1);
    assert.equal(quitted, 0, 'held until the engine stopped');
    app.quit(); // asked again meanwhile (the tray's Quit)
    assert.equal(h.calls.shutdowns, 1);
    h.finishShutdown();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(quitted, 1);
  });

  test('paths from a command line: switches and the app folder left out, relative paths resolved, missing ones dropped', () => {
    const exists = (path: string) => existing.has(path) || path === '/work/dir';
    assert.deepEqual(pathsFromArgv(['/usr/bin/electron', '.', '--inspect', 'rel.md'], '/work/dir', true, exists), ['/work/dir/rel.md']);
    assert.deepEqual(pathsFromArgv(['/opt/Cairn/cairn', '.'], '/work/dir', false, exists), ['/work/dir']);
    assert.deepEqual(pathsFromArgv(['/opt/Cairn/cairn'], '/', false, exists), []);
  });
});
