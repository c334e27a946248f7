// BM25 top-k for hybrid search, on whichever connection it is given: from the keyword index where
// it can rank exactly, else from FTS5 (with the common-word cut both apply). The engine's thread
// and the keyword thread (keyword-thread.ts) run the same code, so they answer alike.
import type { Library, SqlCondition } from '../store/index.ts';
import { orExpression } from './analyze.ts';
import { CommonTermFilter } from './common-terms.ts';
import { KeywordSearch, type KeywordHit } from './keyword-search.ts';

export class KeywordRanking {
  private readonly library: Library;
  private readonly commonTerms: CommonTermFilter;
  private readonly keywords: KeywordSearch;

  constructor(library: Library) {
    this.library = library;
    this.commonTerms = new CommonTermFilter(library);
    this.keywords = new KeywordSearch(library);
  }

  /** The best `k` chunks for the terms by BM25, among those whose document passes `where`. */
  hits(terms: string[], k: number, titleWeight: number, where?: SqlCondition): KeywordHit[] {
    const allowed = where && this.library.retrieval.allowedChunks(where);
    if (allowed?.count === 0) return [];
    const hits = this.keywords.search(terms, k, titleWeight, allowed ?? undefined);
    if (hits) return hits;
    const match = orExpression(this.commonTerms.selective(terms));
    // FTS5's bm25() is lower-is-better; reported the usual way round.
    return match ? this.library.retrieval.fullText(match, k, titleWeight, where).map((r) => ({ chunkId: r.chunkId, score: -r.score })) : [];
  }
}
