// Where a hybrid search spends its time: the stages HybridSearch and VectorStore run, timed one
// by one with the same SQL and the same sizes (k = 10: 50 candidates a retriever, 400 bit-KNN
// candidates), so a slow p95 can be pinned on FTS5, the bit KNN, the exact re-rank, hydration
// or snippets.
import { fuse, makeSnippet, matchExpression, queryTerms } from '../../app/search/index.ts';
import type { Library, VectorStore } from '../../app/store/index.ts';
import { percentile } from './report.ts';

export const STAGES = ['active model lookup', 'FTS5 BM25 (50)', 'bit KNN (400)', 'exact re-rank', 'fusion', 'hydrate hits', 'snippets'] as const;
type Stage = (typeof STAGES)[number];

export function profileHybrid(library: Library, store: VectorStore, queries: { text: string; vector: Float32Array }[]): Map<Stage, { p50: number; p95: number }> {
  const samples = new Map<Stage, number[]>(STAGES.map((s) => [s, []]));
  const time = <T>(stage: Stage, fn: () => T): T => {
    const started = performance.now();
    const result = fn();
    samples.get(stage)!.push(performance.now() - started);
    return result;
  };
  const id = store.model.id;
  const k = 10;
  const depth = 50;
  const oversample = Math.max(depth * 8, 200);
  const knn = library.db.prepare(`SELECT rowid AS id FROM vector_bits_${id} WHERE embedding MATCH vec_quantize_binary(?) AND k = ?`);
  for (const { text, vector } of queries) {
    // What the engine's VectorSource does on every search.
    time('active model lookup', () => library.models.store(library.models.byState('active')!));
    const match = matchExpression(text);
    const bm25 = time('FTS5 BM25 (50)', () => (match ? library.retrieval.fullText(match, depth, 2) : []));
    const blob = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
    const candidates = time('bit KNN (400)', () => knn.all(blob, oversample) as { id: number | bigint }[]);
    const nearest = time('exact re-rank', () => {
      const ids = candidates.map((c) => Number(c.id));
      const rows = library.db
        .prepare(`SELECT chunk_id, embedding FROM vectors_${id} WHERE chunk_id IN (${ids.map(() => '?').join(',')})`)
        .all(...ids) as { chunk_id: number; embedding: Buffer }[];
      return rows
        .map((row) => {
          const v = new Float32Array(new Uint8Array(row.embedding).buffer);
          let dot = 0;
          for (let i = 0; i < v.length; i++) dot += v[i]! * vector[i]!;
          return { chunkId: row.chunk_id, distance: 1 - dot };
        })
        .sort((a, b) => a.distance - b.distance)
        .slice(0, depth);
    });
    const top = time('fusion', () => fuse({ bm25: bm25.map((r) => r.chunkId), vector: nearest.map((r) => r.chunkId) }, { bm25: 1, vector: 1 }).slice(0, k));
    const rows = time('hydrate hits', () => library.retrieval.hits(top.map((t) => t.id)));
    time('snippets', () => {
      const terms = queryTerms(text);
      for (const row of rows.values()) makeSnippet(row.text, terms);
    });
  }
  return new Map(STAGES.map((s) => [s, { p50: percentile(samples.get(s)!, 50), p95: percentile(samples.get(s)!, 95) }]));
}
