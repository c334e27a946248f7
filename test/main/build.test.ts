// `npm run build`'s desktop bundles, loaded without Electron: the preload (CommonJS) runs in a bare
// context whose only module is a fake `electron` and exposes exactly `cairn` (send, onMessage,
// pathForFile);
// the main bundle runs on plain Node (no type stripping) against a fake `electron` and sets the app
// up as it should (sandbox, app:// scheme, single instance, the engine forked with the app's
// arguments, a sandboxed window on app://cairn); a second instance quits at once.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { buildBundles, ROOT } from '../../build.ts';
import { APP_DESCRIPTION } from '../../main/engine-host.ts';
import { IPC } from '../../main/ipc-channels.ts';
import { APP_URL } from '../../main/protocol.ts';
import { webPreferences } from '../../main/window.ts';

const FAKE_ELECTRON = join(import.meta.dirname, 'support', 'use-fake-electron.mjs');

describe('the desktop bundles', { timeout: 120_000 }, () => {
  // Inside the checkout, so that the external packages resolve from its node_modules.
  const outDir = join(ROOT, 'dist', `.test-desktop-${process.pid}`);
  let bundles: string[] = [];
  before(async () => {
    bundles = await buildBundles(ROOT, outDir);
  });
  after(() => rmSync(outDir, { recursive: true, force: true }));

  test('the preload needs nothing but electron, and exposes exactly window.cairn', () => {
    const preload = bundles.find((file) => file.endsWith('/preload.cjs'));
    assert.ok(preload, bundles.join(', '));
    const required: string[] = [];
    const exposed: [string, unknown][] = [];
    const ipc: { sent: string[]; on: string[] } = { sent: [], on: [] };
    const electron = {
      contextBridge: { exposeInMainWorld: (name: string, value: unknown) => exposed.push([name, value]) },
      webUtils: { getPathForFile: () => '/dropped/file.pdf' },
      ipcRenderer: {
        on: (channel: string) => ipc.on.push(channel),
        send: (channel: string) => ipc.sent.push(channel),
        invoke: async () => null,
      },
    };
    const module = { exports: {} };
    // A sandboxed preload's world: no process, no Buffer, no Node modules; `require` gives electron only.
    runInNewContext(readFileSync(preload, 'utf8'), {
      module,
      exports: module.exports,
      require: (name: string) => {
        required.push(name);
        if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
        return electron;
      },
      queueMicrotask,
    });
    assert.deepEqual(required, ['electron']);
    assert.deepEqual(exposed.map(([name]) => name), ['cairn']);
    const bridge = exposed[0]![1] as Record<string, unknown>;
    assert.deepEqual(Object.keys(bridge).sort(), ['onMessage', 'pathForFile', 'send']);
    assert.ok(Object.values(bridge).every((value) => typeof value === 'function'));
    assert.equal((bridge.pathForFile as (file: unknown) => string)({}), '/dropped/file.pdf');
    assert.deepEqual(ipc.sent, [IPC.connect], 'asks main for a port to the engine');
    assert.deepEqual(ipc.on.sort(), [IPC.engine, IPC.port].sort());
  });

  test('the main bundle runs on plain JavaScript and sets the app up; a second instance quits', () => {
    const main = bundles.find((file) => file.endsWith('/main.cjs'));
    assert.ok(main, bundles.join(', '));
    const run = (lock: boolean) => {
      const result = spawnSync(process.execPath, ['--no-experimental-strip-types', '--import', FAKE_ELECTRON, main], {
        encoding: 'utf8', timeout: 60_000, env: { ...process.env, FAKE_ELECTRON_LOCK: lock ? '1' : '0' },
      });
      assert.equal(result.status, 0, result.stderr);
      return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as [string, ...unknown[]][];
    };
    const calls = (log: [string, ...unknown[]][], name: string) => log.filter(([call]) => call === name).map(([, ...args]) => args);

    const first = run(true);
    assert.deepEqual(calls(first, 'app.enableSandbox'), [[]]);
    const [[schemes]] = calls(first, 'protocol.registerSchemesAsPrivileged') as [[{ scheme: string; privileges: Record<string, boolean> }[]]];
    assert.equal(schemes[0]!.scheme, 'app');
    assert.equal(schemes[0]!.privileges.secure, true);
    assert.deepEqual(calls(first, 'protocol.handle'), [['app']]);
    assert.equal(calls(first, 'session.setPermissionRequestHandler').length, 1);
    assert.equal(calls(first, 'session.setPermissionCheckHandler').length, 1);
    const [[enginePath, args]] = calls(first, 'utilityProcess.fork') as [[string, string[]]];
    assert.equal(enginePath, '/fake/app/dist/engine.js');
    assert.deepEqual(args.slice(0, 3), ['--description', APP_DESCRIPTION, '--host-secrets']);
    assert.match(args[3]!, /system keyring \(libsecret\), encrypted in \/fake\/userData\/secrets\.safestorage\.json/);
    const [[options]] = calls(first, 'new BrowserWindow') as [[{ webPreferences: unknown; show: boolean }]];
    assert.deepEqual(options.webPreferences, webPreferences('/fake/app/dist/preload.cjs'));
    assert.deepEqual(calls(first, 'window.loadURL'), [[APP_URL]]);
    assert.deepEqual(calls(first, 'ipcMain.on'), [[IPC.connect]]);
    assert.deepEqual(calls(first, 'ipcMain.handle'), [[IPC.desktop]]);
    assert.deepEqual(calls(first, 'new Tray'), [['/fake/app/resources/desktop/tray.png']]);
    assert.deepEqual(calls(first, 'tray.setToolTip').at(0), ['Cairn: up to date']);
    assert.deepEqual(calls(first, 'Menu.setApplicationMenu'), [[['&File', 'editMenu', '&View', 'windowMenu']]]);
    assert.deepEqual(calls(first, 'dialog.showErrorBox'), []);

    const second = run(false);
    assert.deepEqual(second.map(([call]) => call).filter((call) => !call.startsWith('protocol.registerSchemes') && call !== 'app.enableSandbox' && call !== 'app.setAppUserModelId'), ['app.requestSingleInstanceLock', 'app.quit']);
  });
});
