// Highlighted snippets: the window of a chunk where the query's words are densest, with the
// ranges that matched. Matching is forgiving (case, accents, common English endings) because
// FTS5 matched on stems; this only has to show the user where. Words are matched in the text
// normalised as the index has it (ＧＰＴ４ is gpt4), and highlighted in the original text.
// A search may want a snippet for each of hundreds of hits, so this is kept cheap: text of plain
// characters is compared as it is, and one regular expression per query finds the words that
// may match (those starting with a term's stem) rather than stemming every word.
import { CJK_CHARS, normalize } from './analyze.ts';

export interface Snippet {
  snippet: string;
  highlights: [number, number][];
}

/** A word as highlighting compares it: compatibility forms and accents folded, lower case. */
const fold = (word: string) => word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/** A light English stem of a folded word, for highlighting only: enough to see "indexing" in a query for "indexes". */
function stem(w: string): string {
  if (w.length <= 4) return w;
  return w.replace(/(?:ations?|ingly|ings?|edly|ies|ied|es|ed|ly|s)$/, '').replace(/(.)\1$/, '$1') || w;
}

const CJK = new RegExp(`[${CJK_CHARS}]`, 'u');
/** A letter, digit or mark outside CJK runs: what a word is made of (CJK terms are found by position). */
const WORD_CHAR = `(?:(?![${CJK_CHARS}])[\\p{L}\\p{N}\\p{M}])`;
const ENDS_IN_WORD_CHAR = new RegExp(`${WORD_CHAR}$`, 'u');
/** The rest of a word, from where it is set to start (compiled once: Unicode classes are slow to compile). */
const WORD_REST = new RegExp(`${WORD_CHAR}*`, 'uy');
/**
 * Characters that folding changes only in case (ASCII, CJK ideographs, kana, common CJK
 * punctuation): most text is made of nothing else and is compared as it is, lower-cased.
 */
const PLAIN = '\\x00-\\x7f\\u3001\\u3002\\u3005\\u300c-\\u300f\\u3041-\\u3096\\u30a1-\\u30fa\\u30fc\\u4e00-\\u9fff';
const NOT_PLAIN = new RegExp(`[^${PLAIN}]`); // no u flag: every plain character is one UTF-16 unit, and this is faster
/** A run of plain characters (not the last if a mark follows it), or one other character with its marks. */
const PIECE = new RegExp(`([${PLAIN}]+)(?!\\p{M})|\\P{M}\\p{M}*|\\p{M}+`, 'gu');

/** A piece of text whose folded form has another length: [at, end) folded came from [from, to). */
interface Resized {
  at: number;
  end: number;
  from: number;
  to: number;
}

/**
 * The text as highlighting compares it (normalised as the index has it, accents folded, lower
 * case), with the pieces whose length folding changed (ﬁ → fi, ㈱ → (株)); elsewhere an offset in
 * the folded text is the same offset in the original, shifted by the changes before it.
 */
function comparable(text: string): { text: string; resized: Resized[] } {
  if (!NOT_PLAIN.test(text)) return { text: text.toLowerCase(), resized: [] };
  let out = '';
  const resized: Resized[] = [];
  for (const m of text.matchAll(PIECE)) {
    let piece = m[0].toLowerCase();
    if (m[1] === undefined) {
      const normal = normalize(m[0]);
      // CJK keeps its marks (が is not か): CJK terms are matched as the index has them.
      piece = CJK.test(normal) ? normal.toLowerCase() : fold(normal);
      if (piece.length !== m[0].length) resized.push({ at: out.length, end: out.length + piece.length, from: m.index, to: m.index + m[0].length });
    }
    out += piece;
  }
  return { text: out, resized };
}

/** The offset in the original text of an offset in the folded one; inside a resized piece, its start or end. */
function original(at: number, resized: Resized[], side: 'start' | 'end'): number {
  let shift = 0;
  for (const r of resized) {
    if (r.end <= at) shift += r.to - r.from - (r.end - r.at);
    else if (side === 'start' ? r.at <= at : r.at < at) return side === 'start' ? r.from : r.to;
    else break;
  }
  return at + shift;
}

/** How one query's terms are found: compiled once for all the hits of a search. */
interface Matcher {
  terms: string[];
  /** Where candidate words start: with a term's stem (each then checked by its own stem). */
  latin: RegExp | null;
  stems: Set<string>;
  cjk: string[];
}

/** The last query's matcher: a search makes the snippets of all its hits with the same terms. */
let lastMatcher: Matcher | null = null;

function matcher(terms: string[]): Matcher {
  if (lastMatcher && lastMatcher.terms.length === terms.length && lastMatcher.terms.every((t, i) => t === terms[i])) return lastMatcher;
  const stems = new Set(terms.filter((t) => !CJK.test(t)).map((t) => stem(fold(t))).filter(Boolean));
  const alternatives = [...stems].map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  // (?<![a-z0-9]) only makes the search fast (most positions are inside a word); matches() checks the rest.
  const latin = stems.size ? new RegExp(`(?<![a-z0-9])(?:${alternatives})`, 'gu') : null;
  lastMatcher = { terms: [...terms], latin, stems, cjk: terms.filter((t) => CJK.test(t)) };
  return lastMatcher;
}

/** Ranges of `text` that match a term, in order, without overlaps. */
function matches(text: string, terms: string[]): [number, number][] {
  const { latin, stems, cjk } = matcher(terms);
  const folded = comparable(text);
  const found: [number, number][] = [];
  if (latin) {
    latin.lastIndex = 0;
    for (let m = latin.exec(folded.text); m; m = latin.exec(folded.text)) {
      WORD_REST.lastIndex = m.index + m[0].length;
      WORD_REST.exec(folded.text);
      const end = WORD_REST.lastIndex;
      latin.lastIndex = end;
      // Inside a word after all (a letter the regex's ASCII look-behind does not know)?
      if (folded.text.charCodeAt(m.index - 1) > 0x7f && ENDS_IN_WORD_CHAR.test(folded.text.slice(Math.max(0, m.index - 2), m.index))) continue;
      if (stems.has(stem(folded.text.slice(m.index, end)))) found.push([m.index, end]);
    }
  }
  for (const term of cjk) {
    for (let at = folded.text.indexOf(term); at >= 0; at = folded.text.indexOf(term, at + term.length)) found.push([at, at + term.length]);
  }
  const { resized } = folded;
  const ranges: [number, number][] = [];
  for (const [s, e] of found.sort((a, b) => a[0] - b[0] || b[1] - a[1])) {
    const range: [number, number] = resized.length ? [original(s, resized, 'start'), original(e, resized, 'end')] : [s, e];
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
