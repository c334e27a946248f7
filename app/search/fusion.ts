// Weighted reciprocal rank fusion: each retriever votes weight / (K + rank) for what it found,
// so a chunk ranked well by both keyword and vector search rises above one found by either.
// K = 60 is the constant from the original RRF paper (Cormack et al., 2009).

export const RRF_K = 60;

export interface Fused {
  id: number;
  score: number;
  /** 1-based rank in each list that had this id. */
  ranks: Record<string, number>;
}

export function fuse(lists: Record<string, number[]>, weights: Record<string, number>, k = RRF_K): Fused[] {
  const byId = new Map<number, Fused>();
  for (const [name, ids] of Object.entries(lists)) {
    const weight = weights[name] ?? 1;
    ids.forEach((id, index) => {
      const entry = byId.get(id) ?? { id, score: 0, ranks: {} };
      entry.score += weight / (k + index + 1);
      entry.ranks[name] = index + 1;
      byId.set(id, entry);
    });
  }
  return [...byId.values()].sort((a, b) => b.score - a.score || a.id - b.id);
}
