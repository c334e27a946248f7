// Hybrid retrieval: BM25 over FTS5 and KNN over the active embedding model's vectors, fused by
// weighted reciprocal rank fusion, with filters, snippets and a plain word on how it ran.
import {
  CairnError,
  SearchRequest,
  type SearchHit,
  type SearchMode,
  type SearchRequestParsed,
  type SearchResponse,
} from '../contract/index.ts';
import { filterCondition, type Library, type SqlCondition, type VectorStore } from '../store/index.ts';
import { orExpression, searchQuery } from './analyze.ts';
import { CommonTermFilter } from './common-terms.ts';
import { fuse } from './fusion.ts';
import { KeywordSearch, type KeywordHit } from './keyword-search.ts';
import { makeSnippet } from './snippet.ts';

/** What vector search needs: the active model's vectors and a way to embed the query with it. */
export interface QueryVectors {
  store: VectorStore;
  embedQuery(text: string): Promise<Float32Array>;
}

/** Vectors to search, or the reason there are none (shown to the user). */
export type VectorSource = () => Promise<QueryVectors | { unavailable: string }>;

export interface HybridSearchOptions {
  /** How much more a title match counts than a body match in BM25. */
  titleWeight?: number;
  /** Default fusion weights, per request overridable. */
  weights?: { bm25: number; vector: number };
}

const RECENT_QUERIES = 16;

export class HybridSearch {
  private readonly library: Library;
  private readonly vectors: VectorSource;
  private readonly titleWeight: number;
  private readonly weights: { bm25: number; vector: number };
  private readonly commonTerms: CommonTermFilter;
  private readonly keywords: KeywordSearch;
  /** Vectors of the last few queries, by model and text (see queryVector). */
  private readonly recentVectors = new Map<string, Promise<Float32Array>>();

  constructor(library: Library, vectors: VectorSource, options: HybridSearchOptions = {}) {
    this.library = library;
    this.vectors = vectors;
    this.titleWeight = options.titleWeight ?? 2;
    this.weights = options.weights ?? { bm25: 1, vector: 1 };
    this.commonTerms = new CommonTermFilter(library);
    this.keywords = new KeywordSearch(library);
  }

  /**
   * The best `k` chunks by BM25: from the keyword index where it can rank exactly, else from
   * FTS5 (with the common-word cut both apply).
   */
  private keywordHits(terms: string[], k: number, where?: SqlCondition): KeywordHit[] {
    const allowed = where && this.library.retrieval.chunkIdsWhere(where);
    const hits = this.keywords.search(terms, k, this.titleWeight, allowed);
    if (hits) return hits;
    const match = orExpression(this.commonTerms.selective(terms));
    // FTS5's bm25() is lower-is-better; reported the usual way round.
    return match ? this.library.retrieval.fullText(match, k, this.titleWeight, where).map((r) => ({ chunkId: r.chunkId, score: -r.score })) : [];
  }

  /**
   * A query's vector, remembered for the last RECENT_QUERIES queries: answering a question
   * searches more than once with the same text (hybrid, then the relevance cut), and embedding
   * the query is the slowest step of a search with a local model.
   */
  private queryVector(source: QueryVectors, text: string): Promise<Float32Array> {
    const key = `${source.store.model.key}\n${text}`;
    let vector = this.recentVectors.get(key);
    if (vector) {
      this.recentVectors.delete(key); // re-inserted below: the most recent last
    } else {
      vector = source.embedQuery(text);
      vector.catch(() => this.recentVectors.delete(key));
    }
    this.recentVectors.set(key, vector);
    if (this.recentVectors.size > RECENT_QUERIES) this.recentVectors.delete(this.recentVectors.keys().next().value!);
    return vector;
  }

  async search(input: SearchRequest): Promise<SearchResponse> {
    const parsed = SearchRequest.safeParse(input);
    if (!parsed.success) throw new CairnError('bad-request', `Invalid search: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const request: SearchRequestParsed = parsed.data;
    const where = filterCondition(request.filters);
    const depth = request.mode === 'hybrid' ? Math.max(request.k * 3, 50) : request.k;
    const query = searchQuery(request.query);

    let mode: SearchMode = request.mode;
    let notice: string | null = null;
    let vectors: { store: VectorStore; query: Float32Array } | null = null;
    if (mode !== 'bm25') {
      const found = await this.vectors();
      if ('unavailable' in found) {
        notice = `${found.unavailable} Keyword search only.`;
        mode = 'bm25';
      } else if (query.text.trim()) {
        try {
          vectors = { store: found.store, query: await this.queryVector(found, query.text) };
        } catch (error) {
          // A dead embedding server must not take search down: keyword results still answer.
          notice = `Vector search failed (${(error as Error).message}). Keyword search only.`;
          mode = 'bm25';
        }
      }
    }

    const lists: Record<string, number[]> = {};
    const scores = new Map<string, Map<number, number>>();
    if (mode !== 'vector') {
      const rows = this.keywordHits(query.terms, depth, where);
      lists.bm25 = rows.map((r) => r.chunkId);
      scores.set('bm25', new Map(rows.map((r) => [r.chunkId, r.score])));
    }
    if (vectors) {
      const rows = vectors.store.nearest(vectors.query, depth, where && { sql: where.sql, params: where.params });
      lists.vector = rows.map((r) => r.chunkId);
      scores.set('vector', new Map(rows.map((r) => [r.chunkId, 1 - r.distance])));
    }

    const weights = request.weights ?? this.weights;
    const ranked = mode === 'hybrid' ? fuse(lists, weights) : fuse(lists, { [mode]: 1 });
    const top = ranked.slice(0, request.k);
    const rows = this.library.retrieval.hits(top.map((r) => r.id));
    const hits: SearchHit[] = [];
    const snippets = request.snippets ?? top.length;
    for (const entry of top) {
      const row = rows.get(entry.id);
      if (!row) continue;
      const score = mode === 'hybrid' ? entry.score : (scores.get(mode)?.get(entry.id) ?? 0);
      const snippet = hits.length < snippets ? makeSnippet(row.text, query.terms) : { snippet: '', highlights: [] };
      const similarity = scores.get('vector')?.get(entry.id);
      hits.push({ ...row, ...snippet, score, ranks: entry.ranks, ...(similarity === undefined ? {} : { similarity }) });
    }
    return { hits, mode, keywordOnly: mode === 'bm25', notice };
  }
}
