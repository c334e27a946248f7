// One process watches the library while others change it: folders removed or added elsewhere
// are dropped from or added to the watch, and a second watcher is refused while the first lives.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../app/engine.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { paragraph, tempDir, writeCorpus } from '../support/corpus.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');
const timings = { debounceMs: 40, settleMs: 150, rootCheckMs: 100 };

function cairn(db: string, args: string[], timeout = 60_000) {
  const run = spawnSync(process.execPath, [main, '--db', db, ...args], { encoding: 'utf8', timeout });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A note whose file was last modified a while ago (so it counts as settled at once). */
function note(path: string, marker: string): void {
  writeFileSync(path, `# ${marker} heading\n\n${marker} ${paragraph(marker.length)}\n`);
  execFileSync('touch', ['-d', new Date(Date.now() - 10_000).toISOString(), path]);
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('a watcher stops watching a folder another process removed, starts on one it added, and leaves no job behind', async (t) => {
  const parent = tempDir();
  const [a, b, c] = ['a', 'b', 'c'].map((name) => join(parent, name)) as [string, string, string];
  for (const dir of [a, b, c]) mkdirSync(dir);
  note(join(a, 'one.md'), 'albatross');
  note(join(b, 'one.md'), 'bittern');
  const db = join(tempDir(), 'library.db');
  assert.equal(cairn(db, ['folders', 'add', a]).code, 0);
  assert.equal(cairn(db, ['folders', 'add', b]).code, 0);

  const watcher = await Engine.open({ dbPath: db, embedder: new FakeEmbedder(), folders: timings });
  t.after(() => watcher.close());
  const failures: unknown[] = [];
  const index = watcher.index.bind(watcher);
  watcher.index = (signal) => index(signal).catch((error: unknown) => {
    failures.push(error);
    throw error;
  });
  await watcher.watchFolders();
  await watcher.folders.settled();
  const ids = new Map(watcher.sources().map((s) => [s.uri, s.id]));

  // b has the highest id: SQLite would hand it out again to the next source.
  const removed = cairn(db, ['folders', 'remove', b]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /removed 1 document\(s\)/);
  note(join(b, 'two.md'), 'bustard');
  note(join(a, 'two.md'), 'avocet');
  const indexed = () => watcher.library.db.prepare('SELECT path FROM documents ORDER BY path').pluck().all() as string[];
  await waitFor('a/two.md indexed', () => indexed().includes(join(a, 'two.md')));
  await watcher.folders.settled();
  assert.deepEqual(indexed(), [join(a, 'one.md'), join(a, 'two.md')]);
  assert.equal(watcher.library.jobs.count(), 0, 'no job left behind for the removed folder');
  assert.deepEqual(failures, [], 'no indexing run failed');
  await waitFor('the watcher stops watching b', () => !watcher.folders.watchedFolders().includes(b));

  // Another process adds a folder: it gets a new id, and the watcher takes it up.
  note(join(c, 'one.md'), 'cormorant');
  const added = cairn(db, ['folders', 'add', c]);
  assert.equal(added.code, 0, added.stderr);
  const idOfC = watcher.library.sources.byKind('folder').find((s) => s.uri === c)!.id;
  assert.ok(idOfC > ids.get(b)!, `the new folder's id ${idOfC} is not the removed one's ${ids.get(b)}`);
  await waitFor('the watcher watches c', () => watcher.folders.watchedFolders().includes(c));
  note(join(c, 'two.md'), 'crane');
  await waitFor('c/two.md indexed by the watcher', () => indexed().includes(join(c, 'two.md')));

  // Files added beside the watcher still index.
  const add = cairn(db, ['add', writeCorpus(3)]);
  assert.equal(add.code, 0, add.stderr);
  await watcher.folders.settled();
  assert.equal(watcher.library.jobs.count(), 0);
  assert.deepEqual(failures, []);
});

test('one process watches a library: a second `cairn watch` is refused naming the first, other commands work beside it, and a dead watcher is replaced', async () => {
  const root = tempDir();
  note(join(root, 'one.md'), 'heron');
  const db = join(tempDir(), 'library.db');
  assert.equal(cairn(db, ['folders', 'add', root]).code, 0);

  const start = () => {
    const child = spawn(process.execPath, [main, '--db', db, 'watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
    return { child, exited, stderr: () => stderr };
  };
  const first = start();
  try {
    await waitFor('the first watcher', () => /Ctrl-C to stop/.test(first.stderr()));
    const second = cairn(db, ['watch'], 20_000);
    assert.equal(second.code, 1, `refused, not watching: ${second.stderr}`);
    assert.match(second.stderr, new RegExp(`cairn watch \\(pid ${first.child.pid}\\) is already watching this library`));
    assert.equal(cairn(db, ['status']).code, 0);
    const add = cairn(db, ['add', writeCorpus(2)]);
    assert.equal(add.code, 0, add.stderr);
  } finally {
    first.child.kill('SIGKILL');
  }
  assert.equal((await first.exited).signal, 'SIGKILL');

  const third = start();
  try {
    await waitFor('the next watcher takes over from the dead one', () => /Ctrl-C to stop/.test(third.stderr()));
  } finally {
    third.child.kill('SIGINT');
  }
  assert.equal((await third.exited).code, 0, third.stderr());
});
