// BM25 top-k over the keyword index (app/store/keyword-index.ts): FTS5's bm25() to the bit (same
// tokens, statistics, k1, b, IDF floor, title weighting and order of summation), without FTS5's
// cost of a SQL function call per matching chunk. The query's terms are scored a term at a time
// into an accumulator indexed by chunk id, then the best k are taken.
//
// It answers only where it is exact; otherwise search asks FTS5 (null): while the index has
// queued changes, or when a term is a phrase (several FTS5 tokens, as 2022年 is "2022 年"),
// which needs positions the index does not keep.
import { tokenSequences, type Library } from '../store/index.ts';
import { termWords } from './analyze.ts';
import { selectiveTerms } from './common-terms.ts';

/** FTS5's bm25() constants (fts5_aux.c). */
const K1 = 1.2;
const B = 0.75;
/** Query terms whose FTS5 tokens are remembered (a query's terms are tokenized once). */
const REMEMBERED_TERMS = 10_000;
/** Chunk ids the accumulator covers at most; a library with larger ids is ranked by FTS5. */
const MAX_CHUNK_ID = 1 << 27;

export interface KeywordHit {
  chunkId: number;
  /** BM25, higher is better (FTS5's bm25() negated). */
  score: number;
}

export class KeywordSearch {
  private readonly library: Library;
  private readonly tokens = new Map<string, string[]>();
  private scores = new Float64Array(0);
  /** Which query last touched each chunk id (so the accumulator is never cleared in full). */
  private stamps = new Uint32Array(0);
  private stamp = 0;

  constructor(library: Library) {
    this.library = library;
  }

  /**
   * The best `k` chunks for the query's terms by BM25, ties by chunk id, among `allowed` when
   * given; the common-word cut applied as CommonTermFilter applies it. Null where only FTS5
   * can rank exactly.
   */
  search(terms: string[], k: number, titleWeight: number, allowed?: Set<number>): KeywordHit[] | null {
    const index = this.library.keywords;
    if (terms.length === 0) return [];
    if (!index.current()) return null;
    const tokens = this.tokensOf(terms);
    if (tokens.some((t) => t.length > 1)) return null;
    const known = index.terms(tokens.map((t) => t[0] ?? ''));
    const totals = index.totals();
    const phrases = selectiveTerms(
      terms.map((_, i) => ({ term: tokens[i]!.length ? known[i] : null })),
      (p) => p.term?.chunks ?? 0,
      totals.chunks,
    );
    if (totals.chunks === 0) return [];
    const avgdl = totals.tokens / totals.chunks;
    const weight = Number.isFinite(titleWeight) ? titleWeight : 1;
    const lists = phrases.flatMap(({ term }) => (term ? [{ term, postings: index.postings(term) }] : []));
    const lastId = Math.max(0, ...lists.map(({ postings: p }) => (p.count ? p.ids[p.count - 1]! : 0)));
    if (lastId >= MAX_CHUNK_ID) return null;
    this.reserve(lastId);
    this.nextStamp();
    const { scores, stamps, stamp } = this;
    const touched: number[] = [];
    for (const { term, postings: p } of lists) {
      let idf = Math.log((totals.chunks - term.chunks + 0.5) / (term.chunks + 0.5));
      if (idf <= 0) idf = 1e-6;
      for (let i = 0; i < p.count; i++) {
        // FTS5 adds the column weight once per occurrence, title first.
        let f = 0;
        for (let n = p.title[i]!; n > 0; n--) f += weight;
        for (let n = p.body[i]!; n > 0; n--) f += 1;
        const score = idf * ((f * (K1 + 1)) / (f + K1 * (1 - B + (B * p.length[i]!) / avgdl)));
        const id = p.ids[i]!;
        if (stamps[id] !== stamp) {
          stamps[id] = stamp;
          scores[id] = score;
          touched.push(id);
        } else {
          scores[id]! += score;
        }
      }
    }
    return best(touched, scores, k, allowed);
  }

  /** Each term's FTS5 tokens, as its MATCH phrase would have them. */
  private tokensOf(terms: string[]): string[][] {
    const missing = terms.filter((t) => !this.tokens.has(t));
    if (missing.length) {
      if (this.tokens.size + missing.length > REMEMBERED_TERMS) this.tokens.clear();
      const made = tokenSequences(missing.map(termWords));
      missing.forEach((term, i) => this.tokens.set(term, made[i]!));
    }
    return terms.map((t) => this.tokens.get(t)!);
  }

  private nextStamp(): void {
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
  }

  /** Makes the accumulator cover chunk ids up to `id`. */
  private reserve(id: number): void {
    if (id < this.scores.length) return;
    const size = Math.min(MAX_CHUNK_ID, Math.max(1024, (id + 1) * 1.25));
    const scores = new Float64Array(size);
    scores.set(this.scores);
    const stamps = new Uint32Array(size);
    stamps.set(this.stamps);
    this.scores = scores;
    this.stamps = stamps;
  }
}

/** The `k` best of the touched ids by score (ties: lower id first), best first. A bounded heap. */
function best(ids: number[], scores: Float64Array, k: number, allowed?: Set<number>): KeywordHit[] {
  // heap[0] is the worst kept; `worse` orders the heap.
  const heap: number[] = [];
  const worse = (a: number, b: number) => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && worse(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (const id of ids) {
    if (allowed && !allowed.has(id)) continue;
    if (heap.length < k) {
      heap.push(id);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!worse(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    } else if (k > 0 && worse(heap[0]!, id)) {
      heap[0] = id;
      down(0);
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0)).map((id) => ({ chunkId: id, score: scores[id]! }));
}
