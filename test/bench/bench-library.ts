// A search-bench library written straight through the store (no extraction, no embedding):
// documents of four chunks of SciFact-like text, each chunk with a 384-d vector near its
// document's point, itself near one of the topic centres (see ClusteredVectors). Grows in big
// transactions.
import { approximateTokens } from '../../app/chunk/index.ts';
import { analyze } from '../../app/search/index.ts';
import type { Library, VectorStore } from '../../app/store/index.ts';
import type { ClusteredVectors, TextSource } from './synthetic.ts';

export const BENCH_DIMENSIONS = 384;
const CHUNKS_PER_DOCUMENT = 4;

export class BenchLibrary {
  readonly library: Library;
  readonly store: VectorStore;
  /** Every vector, in chunk order, for the exact (brute-force) KNN that recall is measured against. */
  readonly chunkIds: number[] = [];
  private readonly vectors: Float32Array[] = [];
  private readonly text: TextSource;
  private readonly topics: ClusteredVectors;
  private readonly sourceId: number;
  private documents = 0;

  constructor(library: Library, text: TextSource, topics: ClusteredVectors) {
    this.library = library;
    this.text = text;
    this.topics = topics;
    this.sourceId = library.sources.ensure('import', '/bench', 'bench').id;
    const model = library.models.register('bench:384', { type: 'bench', dimensions: BENCH_DIMENSIONS }, BENCH_DIMENSIONS, 'active');
    this.store = library.models.store(model);
  }

  get size(): number {
    return this.chunkIds.length;
  }

  /** Adds documents until the library holds at least `chunks` chunks. */
  growTo(chunks: number): void {
    while (this.size < chunks) {
      this.library.transaction(() => {
        for (let i = 0; i < 2_000 && this.size < chunks; i++) this.addDocument();
      });
    }
  }

  private addDocument(): void {
    const n = this.documents++;
    const title = this.text.title();
    const path = `/bench/folder${Math.floor(n / 100)}/doc${n}.md`;
    const id = this.library.documents.upsert({
      sourceId: this.sourceId, parentId: null, uri: path, path, kind: 'file', title, mime: 'text/markdown',
      size: 4_000, mtime: n, contentHash: `bench-${n}`, status: 'indexed', errorCode: null, reason: null,
      metadata: {}, date: n, sender: null, recipients: null,
    });
    const ftsTitle = analyze(title);
    const texts = Array.from({ length: CHUNKS_PER_DOCUMENT }, () => this.text.paragraph(600));
    const ids = this.library.documents.insertChunks(id, texts.map((text) => ({
      text, start: 0, end: text.length, page: null, headingPath: [title], tokenCount: approximateTokens(text),
      ftsTitle, ftsBody: analyze(text),
    })));
    const centre = this.topics.topicPoint(1);
    for (const chunkId of ids) {
      const vector = this.topics.embed(this.topics.near(centre, 0.5));
      this.store.put(chunkId, vector);
      this.chunkIds.push(chunkId);
      this.vectors.push(vector);
    }
  }

  /** The exact `k` nearest chunks by cosine (all vectors are unit length: dot product). */
  exactNearest(query: Float32Array, k: number): number[] {
    return topByScore(this.vectors.length, k, (i) => dot(this.vectors[i]!, query)).map((i) => this.chunkIds[i]!);
  }

  /**
   * What the bit index + re-rank would return with `oversample` candidates, computed here in JS:
   * the `oversample` nearest by hamming distance of the sign bits (vec_quantize_binary), then the
   * `k` best of those by exact cosine. Shows what a larger or smaller first pass would buy.
   */
  bitThenExact(query: Float32Array, oversample: number, k: number): number[] {
    const q = signBits(query);
    const candidates = topByScore(this.vectors.length, oversample, (i) => -hamming(this.signs(i), q));
    return candidates
      .map((i) => ({ i, score: dot(this.vectors[i]!, query) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k)
      .map((c) => this.chunkIds[c.i]!);
  }

  private readonly bitCache: Uint32Array[] = [];
  private signs(i: number): Uint32Array {
    return (this.bitCache[i] ??= signBits(this.vectors[i]!));
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += a[d]! * b[d]!;
  return sum;
}

/** Bit d set when component d is positive, as sqlite-vec's vec_quantize_binary does. */
function signBits(v: Float32Array): Uint32Array {
  const out = new Uint32Array(Math.ceil(v.length / 32));
  for (let d = 0; d < v.length; d++) if (v[d]! > 0) out[d >> 5]! |= 1 << (d & 31);
  return out;
}

function hamming(a: Uint32Array, b: Uint32Array): number {
  let sum = 0;
  for (let w = 0; w < a.length; w++) {
    let x = a[w]! ^ b[w]!;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    sum += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return sum;
}

/** Indices 0..n-1 of the `k` highest scores, best first (ties: lower index first). */
function topByScore(n: number, k: number, score: (i: number) => number): number[] {
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) scores[i] = score(i);
  if (n === 0) return [];
  // The k-th best score by a typed-array sort, then only the indices at or above it.
  const threshold = scores.slice().sort()[Math.max(0, n - k)]!;
  const chosen: number[] = [];
  for (let i = 0; i < n; i++) if (scores[i]! >= threshold) chosen.push(i);
  return chosen.sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, k);
}
