// The job queue shared by several processes on one library: a running job belongs to the
// process that claimed it (a lease), a job whose source is removed is dropped, never written,
// and source ids are never handed out twice. Real child processes where the issue is about them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../app/engine.ts';
import { Library, migrate, migrations } from '../../app/store/index.ts';
import { openSqlite } from '../../native/sqlite.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { paragraph, tempDir, writeCorpus } from '../support/corpus.ts';
import { IndexChild } from '../support/index-child.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');

function cairn(db: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [main, '--db', db, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function count(db: string, sql: string): number {
  const library = Library.open(db);
  try {
    return library.db.prepare(sql).pluck().get() as number;
  } finally {
    library.close();
  }
}

test('a second process starting while `add` runs never takes its running jobs: every file is read and embedded once', async (t) => {
  const files = 240;
  const dir = writeCorpus(files);
  const db = join(tempDir(), 'library.db');
  // The first process stops while it holds running jobs (read, not yet embedded and written).
  const first = new IndexChild(db, 'add', { delayMs: 20, pauseAfter: 2, dir });
  t.after(() => first.kill());
  await first.until('the first process holds running jobs', () => first.lines.includes('paused'));

  // Any command opening the library used to put every running job back in the queue.
  const status = cairn(db, 'status');
  assert.equal(status.code, 0, status.stderr);
  const second = new IndexChild(db, 'index', { delayMs: 20, pauseAfter: 3 });
  t.after(() => second.kill());
  await second.until('the second process is indexing too', () => second.lines.includes('paused'));
  first.resume();
  second.resume();

  const [a, b] = await Promise.all([first.exited, second.exited]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(a.summary!.filesDone + b.summary!.filesDone, files, `files written: ${a.summary!.filesDone} + ${b.summary!.filesDone}`);
  const chunks = count(db, 'SELECT count(*) FROM chunks');
  assert.equal(a.summary!.embedded + b.summary!.embedded, chunks, 'every chunk was embedded once');
  assert.equal(count(db, 'SELECT count(*) FROM documents'), files);
  assert.equal(count(db, 'SELECT count(*) FROM jobs'), 0);
});

test('`cairn remove X` while `cairn add X` is embedding: the add finishes without error and nothing of X stays', async (t) => {
  const dir = writeCorpus(160);
  const db = join(tempDir(), 'library.db');
  const add = new IndexChild(db, 'add', { delayMs: 20, pauseAfter: 2, dir });
  t.after(() => add.kill());
  await add.until('the add is embedding', () => add.lines.includes('paused'));
  const remove = cairn(db, 'remove', dir);
  assert.equal(remove.code, 0, remove.stderr);
  add.resume();
  const { code, summary, stderr } = await add.exited;
  assert.equal(code, 0, stderr);
  assert.ok(summary!.filesDone < 160, `files written after the removal are dropped (${summary!.filesDone} written)`);
  assert.equal(count(db, 'SELECT count(*) FROM documents'), 0);
  assert.equal(count(db, 'SELECT count(*) FROM jobs'), 0);
  assert.equal(count(db, 'SELECT count(*) FROM sources'), 0);
  // The library still works afterwards.
  const again = cairn(db, 'add', writeCorpus(3));
  assert.equal(again.code, 0, again.stderr);
});

test('`cairn remove <root that was added>` counts the documents it removed', () => {
  const db = join(tempDir(), 'library.db');
  const dir = writeCorpus(8);
  assert.equal(cairn(db, 'add', dir).code, 0);
  const remove = cairn(db, 'remove', dir);
  assert.equal(remove.code, 0, remove.stderr);
  assert.match(remove.stdout, new RegExp(`removed 8 document\\(s\\) under ${dir}`));
  assert.equal(count(db, 'SELECT count(*) FROM documents'), 0);
});

test('source ids are never reused, so nothing queued or scoped for a removed source reaches a new one', async () => {
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null });
  try {
    const a = tempDir();
    const b = tempDir();
    const first = engine.addFolder(a);
    await engine.removeFolder(a);
    const second = engine.addFolder(b);
    assert.ok(second.id > first.id, `new source ${second.id} after removed ${first.id}`);
    assert.equal(engine.library.jobs.enqueue('file', { path: join(a, 'x.md'), sourceId: first.id }), false, 'nothing is queued for a removed source');
    assert.equal(engine.library.jobs.count(), 0);
  } finally {
    await engine.close();
  }
});

test('a library from before the lease (schema 6) with jobs of a removed source opens, drops them, and indexes the rest', async () => {
  const db = join(tempDir(), 'library.db');
  const dir = tempDir();
  for (const name of ['kept.md', 'orphan.md']) writeFileSync(join(dir, name), `# ${name}\n\n${paragraph(name.length)}\n`);
  const old = openSqlite(db);
  migrate(old, migrations.filter((m) => m.version <= 6));
  const insertSource = old.prepare(`INSERT INTO sources (kind, uri, name, created_at) VALUES ('import', ?, ?, 0) RETURNING id`);
  const kept = insertSource.pluck().get(join(dir, 'kept.md'), 'kept') as number;
  const removed = insertSource.pluck().get(join(dir, 'orphan.md'), 'orphan') as number;
  const job = old.prepare(`INSERT INTO jobs (kind, payload, state, created_at) VALUES ('file', ?, ?, 0)`);
  job.run(JSON.stringify({ path: join(dir, 'kept.md'), sourceId: kept }), 'running');
  job.run(JSON.stringify({ path: join(dir, 'orphan.md'), sourceId: removed }), 'queued');
  // The removed source's job stayed behind (the bug this migration cleans up).
  old.prepare('DELETE FROM sources WHERE id = ?').run(removed);
  old.close();

  const engine = await Engine.open({ dbPath: db, embedder: new FakeEmbedder() });
  try {
    assert.equal(engine.library.jobs.count(), 1, 'the job of the removed source is gone');
    const summary = await engine.index();
    assert.equal(summary.filesDone, 1);
    assert.deepEqual(engine.library.db.prepare('SELECT uri FROM documents').pluck().all(), [join(dir, 'kept.md')]);
    const next = engine.library.sources.ensure('import', join(dir, 'new'), 'new');
    assert.ok(next.id > removed, `a new source (${next.id}) never takes the removed one's id (${removed})`);
  } finally {
    await engine.close();
  }
});

test('a job whose source disappears while it is prepared is dropped with a note, and the queue goes on', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'a'));
  mkdirSync(join(dir, 'b'));
  for (let i = 0; i < 4; i++) {
    writeFileSync(join(dir, 'a', `n${i}.md`), `# a${i}\n\n${paragraph(i)}\n`);
    writeFileSync(join(dir, 'b', `n${i}.md`), `# b${i}\n\n${paragraph(i + 10)}\n`);
  }
  const embedder = new FakeEmbedder();
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder, ingest: { batchChunks: 1 } });
  try {
    engine.add([join(dir, 'a'), join(dir, 'b')]);
    // The first embedding call removes source a, as another process might.
    const embed = embedder.embed.bind(embedder);
    let removed = false;
    embedder.embed = async (texts) => {
      if (!removed) {
        removed = true;
        const other = Library.open(engine.library.path);
        other.transaction(() => other.sources.removeUnder(join(dir, 'a')));
        other.close();
      }
      return embed(texts);
    };
    const summary = await engine.index();
    assert.ok(summary.dropped > 0, 'the dropped jobs are counted');
    assert.equal(summary.filesDone + summary.dropped, 8);
    const uris = engine.library.db.prepare('SELECT uri FROM documents ORDER BY uri').pluck().all() as string[];
    assert.ok(uris.every((u) => u.startsWith(join(dir, 'b'))), uris.join(', '));
    assert.equal(uris.length, 4);
    assert.equal(engine.library.jobs.count(), 0);
  } finally {
    await engine.close();
  }
});
