// Retrieval quality metrics as BEIR reports them (pytrec_eval / trec_eval): graded nDCG with a
// log2 discount and linear gain, recall at a cut-off, and reciprocal rank of the first relevant
// document. `ranked` is document ids best first; `relevant` maps judged ids to grades (0 = judged
// not relevant).

export type Judgements = ReadonlyMap<string, number>;

/** Normalised discounted cumulative gain at `k`: DCG of the ranking over DCG of the ideal one. */
export function ndcgAt(ranked: readonly string[], relevant: Judgements, k: number): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    dcg += (relevant.get(id) ?? 0) / Math.log2(i + 2);
  });
  const ideal = [...relevant.values()].filter((g) => g > 0).sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((sum, grade, i) => sum + grade / Math.log2(i + 2), 0);
  return idcg > 0 ? dcg / idcg : 0;
}

/** Share of the relevant documents (grade > 0) found in the first `k`. */
export function recallAt(ranked: readonly string[], relevant: Judgements, k: number): number {
  const wanted = [...relevant].filter(([, g]) => g > 0).map(([id]) => id);
  if (wanted.length === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  return wanted.filter((id) => top.has(id)).length / wanted.length;
}

/** 1 / rank of the first relevant document within the first `k`, else 0. */
export function reciprocalRankAt(ranked: readonly string[], relevant: Judgements, k: number): number {
  const at = ranked.slice(0, k).findIndex((id) => (relevant.get(id) ?? 0) > 0);
  return at < 0 ? 0 : 1 / (at + 1);
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

/** Ids in order of first appearance: a document ranks where its best chunk ranks. */
export function firstOccurrences(ids: Iterable<string>): string[] {
  return [...new Set(ids)];
}
