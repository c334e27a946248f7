// Text analysis shared by indexing and querying. FTS5's unicode61 tokenizer splits on spaces and
// punctuation, which leaves Chinese and Japanese as one long "word"; so runs of those scripts
// are segmented into words with Intl.Segmenter (ICU's dictionary) and spaced before FTS5 sees them.
// English stemming and accent folding are FTS5's (porter + remove_diacritics).

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\u3005]+/gu;
const segmenter = new Intl.Segmenter('ja', { granularity: 'word' });

/** The text with every CJK run split into space-separated words. */
export function analyze(text: string): string {
  return text.replace(CJK_RUN, (run) => ` ${cjkWords(run).join(' ')} `);
}

function cjkWords(run: string): string[] {
  const words: string[] = [];
  for (const { segment, isWordLike } of segmenter.segment(run)) if (isWordLike) words.push(segment);
  return words.length ? words : [run];
}

/** Words as FTS5's unicode61 tokenizer would see them (letters, digits, marks), lower-cased. */
export function queryTerms(query: string): string[] {
  const words = analyze(query.normalize('NFKC')).toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
  return [...new Set(words)];
}

// Lucene's English stop set, plus a few question words that carry no topic.
const STOPWORDS = new Set(
  ('a an and are as at be but by for if in into is it no not of on or such that the their then there ' +
    'these they this to was will with what which who whom how why when where does do did can could ' +
    'should would has have had been being i me my we our you your he she his her its them than so')
    .split(' '),
);

const MAX_TERMS = 64;

/**
 * The words of any user text that keyword search looks for: stop words dropped unless nothing
 * else is left, at most MAX_TERMS. Empty when the query has no searchable word.
 */
export function keywordTerms(query: string): string[] {
  const terms = queryTerms(query);
  const content = terms.filter((t) => !STOPWORDS.has(t));
  return (content.length ? content : terms).slice(0, MAX_TERMS);
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
