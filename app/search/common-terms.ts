// Keeps BM25 fast on big libraries. FTS5 scores every chunk that matches any query word, and
// bm25() costs about a microsecond per chunk and word: a long question with a word found in half
// the library took 70 ms at 100,000 chunks. Words that common carry little weight in BM25 (their
// IDF is near zero), so they are left out of the query as long as rarer words remain. On SciFact
// this even lifts nDCG@10 slightly (0.6900 → 0.6912); a share of 0.1 costs 0.009, 0.05 costs 0.034.
import type { Library } from '../store/index.ts';
import { termWords } from './analyze.ts';

/** A word found in more than this share of chunks, and in more than MIN_COMMON of them, is left out... */
const COMMON_SHARE = 0.2;
/** (Scoring this many chunks is cheap, and in a small library every word may be "common".) */
const MIN_COMMON = 1_000;
/** ...unless fewer than this many words would remain (then the rarest are kept). */
const MIN_TERMS = 2;

/** The terms worth scoring, in their original order, given how many of `total` chunks hold each. */
export function selectiveTerms<T>(terms: T[], chunksWith: (term: T) => number, total: number): T[] {
  if (terms.length <= MIN_TERMS) return terms;
  const limit = Math.max(total * COMMON_SHARE, MIN_COMMON);
  const rare = terms.filter((term) => chunksWith(term) <= limit);
  if (rare.length >= MIN_TERMS) return rare;
  const rarest = new Set([...terms].sort((a, b) => chunksWith(a) - chunksWith(b)).slice(0, MIN_TERMS));
  return terms.filter((term) => rarest.has(term));
}

export class CommonTermFilter {
  private readonly library: Library;
  /** Chunk counts per word and of the library, valid while the library is unchanged. */
  private counts = new Map<string, number>();
  private total = 0;
  private mark = '';

  constructor(library: Library) {
    this.library = library;
  }

  /** The terms worth scoring, in their original order. */
  selective(terms: string[]): string[] {
    if (terms.length <= MIN_TERMS) return terms;
    this.refresh();
    return selectiveTerms(terms, (term) => this.chunksWith(term), this.total);
  }

  private chunksWith(term: string): number {
    let count = this.counts.get(term);
    if (count === undefined) {
      count = this.library.retrieval.chunksWithTerm(termWords(term));
      this.counts.set(term, count);
    }
    return count;
  }

  private refresh(): void {
    const mark = this.library.retrieval.changeMark();
    if (mark === this.mark) return;
    this.mark = mark;
    this.counts = new Map();
    this.total = this.library.documents.chunkCount();
  }
}
