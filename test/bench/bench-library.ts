// A search-bench library written straight through the store (no extraction, no embedding):
// documents of a few chunks of SciFact-like text, each chunk with a 384-d vector near its
// document's vector, itself near one of many topic centres. Grows in big transactions.
import { approximateTokens } from '../../app/chunk/index.ts';
import { analyze } from '../../app/search/index.ts';
import type { Library, VectorStore } from '../../app/store/index.ts';
import { ClusteredVectors } from './synthetic.ts';
import type { TextSource } from './synthetic.ts';

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
    const centre = this.topics.next();
    for (const chunkId of ids) {
      const vector = this.topics.near(centre, 0.5);
      this.store.put(chunkId, vector);
      this.chunkIds.push(chunkId);
      this.vectors.push(vector);
    }
  }

  /** The exact `k` nearest chunks by cosine (all vectors are unit length: dot product). */
  exactNearest(query: Float32Array, k: number): number[] {
    const best: { id: number; score: number }[] = [];
    for (let i = 0; i < this.vectors.length; i++) {
      const v = this.vectors[i]!;
      let score = 0;
      for (let d = 0; d < v.length; d++) score += v[d]! * query[d]!;
      if (best.length < k || score > best[best.length - 1]!.score) {
        best.push({ id: this.chunkIds[i]!, score });
        best.sort((a, b) => b.score - a.score);
        if (best.length > k) best.pop();
      }
    }
    return best.map((b) => b.id);
  }
}
