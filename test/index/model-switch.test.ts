import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ReembedProgress } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { EMBEDDING_LOCK } from '../../app/index/index.ts';
import { Library } from '../../app/store/index.ts';
import { startEmbeddingServer } from '../support/embedding-server.ts';
import { tempDir, writeCorpus } from '../support/corpus.ts';

test('changing the embedding model re-embeds beside the old vectors, then switches; nothing is wiped', async () => {
  const server = await startEmbeddingServer();
  const dbPath = join(tempDir(), 'library.db');
  const dir = writeCorpus(12);
  try {
    let engine = await Engine.open({ dbPath });
    await engine.setEmbedder({ type: 'openai', baseUrl: server.baseUrl, model: 'bag-384' });
    engine.add([dir]);
    await engine.index();
    const chunks = engine.status().chunks;
    assert.deepEqual(engine.status().embeddingModels.map((m) => [m.state, m.vectors]), [['active', chunks]]);
    await engine.close();

    // Reopening restores the embedder from the library's settings.
    engine = await Engine.open({ dbPath });
    assert.match(engine.status().embedder ?? '', /bag-384/);
    await engine.setEmbedder({ type: 'openai', baseUrl: server.baseUrl, model: 'bag-256' });
    const during = engine.status().embeddingModels;
    assert.deepEqual(during.map((m) => [m.dimensions, m.state, m.vectors]), [[384, 'active', chunks], [256, 'building', 0]]);

    // While the new model is being built, search uses the old model's vectors (its embedder is
    // re-opened from the stored spec to embed the query).
    const before = server.embedded.get('bag-384') ?? 0;
    const response = await engine.search({ query: 'marker5 alpha', mode: 'vector' });
    assert.equal(response.mode, 'vector');
    assert.equal(response.keywordOnly, false);
    assert.ok(response.hits.length > 0);
    assert.equal(server.embedded.get('bag-384'), before + 1, 'the query was embedded by the old model');

    await engine.index();
    const after = engine.status();
    assert.deepEqual(after.embeddingModels.map((m) => [m.dimensions, m.state, m.vectors]), [[256, 'active', chunks]]);
    assert.equal(after.documents.indexed, 12, 'documents were kept');
    assert.equal(after.chunks, chunks, 'chunks were kept, not re-extracted');
    const { hits } = await engine.search({ query: 'marker5', mode: 'hybrid' });
    assert.equal(hits[0]?.title, 'Note 5');
    await engine.close();
  } finally {
    await server.close();
  }
});

test('an embedder that cannot be loaded leaves the library usable, keyword-only, with the reason', async () => {
  const dbPath = join(tempDir(), 'library.db');
  const server = await startEmbeddingServer();
  let engine = await Engine.open({ dbPath });
  await engine.setEmbedder({ type: 'openai', baseUrl: server.baseUrl, model: 'bag-64' });
  engine.add([writeCorpus(3)]);
  await engine.index();
  await engine.close();
  await server.close();

  // The server is gone now: the query cannot be embedded.
  engine = await Engine.open({ dbPath });
  try {
    const response = await engine.search({ query: 'marker1' });
    assert.equal(response.keywordOnly, true);
    assert.match(response.notice ?? '', /Vector search failed \(Cannot reach the embedding server/);
    assert.equal(response.hits[0]?.title, 'Note 1');
  } finally {
    await engine.close();
  }

  // A GGUF file that is not there cannot be loaded at all: the reason is in status and search.
  const library = Library.open(dbPath);
  library.settings.set('embedder', { type: 'gguf', modelPath: join(tempDir(), 'missing.gguf') });
  library.close();
  engine = await Engine.open({ dbPath });
  try {
    assert.match(engine.status().embedder ?? '', /could not be loaded/);
    const response = await engine.search({ query: 'marker1' });
    assert.equal(response.keywordOnly, true);
    assert.match(response.notice ?? '', /could not be loaded/);
    assert.equal(response.hits[0]?.title, 'Note 1');
  } finally {
    await engine.close();
  }
});

test('a re-embed reports chunks done of all with rate and time left, stops when asked, resumes where it stopped, one process at a time', async () => {
  const server = await startEmbeddingServer();
  const dbPath = join(tempDir(), 'library.db');
  const events: ReembedProgress[] = [];
  const engine = await Engine.open({ dbPath, ingest: { batchChunks: 4 }, onEvent: (e) => void (e.type === 'reembed-progress' && events.push(e)), description: 'cairn index' });
  const other = Library.open(dbPath);
  try {
    engine.add([writeCorpus(10)]);
    await engine.index();
    const chunks = engine.status().chunks;
    assert.ok(chunks > 8);
    await engine.setEmbedder({ type: 'openai', baseUrl: server.baseUrl, model: 'bag-64', dimensions: 64 });
    assert.deepEqual(engine.status().reembed, { model: `openai:${server.baseUrl}:bag-64`, done: 0, total: chunks, replacing: false, by: null });

    // Stopped after the second batch (Ctrl-C): what was made stays, the rest waits.
    const stop = new AbortController();
    const stopping = engine.onEvent((e) => {
      if (e.type === 'reembed-progress' && e.done >= 8) stop.abort();
    });
    await engine.index(stop.signal);
    stopping();
    assert.deepEqual(events[0], { type: 'reembed-progress', model: `openai:${server.baseUrl}:bag-64`, done: 0, total: chunks, chunksPerSecond: 0, secondsLeft: null }, 'the first comes before any batch');
    const second = events[2]!;
    assert.equal(second.done, 8);
    assert.ok(second.chunksPerSecond > 0 && second.secondsLeft !== null && second.secondsLeft > 0, JSON.stringify(second));
    assert.equal(engine.status().reembed?.done, 8);
    assert.equal(server.embedded.get('bag-64'), 8);

    // Another process (a watcher) is embedding: this one leaves it to it, and status names it.
    other.presence.describe('cairn watch');
    const held = other.presence.lock(EMBEDDING_LOCK);
    assert.ok(held.held);
    await engine.index();
    assert.equal(server.embedded.get('bag-64'), 8, 'nothing embedded twice');
    assert.equal(engine.status().reembed?.by, `cairn watch (pid ${process.pid})`);
    other.presence.unlock(EMBEDDING_LOCK);

    events.length = 0;
    await engine.index();
    assert.equal(server.embedded.get('bag-64'), chunks, 'each chunk embedded once, across the runs');
    assert.equal(engine.status().reembed, null);
    assert.deepEqual(events.at(-1), { ...events.at(-1), done: chunks, total: chunks, secondsLeft: 0 });
    assert.equal(events[0]?.done, 8, 'resumed where it stopped');
  } finally {
    other.close();
    await engine.close();
    await server.close();
  }
});

test('a process that opened the library before another switched the model follows the switch when it next indexes', async () => {
  const server = await startEmbeddingServer();
  const dbPath = join(tempDir(), 'library.db');
  const dir = writeCorpus(6);
  const watcher = await Engine.open({ dbPath });
  try {
    await watcher.setEmbedder({ type: 'openai', baseUrl: server.baseUrl, model: 'bag-64' });
    watcher.add([dir]);
    await watcher.index();
    const chunks = watcher.status().chunks;

    const cli = await Engine.open({ dbPath });
    await cli.setEmbedder({ type: 'openai', baseUrl: server.baseUrl, model: 'bag-32' });
    await cli.close();
    assert.equal(watcher.embedderChanged(), true);

    // A file changes: the watcher indexes it with the new model and makes the rest of its vectors.
    writeFileSync(join(dir, 'new.md'), '# New\n\nmarker99 fresh words\n');
    watcher.add([join(dir, 'new.md')]);
    await watcher.index();
    assert.equal(watcher.embedderChanged(), false);
    const status = watcher.status();
    assert.match(status.embedder ?? '', /bag-32$/);
    assert.deepEqual(status.embeddingModels.map((m) => [m.key.split(':').at(-1), m.state, m.vectors]), [['bag-32', 'active', chunks + 1]]);
    assert.equal(status.reembed, null);

    // Turned off elsewhere: followed too (keyword-only, nothing pending).
    const off = await Engine.open({ dbPath });
    await off.setEmbedder(null);
    await off.close();
    await watcher.index();
    assert.equal(watcher.status().embedder, null);
  } finally {
    await watcher.close();
    await server.close();
  }
});
