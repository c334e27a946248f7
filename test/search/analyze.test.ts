import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, fuse, keywordTerms, makeSnippet, matchExpression, queryTerms, searchQuery } from '../../app/search/index.ts';

test('CJK runs are segmented into words; Latin text is left alone', () => {
  const zh = analyze('我们正在学习中文');
  assert.ok(zh.trim().split(/\s+/).length >= 3, zh);
  assert.ok(analyze('東京都に住んでいます').includes('東京'));
  assert.equal(analyze('Hello wörld, café.'), 'Hello wörld, café.');
});

test('match expressions quote every term, so FTS5 syntax in a query is inert', () => {
  assert.equal(matchExpression('cats AND "dogs" NEAR(x) col:term*'), '"cats" OR "dogs" OR "near" OR "x" OR "col" OR "term"');
  assert.equal(matchExpression(''), null);
  assert.equal(matchExpression('   '), null);
  assert.equal(matchExpression('😀🎉 !!! ***'), null);
  assert.equal(matchExpression('the of and'), '"the" OR "of" OR "and"', 'only stop words: keep them rather than nothing');
  assert.ok(matchExpression('what is the protein')!.startsWith('"protein"'));
});

test('Chinese and Japanese stop words are dropped at query time; a character after a number is a phrase with it', () => {
  assert.deepEqual(keywordTerms('大熊猫吃什么？'), ['大熊猫', '吃']);
  assert.deepEqual(keywordTerms('富士山の高さは何メートルですか？'), ['富士山', '高', 'さ', 'メートル']);
  assert.deepEqual(keywordTerms('2022年世界杯的冠军是哪个国家？'), ['2022', '2022年', '世界', '杯', '冠军', '国家']);
  assert.equal(matchExpression('１２月的会议'), '"12" OR "12 月" OR "会议"', 'full-width digits too; FTS5 sees the phrase as indexed');
  assert.deepEqual(keywordTerms('3 年'), ['3', '年'], 'apart, they are two words');
  assert.deepEqual(keywordTerms('是什么？'), ['是', '什么'], 'only stop words: keep them rather than nothing');
});

test('query terms are folded like the index folds them', () => {
  assert.deepEqual(queryTerms('Ｔｏｋｙｏ ＡＢＣ'), ['tokyo', 'abc']);
});

test('a query is read up to its 64th distinct keyword; stop words and repeats do not count', () => {
  const words = Array.from({ length: 5_000 }, (_, i) => `w${i}`);
  const long = 'The ' + words.map((w) => `${w} of ${w}`).join(' and the ');
  const { text, terms } = searchQuery(long);
  assert.equal(terms.length, 64);
  assert.deepEqual(terms.slice(0, 2), ['w0', 'w1']);
  assert.equal(terms.at(-1), 'w63');
  assert.ok(text.endsWith('w62 and the w63'), text.slice(-30));
  // A query within the limit is left as it is (not even normalised).
  assert.deepEqual(searchQuery('What is ＧＰＴ？'), { text: 'What is ＧＰＴ？', terms: ['gpt'] });
  // The cut also falls after a word inside a CJK run.
  const cjk = searchQuery(`${words.slice(0, 63).join(' ')} 東京に行きました`);
  assert.equal(cjk.terms.at(-1), '東京');
  assert.ok(cjk.text.endsWith('w62 東京'), cjk.text.slice(-20));
});

test('weighted reciprocal rank fusion rewards agreement and respects weights', () => {
  const fused = fuse({ bm25: [1, 2, 3], vector: [1, 3, 4] }, { bm25: 1, vector: 1 });
  assert.equal(fused[0]!.id, 1);
  assert.deepEqual(fused[0]!.ranks, { bm25: 1, vector: 1 });
  assert.ok(Math.abs(fused[0]!.score - 2 / 61) < 1e-12);
  assert.ok(fused.findIndex((f) => f.id === 3) < fused.findIndex((f) => f.id === 2), 'found by both beats found by one');
  const vectorHeavy = fuse({ bm25: [1], vector: [2] }, { bm25: 0.2, vector: 1 });
  assert.equal(vectorHeavy[0]!.id, 2);
});

test('snippets show the densest matching window with highlight ranges', () => {
  const text = 'Filler words here. '.repeat(30) + 'The indexing pipeline indexes documents quickly. ' + 'More filler text. '.repeat(30);
  const { snippet, highlights } = makeSnippet(text, queryTerms('index documents'), 120);
  assert.ok(snippet.length <= 122);
  assert.ok(snippet.startsWith('…') && snippet.endsWith('…'));
  const marked = highlights.map(([s, e]) => snippet.slice(s, e).toLowerCase());
  assert.ok(marked.includes('indexing') && marked.includes('indexes') && marked.includes('documents'), marked.join(','));
  const cjk = makeSnippet('今日は東京に行きました', queryTerms('東京'));
  assert.deepEqual(cjk.highlights.map(([s, e]) => cjk.snippet.slice(s, e)), ['東京']);
});

test('highlights fold case, accents and compatibility forms, and never start inside a word', () => {
  const marked = (text: string, query: string) => {
    const { snippet, highlights } = makeSnippet(text, keywordTerms(query));
    return highlights.map(([s, e]) => snippet.slice(s, e));
  };
  assert.deepEqual(marked('Café CAFÉ cafe cafeteria e\u0301te\u0301', 'cafe ete'), ['Café', 'CAFÉ', 'cafe', 'e\u0301te\u0301']);
  assert.deepEqual(marked('Running runners run; rerun', 'running'), ['Running', 'run']);
  assert.deepEqual(marked('模型gpt4s和ＧＰＴ４，xgpt4', 'gpt4'), ['gpt4s', 'ＧＰＴ４']);
  assert.deepEqual(marked('ωgpt4 한국어 한국', 'gpt4 한국'), ['한국'], 'a letter of any script before a word joins it');
  assert.deepEqual(marked('the ﬁnal ﬁgure: ½ of ㈱東洋', 'final figure 東洋'), ['ﬁnal', 'ﬁgure', '東洋']);
});
