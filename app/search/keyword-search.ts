// BM25 top-k over the keyword index (app/store/keyword-index.ts): FTS5's bm25() to the bit (same
// tokens, statistics, k1, b, IDF floor, title weighting and order of summation), without FTS5's
// cost of a SQL function call per matching chunk, and without reading most postings: block-max
// MaxScore, a stretch of chunk ids at a time, over the blocks' bounds.
//
// It answers only where it is exact; otherwise search asks FTS5 (null): while the index has
// queued changes, or when a term is a phrase (several FTS5 tokens, as 2022年 is "2022 年"),
// which needs positions the index does not keep.
import { blockBound, K1, B, MAX_CHUNK_ID, tokenSequences, withRoom, type KeywordTerm, type Library, type Postings } from '../store/index.ts';
import { termWords } from './analyze.ts';
import { selectiveTerms } from './common-terms.ts';

/** Query terms whose FTS5 tokens are remembered (a query's terms are tokenized once). */
const REMEMBERED_TERMS = 10_000;

export interface KeywordHit {
  chunkId: number;
  /** BM25, higher is better (FTS5's bm25() negated). */
  score: number;
}

/** A query term's place in its blocks. */
interface Cursor {
  term: KeywordTerm;
  idf: number;
  /** Its blocks' last chunk ids, and the most a chunk of each can get from the term. */
  ends: Float64Array;
  bounds: Float64Array;
  /** The first block that ends at or after the stretch being ranked. */
  block: number;
  /** The block decoded in `postings` (-1: none), and the next of its postings to add up. */
  decoded: number;
  next: number;
  postings: Postings;
  /** Its place in KeywordSearch's reused blocks. */
  slot: number;
}

export class KeywordSearch {
  private readonly library: Library;
  private readonly tokens = new Map<string, string[]>();
  private scores = new Float64Array(0);
  /** Which stretch last touched each chunk id (so the accumulator is never cleared in full). */
  private stamps = new Uint32Array(0);
  private stamp = 0;
  /** The chunks a stretch has touched (reused). */
  private touched: Int32Array<ArrayBuffer> = new Int32Array(1024);
  /** Decoded blocks, one per query term (reused). */
  private decoded: Postings[] = [];

  constructor(library: Library) {
    this.library = library;
  }

  /**
   * The best `k` chunks for the query's terms by BM25, ties by chunk id, among `allowed` when
   * given; the common-word cut applied as CommonTermFilter applies it. Null where only FTS5
   * can rank exactly.
   *
   * Block-max MaxScore. Chunk ids are taken in stretches that no block boundary crosses, in
   * order; in each, every term has at most one block, with its bound. The terms that can add
   * least (in order of their highest bound) whose blocks here cannot together lift a chunk to
   * the k-th best score so far are not read for chunks of their own: only the others' postings
   * are added up, and each chunk they give is looked up in the rest while it can still make
   * the top k. Common terms' blocks are mostly never read. Scores are FTS5's, summed in another
   * order (equal to within 1e-15).
   */
  search(terms: string[], k: number, titleWeight: number, allowed?: Set<number>): KeywordHit[] | null {
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
    const lastId = index.lastChunkId();
    if (lastId >= MAX_CHUNK_ID) return null;
    this.reserve(lastId);

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
    /** What the posting at `i` of a cursor's decoded block adds to its chunk's score. */
    const score = (c: Cursor, i: number) => {
      const { title, body, length } = c.postings;
      // An integer weight adds up exactly as FTS5's repeated additions do.
      const f = integral ? weight * title[i]! + body[i]! : frequency(title[i]!, body[i]!);
      return c.idf * ((f * (K1 + 1)) / (f + K1 * (1 - B + (B * length[i]!) / avgdl)));
    };
    const decode = (c: Cursor) => {
      if (c.decoded === c.block) return;
      c.postings = this.decoded[c.slot] = index.block(c.term, c.ends[c.block]!, c.postings);
      c.decoded = c.block;
      c.next = 0;
    };
    // Least bounded first.
    const cursors = kept
      .filter((term): term is KeywordTerm => term !== null)
      .map((term, i): Cursor & { most: number } => {
        let idf = Math.log((totals.chunks - term.chunks + 0.5) / (term.chunks + 0.5));
        if (idf <= 0) idf = 1e-6;
        const blocks = index.blocks(term);
        const ends = new Float64Array(blocks.length);
        const bounds = new Float64Array(blocks.length);
        let most = 0;
        blocks.forEach((b, j) => {
          ends[j] = b.end;
          bounds[j] = idf * blockBound(b, weight, avgdl);
          most = Math.max(most, bounds[j]!);
        });
        const postings = (this.decoded[i] ??= withRoom({ count: 0, ids: new Float64Array(0), title: new Uint32Array(0), body: new Uint32Array(0), length: new Uint32Array(0) }, 0));
        return { term, idf, ends, bounds, block: 0, decoded: -1, next: 0, postings, slot: i, most };
      })
      .sort((a, b) => a.most - b.most);
    // Pruning keeps what is within rounding of the k-th score: FTS5 sums in another order.
    const below = (score: number, threshold: number) => score < threshold - 1e-9 * Math.abs(threshold);
    const top = new TopK(k);
    const { scores, stamps } = this;
    const n = cursors.length;

    for (let start = 0; ; ) {
      // The stretch: from `start` to the first end of a block at or after it.
      let end = Infinity;
      for (const c of cursors) {
        while (c.block < c.ends.length && c.ends[c.block]! < start) c.block++;
        if (c.block < c.ends.length && c.ends[c.block]! < end) end = c.ends[c.block]!;
      }
      if (end === Infinity) break;
      // Terms [0, e) here cannot lift a chunk to the threshold by themselves (together `rest` at most).
      const threshold = top.threshold();
      let e = 0;
      let rest = 0;
      for (; e < n; e++) {
        const c = cursors[e]!;
        const bound = c.block < c.ends.length ? c.bounds[c.block]! : 0;
        if (!below(rest + bound, threshold)) break;
        rest += bound;
      }
      if (e === n) {
        start = end + 1;
        continue;
      }
      // The other terms' postings in the stretch, added up.
      const stamp = this.nextStamp();
      let touched = this.touched;
      let count = 0;
      for (let j = e; j < n; j++) {
        const c = cursors[j]!;
        if (c.block >= c.ends.length) continue;
        decode(c);
        const { ids, count: size } = c.postings;
        let i = c.next;
        while (i < size && ids[i]! < start) i++;
        for (; i < size && ids[i]! <= end; i++) {
          const id = ids[i]!;
          if (allowed && !allowed.has(id)) continue;
          const add = score(c, i);
          if (stamps[id] !== stamp) {
            stamps[id] = stamp;
            if (count === touched.length) touched = this.touched = grown(touched, count * 2);
            touched[count++] = id;
            scores[id] = add;
          } else {
            scores[id]! += add;
          }
        }
        c.next = i;
      }
      // Each chunk found, completed from the rest (most bounded first) while it can make the top k.
      for (let x = 0; x < count; x++) {
        const id = touched[x]!;
        let total = scores[id]!;
        let left = rest;
        let fits = !below(total + left, top.threshold());
        for (let j = e - 1; fits && j >= 0; j--) {
          const c = cursors[j]!;
          if (c.block >= c.ends.length) continue;
          decode(c);
          const at = find(c.postings, id);
          if (at >= 0) total += score(c, at);
          left -= c.bounds[c.block]!;
          fits = !below(total + left, top.threshold());
        }
        if (fits) top.offer(id, total);
      }
      start = end + 1;
    }
    return top.best();
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

  private nextStamp(): number {
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
    return this.stamp;
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

function grown(array: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(Math.max(size, array.length * 2));
  out.set(array);
  return out;
}

/** Where chunk `id` is among the decoded postings, or -1. */
function find(p: Postings, id: number): number {
  let lo = 0;
  let hi = p.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = p.ids[mid]!;
    if (at < id) lo = mid + 1;
    else if (at > id) hi = mid - 1;
    else return mid;
  }
  return -1;
}

/** The best k chunks offered so far: a heap whose root is the worst kept (lower score, or equal and higher id). */
class TopK {
  private readonly k: number;
  private readonly ids: number[] = [];
  private readonly scores: number[] = [];

  constructor(k: number) {
    this.k = k;
  }

  /** The k-th best score, below which no chunk can enter (-Infinity until k are kept). */
  threshold(): number {
    return this.ids.length < this.k ? -Infinity : this.scores[0]!;
  }

  offer(id: number, score: number): void {
    const { ids, scores } = this;
    if (ids.length < this.k) {
      let i = ids.length;
      ids.push(id);
      scores.push(score);
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return;
    }
    if (score < scores[0]! || (score === scores[0] && id > ids[0]!)) return;
    ids[0] = id;
    scores[0] = score;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < ids.length && this.worse(l, m)) m = l;
      if (r < ids.length && this.worse(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  /** Best first. */
  best(): KeywordHit[] {
    return this.ids
      .map((chunkId, i) => ({ chunkId, score: this.scores[i]! }))
      .sort((a, b) => b.score - a.score || a.chunkId - b.chunkId);
  }

  private worse(a: number, b: number): boolean {
    const { ids, scores } = this;
    return scores[a]! < scores[b]! || (scores[a] === scores[b] && ids[a]! > ids[b]!);
  }

  private swap(a: number, b: number): void {
    const { ids, scores } = this;
    [ids[a], ids[b]] = [ids[b]!, ids[a]!];
    [scores[a], scores[b]] = [scores[b]!, scores[a]!];
  }
}
