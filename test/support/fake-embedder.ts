// A deterministic embedder for tests only: words hashed into buckets (a bag of words), so texts
// that share words are near each other. Never used outside tests: the product has no fake vectors.
import type { Embedder, EmbedderSpec } from '../../app/embed/index.ts';
import { approximateTokens } from '../../app/chunk/index.ts';

export class FakeEmbedder implements Embedder {
  readonly key: string;
  readonly spec: EmbedderSpec;
  readonly dimensions: number;
  readonly maxTokens = 512;
  calls = 0;
  embedded = 0;

  constructor(dimensions = 384, name = 'fake') {
    this.dimensions = dimensions;
    this.key = `test:${name}:${dimensions}`;
    this.spec = { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: `${name}-${dimensions}` };
  }

  countTokens(text: string): number {
    return approximateTokens(text);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    this.calls++;
    this.embedded += texts.length;
    return texts.map((text) => this.vector(text));
  }

  vector(text: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      let h = 2166136261;
      for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
      v[(h >>> 0) % this.dimensions]! += 1;
      v[((h >>> 0) >> 3) % this.dimensions]! += (h & 1 ? 0.5 : -0.5);
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= Math.sqrt(norm);
    return v;
  }

  async close(): Promise<void> {}
}
