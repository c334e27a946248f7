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
    for (const chunkId of ids) this.store.put(chunkId, this.topics.embed(this.topics.near(centre, 0.5)));
    this.count += ids.length;
    return ids.length;
  }

  /**
   * The exact `k` nearest chunks to each query by cosine (all vectors are unit length: dot
   * product), every stored vector read once.
   */
  exactNearest(queries: Float32Array[], k: number): number[][] {
    const best = queries.map(() => [] as { id: number; score: number }[]);
    const rows = this.library.db.prepare(`SELECT chunk_id, embedding FROM vectors_${this.store.model.id}`).raw().iterate() as Iterable<[number, Buffer]>;
    const vector = new Float32Array(BENCH_DIMENSIONS);
    const bytes = new Uint8Array(vector.buffer);
    for (const [id, blob] of rows) {
      bytes.set(blob);
      queries.forEach((query, q) => {
        const score = dot(vector, query);
        const list = best[q]!;
        if (list.length === k && score <= list[k - 1]!.score) return;
        let at = list.length;
        while (at > 0 && list[at - 1]!.score < score) at--;
        list.splice(at, 0, { id, score });
        if (list.length > k) list.pop();
      });
    }
    return best.map((list) => list.map((e) => e.id));
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += a[d]! * b[d]!;
  return sum;
}
