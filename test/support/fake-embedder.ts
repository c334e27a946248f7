// A deterministic embedder for tests only: words hashed into buckets (a bag of words), so texts
// that share words are near each other. Never used outside tests: the product has no fake vectors.
import { PrefixedEmbedder, type EmbedderSpec, type EmbeddingBackend } from '../../app/embed/index.ts';
import { approximateTokens } from '../../app/chunk/index.ts';

/** The bag-of-words model: texts embedded exactly as given (prefixes, if its spec names any, come from PrefixedEmbedder). */
export class BagOfWordsModel implements EmbeddingBackend {
  readonly key: string;
  readonly spec: EmbedderSpec;
  readonly dimensions: number;
  readonly maxTokens = 512;
  calls = 0;
  embedded = 0;

  constructor(dimensions = 384, name = 'fake', prefixes: { queryPrefix?: string; documentPrefix?: string } = {}) {
    this.dimensions = dimensions;
    this.key = `test:${name}:${dimensions}`;
    this.spec = { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: `${name}-${dimensions}`, ...prefixes };
  }

  countTokens(text: string): number {
    return approximateTokens(text);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    this.calls++;
    this.embedded += texts.length;
    return texts.map((text) => bagOfWords(text, this.dimensions));
  }

  async close(): Promise<void> {}
}

/** The bag-of-words model as an Embedder, with no prefixes; counts what it embeds (queries too). */
export class FakeEmbedder extends PrefixedEmbedder {
  readonly model: BagOfWordsModel;

  constructor(dimensions = 384, name = 'fake') {
    const model = new BagOfWordsModel(dimensions, name);
    super(model);
    this.model = model;
  }

  /** Calls to the model so far (each embed and embedQuery is one). */
  get calls(): number {
    return this.model.calls;
  }

  /** Texts embedded so far. */
  get embedded(): number {
    return this.model.embedded;
  }

  vector(text: string): Float32Array {
    return bagOfWords(text, this.dimensions);
  }
}

function bagOfWords(text: string, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    v[(h >>> 0) % dimensions]! += 1;
    v[((h >>> 0) >> 3) % dimensions]! += (h & 1 ? 0.5 : -0.5);
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= Math.sqrt(norm);
  return v;
}
