import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, fuse, makeSnippet, matchExpression, queryTerms } from '../../app/search/index.ts';

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

test('query terms are folded like the index folds them', () => {
  assert.deepEqual(queryTerms('Ｔｏｋｙｏ ＡＢＣ'), ['tokyo', 'abc']);
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
