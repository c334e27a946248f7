import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqlite } from '../../native/sqlite.ts';
import { CairnError } from '../../app/contract/index.ts';
import { Library, currentVersion, migrate, migrations } from '../../app/store/index.ts';
import type { ChunkInput } from '../../app/store/index.ts';
import { docInput } from '../support/documents.ts';
import { tempDir } from '../support/corpus.ts';

const tempDb = () => join(tempDir('cairn-store-'), 'library.db');

const chunk = (text: string): ChunkInput => ({
  text, start: 0, end: text.length, page: null, headingPath: [], tokenCount: 1, ftsTitle: '', ftsBody: text,
});

test('migrations upgrade an old-schema library in place and keep its data', () => {
  const path = tempDb();
  // A library written by the first release: only migration 1 applied.
  const old = openSqlite(path);
  migrate(old, migrations.slice(0, 1));
  assert.equal(currentVersion(old), 1);
  old.prepare(`INSERT INTO sources (kind, uri, name, created_at) VALUES ('import', '/docs', 'docs', 0)`).run();
  old.prepare(`INSERT INTO documents (source_id, uri, path, kind, title, status) VALUES (1, '/docs/a.txt', '/docs/a.txt', 'file', 'a', 'indexed')`).run();
  old.close();

  const library = Library.open(path);
  try {
    assert.equal(currentVersion(library.db), migrations.at(-1)!.version);
    assert.deepEqual(library.documents.countsByStatus(), { pending: 0, indexed: 1, skipped: 0, failed: 0 });
    // Tables from later migrations exist and work.
    library.jobs.enqueue('scan', { path: '/docs' });
    assert.equal(library.jobs.count(), 1);
  } finally {
    library.close();
  }
});

test('opening tells onUpgrade once, before an old library is rewritten, and never for a new or current one', () => {
  const path = tempDb();
  const old = openSqlite(path);
  migrate(old, migrations.slice(0, 3));
  old.close();
  const latest = migrations.at(-1)!.version;
  const told: [number, number, number][] = [];
  // The version on disk when told: nothing was rewritten yet.
  const probe = () => {
    const db = openSqlite(path, { readonly: true });
    try {
      return currentVersion(db);
    } finally {
      db.close();
    }
  };
  Library.open(path, { onUpgrade: (from, to) => told.push([from, to, probe()]) }).close();
  assert.deepEqual(told, [[3, latest, 3]]);
  Library.open(path, { onUpgrade: (from, to) => told.push([from, to, probe()]) }).close();
  Library.open(tempDb(), { onUpgrade: (from, to) => told.push([from, to, probe()]) }).close();
  assert.equal(told.length, 1, 'a current and a new library are not upgrades');
});

test('a library from a newer Cairn, or a file that is not a database, is refused with a clear error', () => {
  const newer = tempDb();
  const db = openSqlite(newer);
  db.pragma('user_version = 999');
  db.close();
  assert.throws(() => Library.open(newer), (e: unknown) => e instanceof CairnError && /newer Cairn/.test(e.message));

  const garbage = tempDb();
  writeFileSync(garbage, 'this is not sqlite at all, just some text that is long enough to look like a header....');
  assert.throws(() => Library.open(garbage), (e: unknown) => e instanceof CairnError && e.code === 'not-a-library' && /not a database/.test(e.message));
});

test('deleting a document removes its chunks, children, full-text rows and vectors', () => {
  const library = Library.open(tempDb());
  try {
    const source = library.sources.ensure('import', '/docs', 'docs');
    const model = library.models.register('test:8', { type: 'openai', baseUrl: 'http://x/v1', model: 'm' }, 8, 'active');
    const store = library.models.store(model);
    const big = library.models.register('test:128', { type: 'openai', baseUrl: 'http://x/v1', model: 'b' }, 128, 'building');
    const bigStore = library.models.store(big);
    library.transaction(() => {
      const parent = library.documents.upsert(docInput(source.id, '/docs/mail.eml'));
      const [c1] = library.documents.insertChunks(parent, [chunk('zebra parent text')]);
      const child = library.documents.upsert(docInput(source.id, '/docs/mail.eml', { uri: '/docs/mail.eml#a1', parentId: parent }));
      const [c2] = library.documents.insertChunks(child, [chunk('zebra attachment text')]);
      for (const id of [c1!, c2!]) {
        store.put(id, Float32Array.from({ length: 8 }, (_, i) => (i === 0 ? 1 : 0)));
        bigStore.put(id, Float32Array.from({ length: 128 }, (_, i) => (i === 0 ? 1 : 0)));
      }
    });
    assert.equal(library.retrieval.fullText('"zebra"', 10, 1).length, 2);
    assert.equal(store.count(), 2);
    assert.equal(bigStore.nearest(Float32Array.from({ length: 128 }, (_, i) => (i === 0 ? 1 : 0)), 5).length, 2);

    assert.equal(library.documents.removeUnder('/docs'), 1);
    assert.equal(library.documents.chunkCount(), 0);
    assert.equal(library.retrieval.fullText('"zebra"', 10, 1).length, 0);
    assert.equal(store.count(), 0);
    assert.equal(bigStore.count(), 0);
    const bits = library.db.prepare(`SELECT count(*) AS n FROM vector_bits_${big.id}`).get() as { n: number };
    assert.equal(bits.n, 0, 'the bit index follows the float vectors');
  } finally {
    library.close();
  }
});

test('upserting a document again replaces its chunks instead of duplicating them', () => {
  const library = Library.open(tempDb());
  try {
    const source = library.sources.ensure('import', '/d', 'd');
    const first = library.documents.upsert(docInput(source.id, '/d/a.txt'));
    library.documents.insertChunks(first, [chunk('one'), chunk('two')]);
    const second = library.documents.upsert(docInput(source.id, '/d/a.txt', { title: 'renamed' }));
    library.documents.insertChunks(second, [chunk('three')]);
    assert.equal(first, second, 'same document id');
    assert.equal(library.documents.chunkCount(), 1);
    assert.deepEqual(library.retrieval.fullText('"one"', 10, 1), []);
  } finally {
    library.close();
  }
});

test('path prefixes are exact folder boundaries', () => {
  const library = Library.open(tempDb());
  try {
    const source = library.sources.ensure('import', '/d', 'd');
    for (const p of ['/d/a/x.txt', '/d/ab/y.txt', '/d/a.txt', '/d/a/deep/z.txt']) library.documents.upsert(docInput(source.id, p));
    assert.deepEqual([...library.documents.fileStates('/d/a').keys()].sort(), ['/d/a/deep/z.txt', '/d/a/x.txt']);
    assert.equal(library.documents.removeUnder('/d/a/'), 2);
    assert.deepEqual([...library.documents.fileStates('/d').keys()].sort(), ['/d/a.txt', '/d/ab/y.txt']);
  } finally {
    library.close();
  }
});

test('the job queue hands each job out once, and a job claimed but not finished goes back when released', () => {
  const library = Library.open(tempDb());
  try {
    library.jobs.enqueue('file', { path: '/a' });
    library.jobs.enqueue('file', { path: '/a' });
    library.jobs.enqueue('file', { path: '/b' });
    assert.equal(library.jobs.count('file'), 2, 'the same job is queued once');
    const claimed = library.jobs.claim('file', 10);
    assert.equal(claimed.length, 2);
    assert.equal(library.jobs.claim('file', 10).length, 0, 'running jobs are not handed out again');
    assert.equal(library.jobs.requeueDead(), 0, 'this process is alive: its jobs stay its own');
    library.jobs.done(claimed[0]!.id);
    library.jobs.release([claimed[1]!.id]);
    assert.deepEqual(library.jobs.claim('file', 10).map((j) => JSON.parse(j.payload)), [{ path: '/b' }]);
  } finally {
    library.close();
  }
});

test('a reader connection (the keyword thread’s) reads what the library holds, refuses writes, and keeps a smaller page cache than the connection that writes', () => {
  const path = join(tempDir(), 'library.db');
  const library = Library.open(path);
  const source = library.sources.ensure('import', '/r', 'r');
  library.documents.upsert(docInput(source.id, '/r/a.txt'));
  const reader = Library.openReader(path);
  try {
    assert.equal(reader.reader, true);
    assert.equal(reader.db.prepare('SELECT count(*) FROM documents').pluck().get(), 1);
    assert.throws(() => reader.db.prepare('DELETE FROM documents').run(), /readonly/i);
    assert.equal(library.db.pragma('cache_size', { simple: true }), -32000);
    assert.equal(reader.db.pragma('cache_size', { simple: true }), -8000);
  } finally {
    reader.close();
    library.close();
  }
});
