// Retrieval for an answer: hybrid search within the conversation's scope, then a relevance cut
// so that hits unrelated to the question are not passed to the model. A keyword hit must hold at
// least half as many of the question's key terms as the best hit does (one shared common word is
// not enough when others share three); any other hit must be similar enough in meaning (vector
// search always returns its nearest neighbours, however far).
import { keyTerms } from './key-terms.ts';
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
  /** Keywords against meaning: 0 keywords only, 1 meaning only; default 0.5 (both alike). */
  meaningWeight?: number;
}

/** The search a weight between keywords (0) and meaning (1) asks for. */
export function weightedSearch(meaningWeight = 0.5): Pick<SearchRequest, 'mode' | 'weights'> {
  if (meaningWeight <= 0) return { mode: 'bm25' };
  if (meaningWeight >= 1) return { mode: 'vector' };
  return { mode: 'hybrid', weights: { bm25: 2 * (1 - meaningWeight), vector: 2 * meaningWeight } };
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

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * How many of the terms the text holds. Forgiving about English endings, as FTS5's stemmer is:
 * a word matches a term when they share its first letters (all but the last three, at least four).
 */
export function termCoverage(terms: string[], text: string): number {
  const folded = fold(text);
  const words = new Set(folded.match(/[\p{L}\p{N}]+/gu) ?? []);
  let found = 0;
  for (const raw of terms) {
    const term = fold(raw);
    if (CJK.test(term)) {
      if (folded.includes(term)) found++;
      continue;
    }
    const stem = term.length <= 4 ? term : term.slice(0, Math.max(4, term.length - 3));
    for (const word of words) {
      if (term.length <= 4 ? word === term : word.startsWith(stem)) {
        found++;
        break;
      }
    }
  }
  return found;
}

export async function retrieve(search: SearchFunction, input: RetrievalInput): Promise<Retrieved> {
  if (input.scope.type === 'none') return { hits: [], notice: null, dropped: 0 };
  const filters = scopedFilters(input.scope, input.filters);
  const response = await search({ query: input.query, k: input.k, ...weightedSearch(input.meaningWeight), filters });
  const terms = keyTerms(input.query);
  const coverage = new Map(response.hits.map((h) => [h.chunkId, h.ranks.bm25 === undefined ? 0 : termCoverage(terms, `${h.title} ${h.text}`)]));
  const best = Math.max(0, ...coverage.values());
  // best 0: FTS5's stemmer matched words this simple matcher does not see; trust it.
  const keywordRelevant = (h: SearchHit) => h.ranks.bm25 !== undefined && (best === 0 || coverage.get(h.chunkId)! >= Math.ceil(best / 2));
  const others = response.hits.filter((h) => !keywordRelevant(h));
  // Fused scores say nothing about absolute relevance: the cosine similarity does. Hybrid search
  // reports it on the hits its vector side found; a search that does not is asked in vector mode,
  // which reports it as the score (same depth as hybrid search's vector side, so every hit that
  // side found is among them).
  let similarity = new Map(response.hits.flatMap((h) => (h.similarity === undefined ? [] : [[h.chunkId, h.similarity] as const])));
  if (others.some((h) => h.ranks.vector !== undefined && h.similarity === undefined) && response.mode !== 'bm25') {
    const vector = await search({ query: input.query, k: Math.max(input.k * 3, 50), mode: 'vector', filters, snippets: 0 });
    similarity = new Map(vector.mode === 'vector' ? vector.hits.map((h) => [h.chunkId, h.score]) : []);
  }
  const hits = response.hits.filter((h) => keywordRelevant(h) || (similarity.get(h.chunkId) ?? -Infinity) >= input.minSimilarity);
  return { hits, notice: response.notice, dropped: response.hits.length - hits.length };
}
