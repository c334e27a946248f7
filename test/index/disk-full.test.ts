import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { CairnError } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { tempDir, writeCorpus } from '../support/corpus.ts';

test('a full disk stops indexing with one clear error; queued work is kept and finishes once there is room', async () => {
  const dir = writeCorpus(120);
  const dbPath = join(tempDir(), 'library.db');
  const unhandled: unknown[] = [];
  const onUnhandled = (error: unknown) => unhandled.push(error);
  process.on('unhandledRejection', onUnhandled);
  try {
    let engine = await Engine.open({ dbPath, embedder: new FakeEmbedder(), ingest: { batchChunks: 16 } });
    // With max_page_count SQLite fails a write that would grow the file with SQLITE_FULL, as it
    // does on a full disk (ENOSPC): the same error through the same code.
    const pages = engine.library.db.prepare('PRAGMA page_count').pluck().get() as number;
    engine.library.db.pragma(`max_page_count = ${pages + 30}`);
    engine.add([dir]);
    await assert.rejects(engine.index(), (error: unknown) => {
      assert.ok(error instanceof CairnError, `a CairnError, not ${String(error)}`);
      assert.equal(error.code, 'disk-full');
      assert.match(error.message, /disk holding the library is full/);
      assert.ok(error.message.includes(dirname(dbPath)), error.message);
      assert.match(error.message, /\d+(\.\d+)? ?(bytes|KB|MB|GB|TB) free/);
      return true;
    });
    // The connection is still open: what was written so far can be read.
    const partial = engine.status();
    assert.ok(partial.documents.indexed < 120, `only part was indexed (${partial.documents.indexed})`);
    await engine.close();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, [], 'nothing left running fails after the run stopped');

    // Space is back (a new connection has no page limit): the next run finishes the queued work.
    engine = await Engine.open({ dbPath, embedder: new FakeEmbedder() });
    try {
      await engine.index();
      const status = engine.status();
      assert.equal(status.documents.indexed, 120);
      assert.equal(status.pendingJobs, 0);
      assert.equal(status.embeddingModels[0]!.vectors, status.chunks);
      assert.equal((await engine.search({ query: 'marker77', mode: 'bm25' })).hits[0]?.title, 'Note 77');
    } finally {
      await engine.close();
    }
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
