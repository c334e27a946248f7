// GgufEmbedder against the shared tiny GGUF models: plumbing only (their vectors carry no meaning).
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { CairnError } from '../../app/contract/index.ts';
import { GgufEmbedder, openEmbedder, PrefixedEmbedder, type Embedder, type EmbeddingBackend } from '../../app/embed/index.ts';
import { Engine } from '../../app/engine.ts';
import { paragraph, tempDir, writeCorpus } from '../support/corpus.ts';
import { modelsDir, requireShared } from '../support/shared.ts';

const storiesPath = join(modelsDir, 'stories260K.gguf');
const tinyRandomPath = join(modelsDir, 'llama-2-tiny-random.gguf');

function norm(v: Float32Array): number {
  return Math.hypot(...v);
}

describe('GgufEmbedder with stories260K', () => {
  let embedder: Embedder | undefined;

  before(async () => {
    // A missing model is reported by each test (requireShared); a model that fails to open fails them all here.
    // threads: 1 because more threads spin-wait and crawl on a busy CI machine.
    if (existsSync(storiesPath)) embedder = await openEmbedder({ type: 'gguf', modelPath: storiesPath, threads: 1, gpu: false });
  });
  after(() => embedder?.close());

  function opened(t: TestContext): Embedder | null {
    if (requireShared(t, storiesPath) === null) return null;
    assert.ok(embedder, 'the embedder should have opened');
    return embedder;
  }

  test('describes the model', (t) => {
    const e = opened(t);
    if (!e) return;
    assert.equal(e.dimensions, 64);
    assert.equal(e.key, 'gguf:stories260K.gguf:1185376');
    assert.deepEqual(e.spec, { type: 'gguf', modelPath: storiesPath, threads: 1, gpu: false });
    // Default context 512, less the BOS token and the one slot node-llama-cpp keeps free.
    assert.equal(e.maxTokens, 510);
  });

  test('returns unit vectors, deterministically', async (t) => {
    const e = opened(t);
    if (!e) return;
    const [a1, a2, b] = await e.embed(['Lily saw a big red ball.', 'Lily saw a big red ball.', 'The cat sat on the mat.']);
    assert.ok(a1 && a2 && b);
    assert.equal(a1.length, 64);
    assert.ok(Math.abs(norm(a1) - 1) < 1e-5, `norm ${norm(a1)}`);
    assert.ok(Math.abs(norm(b) - 1) < 1e-5, `norm ${norm(b)}`);
    assert.deepEqual(a2, a1);
    assert.notDeepEqual(b, a1);
  });

  test('a batch gives the same vectors as one text at a time', async (t) => {
    const e = opened(t);
    if (!e) return;
    const texts = ['Once upon a time there was a girl.', 'She liked to play in the park.'];
    const batch = await e.embed(texts);
    const single = [...(await e.embed([texts[0]!])), ...(await e.embed([texts[1]!]))];
    assert.deepEqual(batch, single);
  });

  test('truncates a text longer than the context instead of failing', async (t) => {
    const e = opened(t);
    if (!e) return;
    const words = Array.from({ length: 10_000 }, (_, i) => `word${i % 97}`).join(' ');
    assert.ok(e.countTokens(words) > e.maxTokens);
    const [v] = await e.embed([words]);
    assert.ok(v);
    assert.ok(Math.abs(norm(v) - 1) < 1e-5);
  });

  test('counts tokens with the model tokenizer', (t) => {
    const e = opened(t);
    if (!e) return;
    const short = e.countTokens('Lily went to the park.');
    assert.ok(short > 0);
    assert.ok(e.countTokens('Lily went to the park. Then she went home and had a nap.') > short);
    assert.equal(e.countTokens(''), 0);
  });

  test('an empty text gets the zero vector', async (t) => {
    const e = opened(t);
    if (!e) return;
    const [empty, text] = await e.embed(['', 'Lily']);
    assert.deepEqual(empty, new Float32Array(64));
    assert.ok(text && Math.abs(norm(text) - 1) < 1e-5);
  });

  test('stops between texts when the signal is aborted', async (t) => {
    const e = opened(t);
    if (!e) return;
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(e.embed(['a', 'b'], controller.signal), { name: 'AbortError' });
  });
});

test('maxTokens is what the model runs at: asking for more context than it has cannot raise it, and every token of it is used', async (t) => {
  if (requireShared(t, storiesPath) === null) return;
  // stories260K's GGUF says 2048 tokens of context; 8192 is asked for (as a catalog that trusted a
  // model card over the runtime would).
  const e = await openEmbedder({ type: 'gguf', modelPath: storiesPath, threads: 1, gpu: false, contextSize: 8192 });
  try {
    assert.equal(e.maxTokens, 2048 - 2, 'the context, less the BOS token and the slot node-llama-cpp keeps free');
    const words = Array.from({ length: 4000 }, (_, i) => `w${i}`).join(' ');
    const tokens = e.countTokens(words);
    assert.ok(tokens > e.maxTokens);
    // Texts cut to maxTokens - 1, maxTokens and beyond: the last token counts, nothing after it does.
    const cut = (n: number) => words.slice(0, words.split(' ').slice(0, n).join(' ').length);
    let n = 1;
    while (e.countTokens(cut(n + 1)) <= e.maxTokens) n++;
    const [whole, shorter, longer] = await e.embed([cut(n), cut(n - 1), words]);
    assert.equal(e.countTokens(cut(n)), e.maxTokens, 'a text of exactly maxTokens tokens');
    assert.notDeepEqual(whole, shorter, 'its last token is embedded');
    assert.deepEqual(longer, whole, 'a longer text is cut at maxTokens, without an error');
  } finally {
    await e.close();
  }
});

test('indexing chunks to what the embedder takes, its document prefix included: no text the model is given is cut', async (t) => {
  if (requireShared(t, storiesPath) === null) return;
  // A context far below the pipeline's chunk size (384 tokens): maxTokens must win.
  const inner = await GgufEmbedder.open({ type: 'gguf', modelPath: storiesPath, threads: 1, gpu: false, contextSize: 64, documentPrefix: 'search_document: ' });
  const given: string[] = [];
  const recording: EmbeddingBackend = {
    key: inner.key, spec: inner.spec, dimensions: inner.dimensions, maxTokens: inner.maxTokens,
    countTokens: (text) => inner.countTokens(text),
    embed: (texts, signal) => {
      given.push(...texts);
      return inner.embed(texts, signal);
    },
    close: () => inner.close(),
  };
  const embedder = new PrefixedEmbedder(recording);
  const prefixTokens = inner.countTokens('search_document: ');
  assert.ok(prefixTokens > 1, `the prefix is ${prefixTokens} tokens`);
  assert.equal(embedder.maxTokens, inner.maxTokens - prefixTokens, 'chunks leave room for the prefix');
  const dir = writeCorpus(3);
  writeFileSync(join(dir, 'long.md'), `# Long\n\n${paragraph(7, 600)}\n`);
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder });
  try {
    engine.add([dir]);
    await engine.index();
    assert.ok(given.length > 10, `${given.length} chunks embedded`);
    assert.deepEqual(given.filter((text) => !text.startsWith('search_document: ')), [], 'each with its prefix');
    const over = given.filter((text) => inner.countTokens(text) > inner.maxTokens);
    assert.deepEqual(over.map((text) => inner.countTokens(text)), [], `every chunk, prefix included, within ${inner.maxTokens} tokens`);
  } finally {
    await engine.close();
  }
});

test('llama-2-tiny-random: dimension 8, opens and closes', async (t) => {
  if (requireShared(t, tinyRandomPath) === null) return;
  const e = await openEmbedder({ type: 'gguf', modelPath: tinyRandomPath, threads: 1, gpu: false, contextSize: 64 });
  try {
    assert.equal(e.dimensions, 8);
    assert.equal(e.key, 'gguf:llama-2-tiny-random.gguf:1750560');
    const [v] = await e.embed(['hello world']);
    assert.ok(v);
    assert.equal(v.length, 8);
    assert.ok(Math.abs(norm(v) - 1) < 1e-5);
  } finally {
    await e.close();
  }
  await assert.rejects(e.embed(['after close']), (error: unknown) => error instanceof CairnError && error.code === 'embedder-closed');
});

test('a missing model file is a CairnError', async () => {
  await assert.rejects(
    openEmbedder({ type: 'gguf', modelPath: join(modelsDir, 'no-such-model.gguf'), threads: 1 }),
    (error: unknown) => error instanceof CairnError && error.code === 'embedder-model-missing',
  );
});

test('an invalid spec is refused before anything loads', async () => {
  await assert.rejects(
    openEmbedder({ type: 'gguf', modelPath: '', threads: 0 }),
    (error: unknown) => error instanceof CairnError && error.code === 'embedder-bad-spec',
  );
});
