// Where a hybrid search spends its time: the stages HybridSearch runs, timed one by one with the
// same calls and sizes (k = 10: 50 candidates a retriever), so a slow p95 can be pinned on the
// keyword index, the vector search (sign scan + exact re-rank), hydration or snippets; FTS5's
// bm25() on the same terms for comparison.
import { CommonTermFilter } from '../../app/search/common-terms.ts';
import { fuse, keywordTerms, makeSnippet, orExpression } from '../../app/search/index.ts';
import { KeywordSearch } from '../../app/search/keyword-search.ts';
import type { Library, VectorStore } from '../../app/store/index.ts';
import { percentile } from './report.ts';

export const STAGES = ['active model lookup', 'keyword index (50)', 'FTS5 bm25() (50)', 'vector (50)', 'fusion', 'hydrate hits', 'snippets'] as const;
type Stage = (typeof STAGES)[number];

export function profileHybrid(library: Library, store: VectorStore, queries: { text: string; vector: Float32Array }[]): Map<Stage, { p50: number; p95: number }> {
  const samples = new Map<Stage, number[]>(STAGES.map((s) => [s, []]));
  const time = <T>(stage: Stage, fn: () => T): T => {
    const started = performance.now();
    const result = fn();
    samples.get(stage)!.push(performance.now() - started);
    return result;
  };
  const k = 10;
  const depth = 50;
  const commonTerms = new CommonTermFilter(library);
  const keywords = new KeywordSearch(library);
  for (const { text, vector } of queries) {
    // What the engine's VectorSource does on every search.
    time('active model lookup', () => library.models.store(library.models.byState('active')!));
    const terms = keywordTerms(text);
    const bm25 = time('keyword index (50)', () => keywords.search(terms, depth, 2) ?? []);
    time('FTS5 bm25() (50)', () => {
      const match = orExpression(commonTerms.selective(terms));
      return match ? library.retrieval.fullText(match, depth, 2) : [];
    });
    const nearest = time('vector (50)', () => store.nearest(vector, depth));
    const top = time('fusion', () => fuse({ bm25: bm25.map((r) => r.chunkId), vector: nearest.map((r) => r.chunkId) }, { bm25: 1, vector: 1 }).slice(0, k));
    const rows = time('hydrate hits', () => library.retrieval.hits(top.map((t) => t.id)));
    time('snippets', () => {
      for (const row of rows.values()) makeSnippet(row.text, terms);
    });
  }
  return new Map(STAGES.map((s) => [s, { p50: percentile(samples.get(s)!, 50), p95: percentile(samples.get(s)!, 95) }]));
}
