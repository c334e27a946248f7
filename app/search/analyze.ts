// Text analysis shared by indexing and querying. Text is first normalised (NFKC), so full-width
// letters and digits (common in Chinese and Japanese text), ligatures and other compatibility
// forms are indexed and searched as their plain forms. FTS5's unicode61 tokenizer splits on spaces
// and punctuation, which leaves Chinese and Japanese as one long "word"; so runs of those scripts
// are segmented into words with Intl.Segmenter (ICU's dictionary) and spaced before FTS5 sees them.
// English stemming and accent folding are FTS5's (porter + remove_diacritics). Changing what
// analyze() makes of a text needs a migration that rewrites the full-text rows (see migration 8).

/** Chinese and Japanese characters (for a regular expression's character class): segmented, not spaced. */
export const CJK_CHARS = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\u30fc\\u3005';
const CJK_RUN = new RegExp(`[${CJK_CHARS}]+`, 'gu');
/** A CJK run, or a word of other letters, digits and marks: the pieces analyze() spaces apart. */
const PIECE = new RegExp(`[${CJK_CHARS}]+|(?:(?![${CJK_CHARS}])[\\p{L}\\p{N}\\p{M}])+`, 'gu');
const STARTS_CJK = new RegExp(`^[${CJK_CHARS}]`, 'u');
const ONE_CJK = new RegExp(`^[${CJK_CHARS}]$`, 'u');
const NUMBER = /^\p{N}+$/u;
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
 * order, each with where it starts and ends in `text`. Lazy: a caller that has enough words stops
 * reading.
 */
function* words(text: string): Generator<{ word: string; start: number; end: number }> {
  for (const piece of text.matchAll(PIECE)) {
    if (!STARTS_CJK.test(piece[0])) {
      yield { word: piece[0].toLowerCase(), start: piece.index, end: piece.index + piece[0].length };
      continue;
    }
    for (const { segment, index } of cjkWords(piece[0])) {
      for (const w of segment.matchAll(WORD)) {
        const start = piece.index + index + w.index;
        yield { word: w[0].toLowerCase(), start, end: start + w[0].length };
      }
    }
  }
}

/** Words as FTS5's unicode61 tokenizer would see them (letters, digits, marks), lower-cased, once each. */
export function queryTerms(query: string): string[] {
  return [...new Set(Array.from(words(normalize(query)), (w) => w.word))];
}

// Words that carry no topic, left out of a query unless nothing else is left: at query time only
// (the index keeps every word), so the lists can change without a migration. Without them BM25
// gives a question word that documents seldom use (what, 什么, 何) a high weight: in a small
// library a chat log full of 什么 and 怎么 outranked the answer. English: Lucene's stop set plus
// question words. Chinese and Japanese: particles, pronouns, question words and modal verbs, as
// the segmenter splits them.
const STOPWORDS = new Set(
  [
    'a an and are as at be but by for if in into is it no not of on or such that the their then there ' +
      'these they this to was will with what which who whom how why when where does do did can could ' +
      'should would has have had been being i me my we our you your he she his her its them than so',
    '的 了 着 过 是 在 有 和 与 及 或 而 也 都 就 还 又 但 却 把 被 让 给 对 从 向 到 以 于 为 之 其 并 等 ' +
      '这 那 这个 那个 这些 那些 这样 那样 这里 那里 这儿 那儿 哪 哪个 哪些 哪里 哪儿 什么 怎么 怎么样 怎样 ' +
      '如何 为什么 为何 多少 几 谁 啥 吗 呢 吧 啊 呀 嘛 么 我 你 您 他 她 它 我们 你们 他们 她们 它们 咱们 ' +
      '自己 一个 一些 请问 会 能 要 可以 可能 应该 不 不要 没 没有 时候',
    'の に は を が で て と も へ や か な だ た し から まで より ね よ です ます でした ました でしょう ' +
      'ある いる する なる れる られる こと もの これ それ あれ この その あの どの どれ どこ いつ だれ 誰 ' +
      '何 なに どう どうして なぜ どんな どのくらい ください',
  ].join(' ').split(' '),
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
 *
 * A single CJK character right after a number (2022年, 3个, 12月) is searched together with it,
 * as a phrase: the segmenter splits them, and alone such a character (year, month, piece) is
 * found in most documents, where BM25 still weighs it like a topic word in a small library.
 */
export function searchQuery(query: string): SearchQuery {
  const normalized = normalize(query);
  const content = new Set<string>();
  const stop = new Set<string>();
  let previous: { word: string; end: number } | null = null;
  for (const next of words(normalized)) {
    const { start, end } = next;
    const word = previous && NUMBER.test(previous.word) && previous.end === start && ONE_CJK.test(next.word) ? previous.word + next.word : next.word;
    previous = next;
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
  return terms.map((t) => `"${termWords(t).replaceAll('"', '""')}"`).join(' OR ');
}

/**
 * A term's words as the index holds them: CJK runs spaced from their neighbours, as analyze()
 * spaces them, so that 2022年 quoted is the FTS5 phrase "2022 年".
 */
export function termWords(term: string): string {
  return term.replace(CJK_RUN, ' $& ').trim();
}

/** The FTS5 MATCH expression for any user text (see keywordTerms and orExpression). */
export function matchExpression(query: string): string | null {
  return orExpression(keywordTerms(query));
}
