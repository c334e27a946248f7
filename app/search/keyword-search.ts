// BM25 top-k over the keyword index (app/store/keyword-index.ts): FTS5's bm25() to the bit (same
// tokens, statistics, k1, b, IDF floor, title weighting and order of summation), without FTS5's
// cost of a SQL function call per matching chunk. The query's terms are scored a term at a time
// into an accumulator, then the best k are taken.
//
// The accumulator is the chunks touched so far in id order, their scores beside them: each term's
// postings (in id order too) are merged into it. Memory is read and written in order, where an
// array indexed by chunk id took a cache miss or two per posting (at 1M chunks, most of the
// time), and the chunks left for the lookups need no sorting.
//
// It answers only where it is exact; otherwise search asks FTS5 (null): while the index has
// queued changes, or when a term is a phrase (several FTS5 tokens, as 2022年 is "2022 年"),
// which needs positions the index does not keep.
import { MAX_CHUNK_ID, tokenSequences, type KeywordTerm, type Library } from '../store/index.ts';
import { termWords } from './analyze.ts';
import { selectiveTerms } from './common-terms.ts';

/** FTS5's bm25() constants (fts5_aux.c). */
const K1 = 1.2;
const B = 0.75;
/** Query terms whose FTS5 tokens are remembered (a query's terms are tokenized once). */
const REMEMBERED_TERMS = 10_000;

export interface KeywordHit {
  chunkId: number;
  /** BM25, higher is better (FTS5's bm25() negated). */
  score: number;
}

export class KeywordSearch {
  private readonly library: Library;
  private readonly tokens = new Map<string, string[]>();
  /** The accumulator (see the file comment), and another that each merge writes into (reused). */
  private touched: Accumulator = accumulator(1024);
  private merged: Accumulator = accumulator(1024);

  constructor(library: Library) {
    this.library = library;
  }

  /**
   * The best `k` chunks for the query's terms by BM25, ties by chunk id, among `allowed` when
   * given; the common-word cut applied as CommonTermFilter applies it. Null where only FTS5
   * can rank exactly.
   *
   * MaxScore, a term at a time: terms are taken by how much they can add to a score at most
   * (rare terms first). Once the terms left could not lift a chunk that has none of the terms
   * taken so far above the k-th best score so far, no such chunk can be in the top k: the
   * remaining (common) terms are only looked up for the chunks that still can, and those are
   * thinned out after each. Scores are FTS5's, summed in another order (equal to within 1e-15).
   */
  search(terms: string[], k: number, titleWeight: number, allowed?: { has(id: number): boolean }): KeywordHit[] | null {
    const index = this.library.keywords;
    if (terms.length === 0) return [];
    if (!index.current()) return null;
    const tokens = this.tokensOf(terms);
    if (tokens.some((t) => t.length > 1)) return null;
    const known = index.terms(tokens.map((t) => t[0] ?? ''));
    const totals = index.totals();
    const kept = selectiveTerms(
      terms.map((_, i) => (tokens[i]!.length ? known[i]! : null)),
      (term) => term?.chunks ?? 0,
      totals.chunks,
    );
    if (totals.chunks === 0 || k <= 0) return [];
    if (index.lastChunkId() >= MAX_CHUNK_ID) return null;

    const avgdl = totals.tokens / totals.chunks;
    const weight = Number.isFinite(titleWeight) ? titleWeight : 1;
    const integral = Number.isInteger(weight) && Math.abs(weight) < 2 ** 20;
    // FTS5 adds the column weight once per occurrence, title first.
    const frequency = (title: number, body: number) => {
      let f = 0;
      for (let n = title; n > 0; n--) f += weight;
      for (let n = body; n > 0; n--) f += 1;
      return f;
    };
    const saturation = (f: number, length: number) => (f * (K1 + 1)) / (f + K1 * (1 - B + (B * length) / avgdl));
    const phrases = kept
      .filter((term): term is KeywordTerm => term !== null)
      .map((term) => {
        let idf = Math.log((totals.chunks - term.chunks + 0.5) / (term.chunks + 0.5));
        if (idf <= 0) idf = 1e-6;
        return { term, idf, bound: idf * saturation(Math.max(0, weight) * term.maxTitle + term.maxBody, term.minLength) };
      })
      .sort((a, b) => b.bound - a.bound);
    // left[j]: the most the terms from j on can add to any score.
    const left = phrases.map((_, j) => phrases.slice(j).reduce((sum, p) => sum + p.bound, 0));
    // Pruning keeps what is within rounding of the k-th score: FTS5 sums in another order.
    const below = (score: number, threshold: number) => score < lowest(threshold);

    let count = 0;
    let top = 0;
    let j = 0;
    let threshold = 0;
    for (; j < phrases.length; j++) {
      // The best score so far first (cheap), then the k-th best if it is clearly above.
      if (count >= k && left[j]! < top) {
        const kth = kthAbove(this.touched.sums, count, k, left[j]! * (1 + 2e-9));
        if (kth !== null) {
          threshold = kth;
          if (below(left[j]!, threshold)) break;
        }
      }
      const { term, idf } = phrases[j]!;
      const p = index.postings(term);
      if (this.merged.ids.length < count + p.count) this.merged = accumulator(Math.max(count + p.count, 2 * this.merged.ids.length));
      const { ids, title, body, length } = p;
      const from = this.touched;
      const to = this.merged;
      let a = 0;
      let o = 0;
      for (let i = 0; i < p.count; i++) {
        const id = ids[i]!;
        if (allowed && !allowed.has(id)) continue;
        while (a < count && from.ids[a]! < id) {
          to.ids[o] = from.ids[a]!;
          to.sums[o++] = from.sums[a++]!;
        }
        // An integer weight adds up exactly as FTS5's repeated additions do.
        const f = integral ? weight * title[i]! + body[i]! : frequency(title[i]!, body[i]!);
        let total = idf * ((f * (K1 + 1)) / (f + K1 * (1 - B + (B * length[i]!) / avgdl)));
        if (a < count && from.ids[a] === id) total += from.sums[a++]!;
        to.ids[o] = id;
        to.sums[o++] = total;
        if (total > top) top = total;
      }
      to.ids.set(from.ids.subarray(a, count), o);
      to.sums.set(from.sums.subarray(a, count), o);
      count = o + count - a;
      [this.touched, this.merged] = [to, from];
    }
    const touched = this.touched.ids.subarray(0, count);
    const sums = this.touched.sums.subarray(0, count);
    if (j === phrases.length) return best(touched, sums, k);

    // The remaining terms, looked up for the chunks that can still make the top k: their ids
    // ascending, and their scores beside them.
    let [candidates, values] = within(touched, sums, left[j]!, threshold);
    for (; j < phrases.length; j++) {
      const { term, idf } = phrases[j]!;
      const found = values;
      index.lookup(term, candidates, (i, title, body, length) => {
        const f = integral ? weight * title + body : frequency(title, body);
        found[i]! += idf * ((f * (K1 + 1)) / (f + K1 * (1 - B + (B * length) / avgdl)));
      });
      if (j + 1 < phrases.length && candidates.length > k) {
        threshold = Math.max(threshold, kthLargest(values, values.length, k));
        const least = lowest(threshold) - left[j + 1]!;
        let kept = 0;
        for (let i = 0; i < candidates.length; i++) {
          if (values[i]! < least) continue;
          candidates[kept] = candidates[i]!;
          values[kept++] = values[i]!;
        }
        candidates = candidates.subarray(0, kept);
        values = values.subarray(0, kept);
      }
    }
    return best(candidates, values, k);
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

}

/** Chunk ids in ascending order and their scores. */
interface Accumulator {
  ids: Int32Array<ArrayBuffer>;
  sums: Float64Array<ArrayBuffer>;
}

function accumulator(size: number): Accumulator {
  return { ids: new Int32Array(size), sums: new Float64Array(size) };
}

/**
 * The lowest score still kept against a k-th best score of `threshold`: pruning keeps what is
 * within rounding of it, as FTS5 sums the same terms in another order.
 */
function lowest(threshold: number): number {
  return threshold - 1e-9 * Math.abs(threshold);
}

/** The k-th highest of the first `n` scores if at least k of them are above `level`, else null. */
function kthAbove(scores: Float64Array, n: number, k: number, level: number): number | null {
  // The k-th highest is among those above the level: only they are selected from.
  let above = 0;
  for (let i = 0; i < n; i++) {
    const score = scores[i]!;
    if (score <= level) continue;
    if (above === selectScratch.length) selectScratch = grownValues(selectScratch, above * 2);
    selectScratch[above++] = score;
  }
  return above >= k ? select(selectScratch.subarray(0, above), k) : null;
}

/**
 * The ids whose score with `more` added is not below the threshold, and their scores: kept in
 * place (in their order) at the front of the arrays given, which it returns cut to them.
 */
function within<I extends Int32Array, S extends Float64Array>(ids: I, scores: S, more: number, threshold: number): [I, S] {
  const least = lowest(threshold);
  let kept = 0;
  for (let i = 0; i < ids.length; i++) {
    const score = scores[i]!;
    if (score + more < least) continue;
    ids[kept] = ids[i]!;
    scores[kept++] = score;
  }
  return [ids.subarray(0, kept) as I, scores.subarray(0, kept) as S];
}

let selectScratch = new Float64Array(1024);

function grownValues(array: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(Math.max(size, array.length * 2));
  out.set(array);
  return out;
}

/** The k-th highest of the first `n` values (n ≥ k); they stay as they are. */
function kthLargest(values: Float64Array, n: number, k: number): number {
  if (selectScratch.length < n) selectScratch = new Float64Array(Math.max(n, selectScratch.length * 2));
  selectScratch.set(values.subarray(0, n));
  return select(selectScratch.subarray(0, n), k);
}

/** The k-th highest of `values`, which it reorders. */
function select(values: Float64Array, k: number): number {
  // Quickselect for the (n - k)-th smallest.
  const target = values.length - k;
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return values[target]!;
}

/** The `k` best of the ids by their scores beside them (ties: lower id first), best first. A bounded heap. */
function best(ids: Int32Array, scores: Float64Array, k: number): KeywordHit[] {
  // heap[0] is the worst kept (places in `ids`); `worse` orders the heap.
  const heap: number[] = [];
  const worse = (a: number, b: number) => scores[a]! < scores[b]! || (scores[a] === scores[b] && ids[a]! > ids[b]!);
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
  for (let place = 0; place < ids.length; place++) {
    if (heap.length < k) {
      heap.push(place);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!worse(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    } else if (k > 0 && worse(heap[0]!, place)) {
      heap[0] = place;
      down(0);
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0)).map((place) => ({ chunkId: ids[place]!, score: scores[place]! }));
}
