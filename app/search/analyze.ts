// Text analysis shared by indexing and querying. Text is first normalised (NFKC), so full-width
// letters and digits (common in Chinese and Japanese text), ligatures and other compatibility
// forms are indexed and searched as their plain forms. FTS5's unicode61 tokenizer splits on spaces
// and punctuation, which leaves Chinese and Japanese as one long "word"; so runs of those scripts
// are segmented into words with Intl.Segmenter (ICU's dictionary) and spaced before FTS5 sees them.
// English stemming and accent folding are FTS5's (porter + remove_diacritics). Changing what
// analyze() makes of a text needs a migration that rewrites the full-text rows (see migration 8).

const CJK_CHARS = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\u30fc\\u3005';
const CJK_RUN = new RegExp(`[${CJK_CHARS}]+`, 'gu');
/** A CJK run, or a word of other letters, digits and marks: the pieces analyze() spaces apart. */
const PIECE = new RegExp(`[${CJK_CHARS}]+|(?:(?![${CJK_CHARS}])[\\p{L}\\p{N}\\p{M}])+`, 'gu');
const STARTS_CJK = new RegExp(`^[${CJK_CHARS}]`, 'u');
/** A word as FTS5's unicode61 tokenizer sees one: letters, digits and marks. */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const segmenter = new Intl.Segmenter('ja', { granularity: 'word' });

/** Text as the index and queries compare it: ＧＰＴ４ → GPT4, ﬁ → fi, ㈱ → (株). */
export function normalize(text: string): string {
  return text.normalize('NFKC');
}

/** What the full-text index holds of a text: normalised, with every CJK run split into space-separated words. */
export function analyze(text: string): string {
  return normalize(text).replace(CJK_RUN, (run) => ` ${cjkWords(run).map((w) => w.segment).join(' ')} `);
}

/** The words of a CJK run, each with where it starts in the run (the run itself if none). */
function cjkWords(run: string): { segment: string; index: number }[] {
  const words = [...segmenter.segment(run)].filter((s) => s.isWordLike);
  return words.length ? words : [{ segment: run, index: 0 }];
}

/**
 * The words of a text as the index has them (analyze() then FTS5's tokenizer), lower-cased, in
 * order, each with where it ends in `text`. Lazy: a caller that has enough words stops reading.
 */
function* words(text: string): Generator<{ word: string; end: number }> {
  for (const piece of text.matchAll(PIECE)) {
    if (!STARTS_CJK.test(piece[0])) {
      yield { word: piece[0].toLowerCase(), end: piece.index + piece[0].length };
      continue;
    }
    for (const { segment, index } of cjkWords(piece[0])) {
      for (const w of segment.matchAll(WORD)) yield { word: w[0].toLowerCase(), end: piece.index + index + w.index + w[0].length };
    }
  }
}

/** Words as FTS5's unicode61 tokenizer would see them (letters, digits, marks), lower-cased, once each. */
export function queryTerms(query: string): string[] {
  return [...new Set(Array.from(words(normalize(query)), (w) => w.word))];
}

// Lucene's English stop set, plus a few question words that carry no topic.
const STOPWORDS = new Set(
  ('a an and are as at be but by for if in into is it no not of on or such that the their then there ' +
    'these they this to was will with what which who whom how why when where does do did can could ' +
    'should would has have had been being i me my we our you your he she his her its them than so')
    .split(' '),
);

/** Distinct keywords search uses at most; a query's later words are not read. */
export const MAX_TERMS = 64;

export interface SearchQuery {
  /**
   * The query as search reads it: unchanged, or (NFKC-normalised) cut after the last word that
   * search uses when it has more than MAX_TERMS distinct keywords.
   */
  text: string;
  /** Its keywords: stop words dropped unless nothing else is left, at most MAX_TERMS. */
  terms: string[];
}

/**
 * What search reads of any user text. A query of any length costs what its first MAX_TERMS
 * keywords cost, and vector search embeds the same words that keyword search looks for.
 */
export function searchQuery(query: string): SearchQuery {
  const normalized = normalize(query);
  const content = new Set<string>();
  const stop = new Set<string>();
  for (const { word, end } of words(normalized)) {
    if (!STOPWORDS.has(word)) {
      content.add(word);
      if (content.size === MAX_TERMS) return { text: end < normalized.length ? normalized.slice(0, end) : query, terms: [...content] };
    } else if (stop.size < MAX_TERMS) {
      stop.add(word);
    }
  }
  return { text: query, terms: [...(content.size ? content : stop)] };
}

/** The keywords of any user text (see searchQuery); empty when it has no searchable word. */
export function keywordTerms(query: string): string[] {
  return searchQuery(query).terms;
}

/**
 * An FTS5 MATCH expression for the terms: each quoted (so FTS5 syntax in a query is inert), OR-ed
 * so that BM25 ranks partial matches. Null when there is no term.
 */
export function orExpression(terms: string[]): string | null {
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(' OR ');
}

/** The FTS5 MATCH expression for any user text (see keywordTerms and orExpression). */
export function matchExpression(query: string): string | null {
  return orExpression(keywordTerms(query));
}
