// The desktop niceties without Electron: the tray's tooltip follows indexing, re-embedding,
// downloads and the engine's state; a long import and a model download end with a notification;
// the window opens where it was left when that is still on a screen; the application menu.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EngineEvent } from '../../app/contract/events.ts';
import { Activity, type Notice } from '../../main/activity.ts';
import { menuTemplate } from '../../main/menu.ts';
import { DEFAULT_BOUNDS, readWindowState, rememberWindowState, restoreBounds, writeWindowState, type Rectangle, type WindowState } from '../../main/window-state.ts';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { tempDir } from '../support/corpus.ts';

const progress = (filesDone: number, filesTotal: number, currentFile: string | null, extra: Partial<{ chunks: number; errors: number }> = {}): EngineEvent => ({
  type: 'progress', stage: currentFile === null ? 'scanning' : 'reading', filesDone, filesTotal, chunks: extra.chunks ?? filesDone * 10, chunksPerSecond: 0, currentFile, errors: extra.errors ?? 0,
});

function activity() {
  let now = 0;
  const tooltips: string[] = [];
  const notices: Notice[] = [];
  const tracker = new Activity({ onTooltip: (t) => tooltips.push(t), onNotice: (n) => notices.push(n), now: () => now, longImportMs: 30_000 });
  return { tracker, tooltips, notices, advance: (ms: number) => (now += ms) };
}

describe('the tray and notifications', () => {
  test('the tooltip shows indexing progress, and a long import ends with a notification', () => {
    const a = activity();
    assert.equal(a.tracker.tooltip, 'Cairn: up to date');
    a.tracker.handle(progress(0, 1200, '/docs/a.pdf'));
    assert.equal(a.tracker.tooltip, 'Cairn: indexing 0 of 1,200 files');
    a.advance(20_000);
    a.tracker.handle(progress(600, 1200, '/docs/m.pdf'));
    assert.equal(a.tracker.tooltip, 'Cairn: indexing 600 of 1,200 files');
    a.advance(20_000);
    a.tracker.handle(progress(1200, 1200, null, { chunks: 15_000, errors: 3 }));
    assert.equal(a.tracker.tooltip, 'Cairn: up to date');
    assert.deepEqual(a.notices, [{ title: 'Import finished', body: '1,200 files indexed, 15,000 passages; 3 could not be read (see Problems).' }]);
    assert.deepEqual(a.tooltips, ['Cairn: up to date', 'Cairn: indexing 0 of 1,200 files', 'Cairn: indexing 600 of 1,200 files', 'Cairn: up to date']);

    // A short one (a file saved in a watched folder) makes no noise; nor does an empty run.
    a.tracker.handle(progress(0, 1, '/docs/new.md'));
    a.advance(2000);
    a.tracker.handle(progress(1, 1, null));
    a.tracker.handle(progress(0, 0, null));
    assert.equal(a.notices.length, 1);
  });

  test('re-embedding, downloads and the engine restarting show in the tooltip; a download ending is notified', () => {
    const a = activity();
    a.tracker.handle({ type: 'reembed-progress', model: 'bge-m3', done: 250, total: 1000, chunksPerSecond: 50, secondsLeft: 15 });
    a.tracker.handle({ type: 'model-download', file: 'qwen3-4b.gguf', receivedBytes: 1_250_000_000, totalBytes: 2_500_000_000, bytesPerSecond: 1e7, etaSeconds: 125, phase: 'downloading' });
    assert.equal(a.tracker.tooltip, 'Cairn: re-embedding 25%, downloading qwen3-4b.gguf 50%');
    a.tracker.handle({ type: 'model-pull', file: 'qwen3-4b.gguf', outcome: 'done', model: null, error: null });
    a.tracker.handle({ type: 'model-pull', file: 'llama.gguf', outcome: 'failed', model: null, error: { code: 'model-hash-mismatch', message: 'The download does not match its pinned hash.' } });
    a.tracker.handle({ type: 'model-pull', file: 'other.gguf', outcome: 'cancelled', model: null, error: null });
    assert.deepEqual(a.notices, [
      { title: 'Model downloaded', body: 'qwen3-4b.gguf is ready to use.' },
      { title: 'Model download failed', body: 'llama.gguf: The download does not match its pinned hash.' },
    ]);
    a.tracker.handle({ type: 'reembed-progress', model: 'bge-m3', done: 1000, total: 1000, chunksPerSecond: 50, secondsLeft: 0 });
    assert.equal(a.tracker.tooltip, 'Cairn: up to date');
    a.tracker.handle({ type: 'engine', state: 'stopped', restarts: 1, reason: 'exited' });
    assert.equal(a.tracker.tooltip, 'Cairn: restarting the engine');
    a.tracker.handle({ type: 'engine', state: 'failed', restarts: 1, reason: 'The library is damaged: run cairn doctor --repair.' });
    assert.equal(a.tracker.tooltip, 'Cairn: stopped: The library is damaged: run cairn doctor --repair.');
    a.tracker.handle({ type: 'engine', state: 'failed', restarts: 1, reason: 'x'.repeat(300) });
    const tooltip: string = a.tracker.tooltip; // read again: the assertions above narrowed the getter
    assert.ok(tooltip.length <= 120, 'short enough for Windows');
  });
});

describe('the window state', () => {
  const screen: Rectangle = { x: 0, y: 0, width: 1920, height: 1080 };
  const saved = (x: number, y: number, width = 1000, height = 700): WindowState => ({ bounds: { x, y, width, height }, maximized: false });

  test('the window opens where it was left when that is on a screen, else at the default place', () => {
    assert.deepEqual(restoreBounds(saved(100, 50), [screen]), { x: 100, y: 50, width: 1000, height: 700 });
    assert.deepEqual(restoreBounds(saved(2500, 50), [screen]), DEFAULT_BOUNDS, 'the monitor it was on is gone');
    assert.deepEqual(restoreBounds(saved(2500, 50), [screen, { x: 1920, y: 0, width: 2560, height: 1440 }]), { x: 2500, y: 50, width: 1000, height: 700 });
    assert.deepEqual(restoreBounds(saved(100, -500), [screen]), DEFAULT_BOUNDS, 'title bar above the screen');
    assert.deepEqual(restoreBounds(saved(10, 10, 5000, 3000), [screen]), { x: 10, y: 10, width: 1920, height: 1080 }, 'no bigger than the screen');
    assert.deepEqual(restoreBounds(null, [screen]), DEFAULT_BOUNDS);
  });

  test('moves, resizes and closing are saved, and read back', () => {
    const file = join(tempDir(), 'window-state.json');
    assert.equal(readWindowState(file), null);
    const window = Object.assign(new EventEmitter(), {
      bounds: { x: 40, y: 30, width: 1100, height: 750 },
      maximized: true,
      getNormalBounds() {
        return this.bounds;
      },
      isMaximized() {
        return this.maximized;
      },
      isMinimized: () => false,
      isDestroyed: () => false,
    });
    rememberWindowState(window, (state) => writeWindowState(file, state));
    window.emit('move');
    window.emit('close');
    assert.deepEqual(readWindowState(file), { bounds: { x: 40, y: 30, width: 1100, height: 750 }, maximized: true });
  });
});

describe('the application menu', () => {
  const actions = { addFiles: () => {}, watchFolder: () => {}, showLibraryFolder: () => {} };
  const labels = (items: ReturnType<typeof menuTemplate>) => items.map((item) => item.role ?? item.label);

  test('macOS gets its app menu first; elsewhere File has Quit; the usual edit shortcuts come from roles', () => {
    const mac = menuTemplate('darwin', actions, { development: false });
    assert.deepEqual(labels(mac), ['appMenu', '&File', 'editMenu', '&View', 'windowMenu']);
    const linux = menuTemplate('linux', actions, { development: false });
    assert.deepEqual(labels(linux), ['&File', 'editMenu', '&View', 'windowMenu']);
    const file = linux[0]!.submenu as { label?: string; role?: string; accelerator?: string }[];
    assert.deepEqual(file.filter((i) => i.accelerator).map((i) => [i.label, i.accelerator]), [['Add Files…', 'CmdOrCtrl+O'], ['Watch Folder…', 'CmdOrCtrl+Shift+O']]);
    assert.equal(file.at(-1)?.role, 'quit');
    const view = (items: ReturnType<typeof menuTemplate>) => (items.find((i) => i.label === '&View')!.submenu as { role?: string }[]).map((i) => i.role);
    assert.ok(!view(linux).includes('toggleDevTools') && !view(linux).includes('reload'), 'no developer tools in the packaged app');
    assert.ok(view(menuTemplate('linux', actions, { development: true })).includes('toggleDevTools'));
  });
});
