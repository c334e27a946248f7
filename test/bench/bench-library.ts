// A search-bench library written straight through the store (no extraction, no embedding): the
// real-text corpus (corpus.ts) in chunks of about 100 words, each document's chunks with 384-d
// vectors near the document's point, itself near one of the topic centres (see ClusteredVectors).
// Grows in big transactions.
import { approximateTokens } from '../../app/chunk/index.ts';
import { analyze } from '../../app/search/index.ts';
import type { Library, VectorStore } from '../../app/store/index.ts';
import { corpusChunks, corpusDocuments, type CorpusChunks } from './corpus.ts';
import type { ClusteredVectors } from './synthetic.ts';

export const BENCH_DIMENSIONS = 384;
/** Chunks written a transaction. */
const TRANSACTION_CHUNKS = 10_000;

export class BenchLibrary {
  library: Library;
  store: VectorStore;
  private readonly topics: ClusteredVectors;
  private readonly chunks: Generator<CorpusChunks>;
  private readonly sourceId: number;
  private count = 0;
  private documents = 0;
  /** Queries whose exact nearest are kept up to date as vectors are made (see track). */
  private tracked: { query: Float32Array; best: { id: number; score: number }[] }[] = [];
  private trackedK = 0;

  constructor(library: Library, topics: ClusteredVectors) {
    this.library = library;
    this.topics = topics;
    this.chunks = corpusChunks(corpusDocuments());
    this.sourceId = library.sources.ensure('import', '/bench', 'bench').id;
    const model = library.models.register('bench:384', { type: 'bench', dimensions: BENCH_DIMENSIONS }, BENCH_DIMENSIONS, 'active');
    this.store = library.models.store(model);
  }

  get size(): number {
    return this.count;
  }

  /** Continues with the same library opened again (by another Library object). */
  reopened(library: Library): void {
    this.library = library;
    this.store = library.models.store(library.models.byState('active')!);
  }

  /**
   * Keeps the exact `k` nearest chunks to each query by cosine over the float vectors as they are
   * made (the library stores them as int8): ground truth for recall without holding the vectors.
   * Call before growing the library.
   */
  track(queries: Float32Array[], k: number): void {
    if (this.count > 0) throw new Error('track queries before adding chunks');
    this.tracked = queries.map((query) => ({ query, best: [] }));
    this.trackedK = k;
  }

  /** The exact nearest chunks (best first) to each tracked query, as of now. */
  exactNearest(): number[][] {
    return this.tracked.map(({ best }) => best.map((e) => e.id));
  }

  /** Adds documents until the library holds at least `chunks` chunks. */
  growTo(chunks: number): void {
    while (this.count < chunks) {
      this.library.transaction(() => {
        for (let written = 0; written < TRANSACTION_CHUNKS && this.count < chunks; ) written += this.addDocument();
      });
    }
  }

  private addDocument(): number {
    const { key, document, chunks } = this.chunks.next().value as CorpusChunks;
    const n = this.documents++;
    const path = `/bench/${document.origin}/${key}`;
    const id = this.library.documents.upsert({
      sourceId: this.sourceId, parentId: null, uri: path, path, kind: document.kind, title: document.title, mime: null,
      size: document.text.length, mtime: n, contentHash: `bench-${key}`, status: 'indexed', errorCode: null, reason: null,
      metadata: {}, date: n, sender: document.sender, recipients: null,
    });
    const ftsTitle = analyze(`${document.title} ${document.sender ?? ''}`);
    const ids = this.library.documents.insertChunks(id, chunks.map((text: string) => ({
      text, start: 0, end: text.length, page: null, headingPath: [], tokenCount: approximateTokens(text), ftsTitle, ftsBody: analyze(text),
    })));
    const centre = this.topics.topicPoint(1);
    for (const chunkId of ids) {
      const vector = this.topics.embed(this.topics.near(centre, 0.5));
      this.store.put(chunkId, vector);
      this.rank(chunkId, vector);
    }
    this.count += ids.length;
    return ids.length;
  }

  /** Puts a new vector into each tracked query's exact nearest (all vectors are unit length: dot product). */
  private rank(id: number, vector: Float32Array): void {
    const k = this.trackedK;
    for (const { query, best } of this.tracked) {
      const score = dot(vector, query);
      if (best.length === k && score <= best[k - 1]!.score) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!.score < score) at--;
      best.splice(at, 0, { id, score });
      if (best.length > k) best.pop();
    }
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += a[d]! * b[d]!;
  return sum;
}
