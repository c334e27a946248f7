// Task prefixes of embedding models ("search_query: ", "search_document: "): documents are embedded
// with the document prefix and queries with the query prefix wherever Cairn embeds them, the
// prefixes are part of the vector set's key, a catalog GGUF brings its own, and chunks leave room
// for them. The embedding server here records every text it is given.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CairnError } from '../../app/contract/index.ts';
import { PrefixedEmbedder } from '../../app/embed/index.ts';
import { Engine } from '../../app/engine.ts';
import { loadCatalog } from '../../app/llm/index.ts';
import { estimateServerTokens } from '../../app/net/index.ts';
import { rankChunks } from '../../app/web/index.ts';
import { paragraph, tempDir, writeCorpus } from '../support/corpus.ts';
import { startEmbeddingServer, type EmbeddingServer } from '../support/embedding-server.ts';
import { BagOfWordsModel } from '../support/fake-embedder.ts';
import { modelsDir, requireShared } from '../support/shared.ts';
import { startHarness } from '../server/support.ts';

const query = 'search_query: ';
const document = 'search_document: ';

let server: EmbeddingServer;
before(async () => {
  server = await startEmbeddingServer();
});
after(() => server.close());

async function openEngine(): Promise<Engine> {
  return Engine.open({ dbPath: join(tempDir(), 'library.db'), embedApiKey: '' });
}

test('documents get the document prefix and queries the query prefix, through indexing and search; chunks leave room for it', async () => {
  const engine = await openEngine();
  try {
    engine.add([writeCorpus(5)]);
    // dimensions given: no probe is sent, so every text the server sees is the library's.
    await engine.setEmbedder({ type: 'openai', baseUrl: server.baseUrl, model: 'bag-64', dimensions: 64, maxTokens: 128, queryPrefix: query, documentPrefix: document });
    server.inputs.length = 0;
    await engine.index();
    const { chunks } = engine.status();
    assert.ok(chunks >= 10, `${chunks} chunks`);
    assert.equal(server.inputs.length, chunks, 'each chunk embedded once');
    assert.deepEqual(server.inputs.filter((text) => !text.startsWith(document)), [], 'every chunk with the document prefix');
    // The prefix counts against the model's input: chunks are cut shorter to leave room for it.
    const over = server.inputs.filter((text) => estimateServerTokens(text) > 128);
    assert.deepEqual(over.map(estimateServerTokens), [], 'every input, prefix included, within the 128 tokens the model takes');

    server.inputs.length = 0;
    const found = await engine.search({ query: 'marker3 lighthouse', mode: 'vector', k: 3 });
    assert.equal(found.mode, 'vector', found.notice ?? '');
    assert.deepEqual(server.inputs, [`${query}marker3 lighthouse`], 'the query with the query prefix');
  } finally {
    await engine.close();
  }
});

test('the prefixes are part of the key: changing them re-embeds in the background, and search keeps the old vectors meanwhile', async () => {
  const engine = await openEngine();
  try {
    engine.add([writeCorpus(4)]);
    const spec = { type: 'openai' as const, baseUrl: server.baseUrl, model: 'bag-64', dimensions: 64 };
    await engine.setEmbedder(spec);
    await engine.index();
    const plain = engine.status();
    // Without prefixes the key is what it always was: libraries made before prefixes keep their vectors.
    assert.equal(plain.embedder, `openai:${server.baseUrl}:bag-64`);

    await engine.setEmbedder({ ...spec, queryPrefix: query, documentPrefix: document });
    const prefixed = engine.status();
    assert.ok(prefixed.embedder && prefixed.embedder !== plain.embedder, `a new key: ${prefixed.embedder}`);
    assert.deepEqual(prefixed.reembed && { done: prefixed.reembed.done, total: prefixed.reembed.total, replacing: prefixed.reembed.replacing }, { done: 0, total: plain.chunks, replacing: true });

    // Meanwhile the old vectors answer, and their queries are embedded as their documents were: without a prefix.
    server.inputs.length = 0;
    const meanwhile = await engine.search({ query: 'marker2', mode: 'vector', k: 3 });
    assert.equal(meanwhile.mode, 'vector', meanwhile.notice ?? '');
    assert.deepEqual(server.inputs, ['marker2']);

    server.inputs.length = 0;
    await engine.index();
    assert.equal(server.inputs.length, plain.chunks, 'every chunk embedded again');
    assert.deepEqual(server.inputs.filter((text) => !text.startsWith(document)), []);
    const done = engine.status();
    assert.equal(done.reembed, null);
    assert.deepEqual(done.embeddingModels.map((m) => [m.key, m.state, m.vectors]), [[prefixed.embedder, 'active', plain.chunks]]);

    server.inputs.length = 0;
    await engine.search({ query: 'marker2', mode: 'vector', k: 3 });
    assert.deepEqual(server.inputs, [`${query}marker2`], 'the new vectors are searched with the query prefix');

    // A different query prefix alone is another vector set too (the key names how the model is asked).
    await engine.setEmbedder({ ...spec, queryPrefix: 'query: ', documentPrefix: document });
    const other = engine.status().embedder;
    assert.ok(other !== prefixed.embedder && other !== plain.embedder, `another key: ${other}`);
  } finally {
    await engine.close();
  }
});

/** The bag-of-words model, keeping every text it is given (prefixes included). */
class RecordingModel extends BagOfWordsModel {
  readonly given: string[] = [];
  override embed(texts: string[]): Promise<Float32Array[]> {
    this.given.push(...texts);
    return super.embed(texts);
  }
}

test('an embedder without prefixes keeps its model\'s key and budget; with them the key changes and chunks are shorter by the document prefix', async () => {
  const plain = new PrefixedEmbedder(new BagOfWordsModel(64, 'bag'));
  assert.equal(plain.key, 'test:bag:64');
  assert.deepEqual(plain.prefixes, { query: '', document: '' });
  assert.equal(plain.maxTokens, 512);

  const model = new RecordingModel(64, 'bag', { queryPrefix: query, documentPrefix: document });
  const prefixed = new PrefixedEmbedder(model);
  assert.deepEqual(prefixed.prefixes, { query, document });
  assert.match(prefixed.key, /^test:bag:64:prefixes-[0-9a-f]{12}$/);
  assert.equal(prefixed.maxTokens, 512 - model.countTokens(document));
  assert.notEqual(new PrefixedEmbedder(new BagOfWordsModel(64, 'bag', { queryPrefix: query })).key, prefixed.key, 'the query prefix counts too');
  assert.notEqual(new PrefixedEmbedder(new BagOfWordsModel(64, 'bag', { documentPrefix: document })).key, prefixed.key);

  await prefixed.embed(['a lighthouse', '']);
  await prefixed.embedQuery('where is the lighthouse');
  await prefixed.raw.embed(['as the client sent it']);
  // An empty document stays empty (the zero vector): a prefix alone is no text.
  assert.deepEqual(model.given, [`${document}a lighthouse`, '', `${query}where is the lighthouse`, 'as the client sent it']);

  assert.throws(
    () => new PrefixedEmbedder(new BagOfWordsModel(64, 'bag', { documentPrefix: 'word '.repeat(1000) })),
    (error: unknown) => error instanceof CairnError && error.code === 'embedder-bad-spec' && /no room/.test(error.message),
  );
});

test('a GGUF file of the catalog gets its prefixes by file name; prefixes the user gives win; other files and servers get none', () => {
  const catalog = loadCatalog();
  const nomic = { type: 'gguf' as const, modelPath: join('/models', 'nomic-embed-text-v1.5.Q8_0.gguf') };
  assert.deepEqual(catalog.withPrefixes(nomic), { ...nomic, queryPrefix: query, documentPrefix: document });
  const upper = { type: 'gguf' as const, modelPath: join('/models', 'NOMIC-EMBED-TEXT-V1.5.Q8_0.GGUF') };
  assert.deepEqual(catalog.withPrefixes(upper), { ...upper, queryPrefix: query, documentPrefix: document }, 'file names compare as on macOS and Windows');
  const bge = { type: 'gguf' as const, modelPath: join('/models', 'bge-small-en-v1.5-q8_0.gguf'), threads: 2 };
  assert.deepEqual(catalog.withPrefixes(bge), { ...bge, queryPrefix: 'Represent this sentence for searching relevant passages: ' });

  assert.deepEqual(catalog.withPrefixes({ ...nomic, queryPrefix: '' }), { ...nomic, queryPrefix: '', documentPrefix: document }, "'' says none");
  assert.deepEqual(catalog.withPrefixes({ ...nomic, documentPrefix: 'passage: ' }), { ...nomic, queryPrefix: query, documentPrefix: 'passage: ' });

  const m3 = { type: 'gguf' as const, modelPath: join('/models', 'bge-m3-Q8_0.gguf') };
  assert.deepEqual(catalog.withPrefixes(m3), m3, 'a catalog model that wants none');
  const unknown = { type: 'gguf' as const, modelPath: join('/models', 'my-embedder.gguf') };
  assert.deepEqual(catalog.withPrefixes(unknown), unknown);
  const chat = { type: 'gguf' as const, modelPath: join('/models', 'Qwen3-4B-Q4_K_M.gguf') };
  assert.deepEqual(catalog.withPrefixes(chat), chat);
  const remote = { type: 'openai' as const, baseUrl: 'http://127.0.0.1:8080/v1', model: 'nomic-embed-text-v1.5' };
  assert.deepEqual(catalog.withPrefixes(remote), remote, 'a server names its model as it likes: no guessing');
});

test('a catalog GGUF picks its prefixes up when chosen; a library set up before prefixes re-embeds with them, searching its old vectors meanwhile', async (t) => {
  const stories = requireShared(t, join(modelsDir, 'stories260K.gguf'));
  if (stories === null) return;
  // The tiny test model under the name of a catalog model: the file name is what picks its prefixes.
  const modelPath = join(tempDir(), 'nomic-embed-text-v1.5.Q8_0.gguf');
  copyFileSync(stories, modelPath);
  const spec = { type: 'gguf' as const, modelPath, threads: 1, gpu: false as const };
  const dbPath = join(tempDir(), 'library.db');
  const oldKey = 'gguf:nomic-embed-text-v1.5.Q8_0.gguf:1185376';

  let engine = await Engine.open({ dbPath });
  try {
    engine.add([writeCorpus(3)]);
    // The vectors a Cairn without prefixes made: the same file, asked with none.
    await engine.setEmbedder({ ...spec, queryPrefix: '', documentPrefix: '' });
    await engine.index();
    assert.deepEqual(engine.status().embeddingModels.map((m) => [m.key, m.state]), [[oldKey, 'active']]);
    // Its setting as that Cairn wrote it: no prefixes named.
    engine.library.settings.set('embedder', spec);
  } finally {
    await engine.close();
  }

  engine = await Engine.open({ dbPath });
  try {
    const current = engine.currentEmbedder();
    assert.ok('key' in current, 'the embedder opened');
    assert.deepEqual(current.prefixes, { query, document });
    assert.deepEqual(current.spec, { ...spec, queryPrefix: query, documentPrefix: document }, 'its spec records them');
    assert.notEqual(current.key, oldKey);
    const status = engine.status();
    assert.equal(status.reembed?.replacing, true, 'the old vectors are replaced in the background');
    const meanwhile = await engine.search({ query: 'marker1', mode: 'vector', k: 3 });
    assert.equal(meanwhile.mode, 'vector', meanwhile.notice ?? '');
    assert.ok(meanwhile.hits.length > 0);

    await engine.index();
    assert.deepEqual(engine.status().embeddingModels.map((m) => [m.key, m.state, m.vectors]), [[current.key, 'active', status.chunks]]);

    // Chosen again by hand, the same file brings the same prefixes: nothing more to embed.
    await engine.setEmbedder(spec);
    assert.equal(engine.status().embedder, current.key);
    assert.equal(engine.reembedStatus(), null);
  } finally {
    await engine.close();
  }
});

test('web pages are ranked as documents against the question as a query', async () => {
  const model = new RecordingModel(384, 'bag', { queryPrefix: query, documentPrefix: document });
  const pages = [{ url: 'https://a.example/ferries', title: 'Ferries', sections: [{ text: `Ferries cross the Tagus. ${paragraph(1, 60)}`, headingPath: [] }] }];
  const ranked = await rankChunks('Ferries on the Tagus', pages, { embedder: new PrefixedEmbedder(model) });
  assert.ok(ranked.length > 0);
  assert.deepEqual(model.given.filter((text) => text.startsWith(query)), [`${query}Ferries on the Tagus`]);
  assert.deepEqual(model.given.filter((text) => !text.startsWith(query) && !text.startsWith(document)), [], 'each chunk with the document prefix');
});

test('/v1/embeddings embeds the client\'s text as given, without prefixes', async () => {
  const model = new RecordingModel(384, 'bag', { queryPrefix: query, documentPrefix: document });
  const api = await startHarness({ chatModel: null, embedder: new PrefixedEmbedder(model) });
  try {
    model.given.length = 0;
    const response = await api.post('/v1/embeddings', { model: 'cairn', input: ['search_query: thirty days notice', 'the Lisbon trams'] });
    assert.equal(response.status, 200);
    assert.deepEqual(model.given, ['search_query: thirty days notice', 'the Lisbon trams']);
  } finally {
    await api.close();
  }
});
