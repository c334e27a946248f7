// Highlighted snippets: the window of a chunk where the query's words are densest, with the
// ranges that matched. Matching is forgiving (case, accents, common English endings) because
// FTS5 matched on stems; this only has to show the user where. Words are matched in the text
// normalised as the index has it (ＧＰＴ４ is gpt4), and highlighted in the original text.
import { normalize } from './analyze.ts';

export interface Snippet {
  snippet: string;
  highlights: [number, number][];
}

const fold = (word: string) => word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/** A light English stem, for highlighting only: enough to see "indexing" in a query for "indexes". */
function stem(word: string): string {
  const w = fold(word);
  if (w.length <= 4) return w;
  return w.replace(/(?:ations?|ingly|ings?|edly|ies|ied|es|ed|ly|s)$/, '').replace(/(.)\1$/, '$1') || w;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
/** A word outside CJK runs (CJK terms are found by position: the text is not segmented here). */
const NON_CJK_WORD = /(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])[\p{L}\p{N}\p{M}])+/gu;
/** A character with its combining marks (or marks with no base): normalised as one. */
const CLUSTER = /\P{M}\p{M}*|\p{M}+/gu;

/**
 * The text normalised, with the range of the original text each of its UTF-16 units comes from;
 * null when normalising changes nothing (most text). Normalising may change lengths (ﬁ → fi).
 */
function normalizedWithOrigins(text: string): { text: string; from: number[]; to: number[] } | null {
  if (normalize(text) === text) return null;
  let out = '';
  const from: number[] = [];
  const to: number[] = [];
  for (const m of text.matchAll(CLUSTER)) {
    const piece = normalize(m[0]);
    out += piece;
    for (let i = 0; i < piece.length; i++) {
      from.push(m.index);
      to.push(m.index + m[0].length);
    }
  }
  return { text: out, from, to };
}

/** Ranges of `text` that match a term, in order, without overlaps. */
function matches(text: string, terms: string[]): [number, number][] {
  const origins = normalizedWithOrigins(text);
  const normal = origins?.text ?? text;
  const found: [number, number][] = [];
  const latin = new Set(terms.filter((t) => !CJK.test(t)).map(stem));
  for (const m of normal.matchAll(NON_CJK_WORD)) {
    if (latin.has(stem(m[0]))) found.push([m.index, m.index + m[0].length]);
  }
  for (const term of terms.filter((t) => CJK.test(t))) {
    for (let at = normal.indexOf(term); at >= 0; at = normal.indexOf(term, at + term.length)) found.push([at, at + term.length]);
  }
  const ranges: [number, number][] = [];
  for (const [s, e] of found.sort((a, b) => a[0] - b[0] || b[1] - a[1])) {
    const range: [number, number] = origins ? [origins.from[s]!, origins.to[e - 1]!] : [s, e];
    if (range[0] >= (ranges.at(-1)?.[1] ?? 0)) ranges.push(range);
  }
  return ranges;
}

export function makeSnippet(text: string, terms: string[], width = 240): Snippet {
  const ranges = matches(text, terms);
  if (text.length <= width) return { snippet: text, highlights: ranges };
  // The window of `width` characters starting a little before some match that covers the most matches.
  let bestStart = 0;
  let bestCount = 0;
  for (const [start] of ranges) {
    const from = Math.max(0, start - 40);
    const count = ranges.filter(([s, e]) => s >= from && e <= from + width).length;
    if (count > bestCount) [bestStart, bestCount] = [from, count];
  }
  // Start and end on word boundaries where there is one nearby.
  let from = bestStart;
  if (from > 0) {
    const space = text.indexOf(' ', from);
    if (space >= 0 && space - from < 20) from = space + 1;
  }
  let to = Math.min(text.length, from + width);
  if (to < text.length) {
    const space = text.lastIndexOf(' ', to);
    if (space > from && to - space < 20) to = space;
  }
  const prefix = from > 0 ? '…' : '';
  const suffix = to < text.length ? '…' : '';
  const shift = prefix.length - from;
  return {
    snippet: prefix + text.slice(from, to) + suffix,
    highlights: ranges.filter(([s, e]) => s >= from && e <= to).map(([s, e]) => [s + shift, e + shift]),
  };
}
