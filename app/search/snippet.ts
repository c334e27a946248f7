// Highlighted snippets: the window of a chunk where the query's words are densest, with the
// ranges that matched. Matching is forgiving (case, accents, common English endings) because
// FTS5 matched on stems; this only has to show the user where.

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

function matches(text: string, terms: string[]): [number, number][] {
  const ranges: [number, number][] = [];
  const latin = new Set(terms.filter((t) => !CJK.test(t)).map(stem));
  for (const m of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    if (CJK.test(m[0])) continue;
    if (latin.has(stem(m[0]))) ranges.push([m.index, m.index + m[0].length]);
  }
  for (const term of terms.filter((t) => CJK.test(t))) {
    for (let at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + term.length)) ranges.push([at, at + term.length]);
  }
  return ranges.sort((a, b) => a[0] - b[0]);
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
