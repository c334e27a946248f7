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
import { filterCondition, type Library, type VectorStore } from '../store/index.ts';
import { searchQuery } from './analyze.ts';
import { fuse } from './fusion.ts';
import { KeywordRanking } from './keyword-ranking.ts';
import { KeywordThread, spareCore } from './keyword-thread.ts';
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
  /**
   * Libraries of at least this many chunks rank keywords on a thread of their own while the
   * vectors are searched (see KeywordThread); default KEYWORD_THREAD_FROM. Infinity: never.
   */
  keywordThreadFrom?: number;
  /** Whether the keyword thread may take this search; by default while the machine has a core to spare (spareCore). */
  spareCore?: () => boolean;
  /** Tests only: the keyword thread's entry, instead of ./keyword-worker.ts. */
  keywordWorkerScript?: URL;
  /** Where a failure of the keyword thread is told (once); by default stderr. */
  log?: (message: string) => void;
}

const RECENT_QUERIES = 16;
/**
 * From this many chunks on, the keyword thread pays. It takes a few hundred ms of another core
 * to start and about 0.05 ms a search to hand over its terms and take back the hits, but on a
 * small library the two threads mostly contend for memory bandwidth: measured on a quiet 2-core
 * machine (bench b), hybrid p95 at 100,000 chunks was 4.9 ms on one thread and 7.8 ms with the
 * keyword thread, while at 1,000,000 chunks hybrid p50 went from 13.7 to 9.9 ms with it.
 */
export const KEYWORD_THREAD_FROM = 500_000;

export class HybridSearch {
  private readonly library: Library;
  private readonly vectors: VectorSource;
  private readonly titleWeight: number;
  private readonly weights: { bm25: number; vector: number };
  private readonly keywords: KeywordRanking;
  /** Vectors of the last few queries, by model and text (see queryVector). */
  private readonly recentVectors = new Map<string, Promise<Float32Array>>();
  private readonly options: HybridSearchOptions;
  private readonly spareCore: () => boolean;
  /** Ranks keywords beside the vector search once started (see keywordThread). */
  private thread: KeywordThread | null = null;
  /** Searches made: a one-shot search (the CLI) never starts the thread. */
  private searches = 0;
  private closed = false;

  constructor(library: Library, vectors: VectorSource, options: HybridSearchOptions = {}) {
    this.library = library;
    this.vectors = vectors;
    this.options = options;
    this.titleWeight = options.titleWeight ?? 2;
    this.weights = options.weights ?? { bm25: 1, vector: 1 };
    this.keywords = new KeywordRanking(library);
    this.spareCore = options.spareCore ?? spareCore;
  }

  /**
   * The keyword thread when it is ready to take this search. It is started, without waiting for
   * it, from the second search on in a library large enough that it pays (and kept for good):
   * searches until it is ready, and all of them after it failed, rank on this thread.
   */
  private keywordThread(): KeywordThread | null {
    if (this.thread) return this.thread.ready ? this.thread : null;
    if (this.closed || this.searches < 2 || this.library.path === ':memory:') return null;
    if (this.library.keywords.totals().chunks < (this.options.keywordThreadFrom ?? KEYWORD_THREAD_FROM)) return null;
    const log = this.options.log ?? ((message: string) => console.error(message));
    this.thread = new KeywordThread(
      this.library.path,
      (reason) => log(`cairn: the keyword search thread stopped (${reason}); keyword search runs on the engine's thread from now on.`),
      this.options.keywordWorkerScript,
    );
    return null;
  }

  /**
   * Settles once the keyword thread is ready (true), or at once with false where there is none
   * (not started yet, failed or closed): for benchmarks and tests, as VectorStore.warmed().
   */
  keywordThreadReady(): Promise<boolean> {
    return this.thread && !this.thread.ended ? this.thread.started : Promise.resolve(false);
  }

  /** Stops the keyword thread (searches go on, on this thread). */
  async close(): Promise<void> {
    this.closed = true;
    await this.thread?.close();
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
    this.searches++;
    // Keywords are ranked on the keyword thread, when there is one and a core for it, while the
    // query is embedded and the vectors searched here (a keyword-only search would only wait for
    // it). Should it fail, they are ranked here after all.
    const thread = request.mode === 'hybrid' && this.spareCore() ? this.keywordThread() : null;
    const ranking = thread?.search(query.terms, depth, this.titleWeight, where).catch(() => null);

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
    const nearest = vectors?.store.nearest(vectors.query, depth, where && { sql: where.sql, params: where.params });
    if (mode !== 'vector') {
      const rows = (await ranking) ?? this.keywords.hits(query.terms, depth, this.titleWeight, where);
      lists.bm25 = rows.map((r) => r.chunkId);
      scores.set('bm25', new Map(rows.map((r) => [r.chunkId, r.score])));
    }
    if (nearest) {
      lists.vector = nearest.map((r) => r.chunkId);
      scores.set('vector', new Map(nearest.map((r) => [r.chunkId, 1 - r.distance])));
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
