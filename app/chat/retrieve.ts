// Retrieval for an answer: hybrid search within the conversation's scope, then a relevance cut
// so that hits unrelated to the question are not passed to the model. Keyword hits share a key
// term with the query; hits found only by meaning must be similar enough (vector search always
// returns its nearest neighbours, however far).
import type { SearchFilters, SearchHit, SearchRequest, SearchResponse, ConversationScope } from '../contract/index.ts';

export type SearchFunction = (request: SearchRequest) => Promise<SearchResponse>;

export interface RetrievalInput {
  query: string;
  scope: ConversationScope;
  filters: SearchFilters;
  /** Hits wanted at most. */
  k: number;
  /** Least cosine similarity for a hit that keyword search did not find. */
  minSimilarity: number;
}

export interface Retrieved {
  /** Relevant hits, best first. */
  hits: SearchHit[];
  /** How the search ran, for the user (e.g. keyword-only), or null. */
  notice: string | null;
  /** Hits dropped by the relevance cut. */
  dropped: number;
}

/** The search filters for a conversation's scope: chosen sources replace any source filter. */
export function scopedFilters(scope: ConversationScope, filters: SearchFilters): SearchFilters {
  return scope.type === 'sources' ? { ...filters, sourceIds: scope.sourceIds } : filters;
}

export async function retrieve(search: SearchFunction, input: RetrievalInput): Promise<Retrieved> {
  if (input.scope.type === 'none') return { hits: [], notice: null, dropped: 0 };
  const filters = scopedFilters(input.scope, input.filters);
  const response = await search({ query: input.query, k: input.k, mode: 'hybrid', filters });
  const meaningOnly = response.hits.filter((h) => h.ranks.bm25 === undefined);
  let similarity = new Map<number, number>();
  if (meaningOnly.length > 0) {
    // Fused scores say nothing about absolute relevance; vector mode reports the cosine similarity.
    // Same depth as hybrid search's vector side, so every meaning-only hit is among them.
    const vector = await search({ query: input.query, k: Math.max(input.k * 3, 50), mode: 'vector', filters });
    similarity = new Map(vector.mode === 'vector' ? vector.hits.map((h) => [h.chunkId, h.score]) : []);
  }
  const hits = response.hits.filter((h) => h.ranks.bm25 !== undefined || (similarity.get(h.chunkId) ?? -Infinity) >= input.minSimilarity);
  return { hits, notice: response.notice, dropped: response.hits.length - hits.length };
}
