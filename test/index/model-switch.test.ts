import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../app/engine.ts';
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
