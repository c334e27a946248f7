import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rankChunks, type PageText } from '../../app/web/index.ts';
import { paragraph } from '../support/corpus.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';

const pages: PageText[] = [
  { url: 'https://a.example/filler', title: 'Filler', sections: [{ text: `${paragraph(1, 80)}\n\n${paragraph(2, 80)}`, headingPath: [] }] },
  {
    url: 'https://b.example/trams',
    title: 'Lisbon trams',
    sections: [
      { text: paragraph(3, 120), headingPath: ['Intro'] },
      { text: 'The funicular of Bica opened in 1892 and climbs the steepest street of Lisbon. Its two cars pass each other halfway up, and it was made a national monument in 2002.', headingPath: ['Funiculars'] },
      { text: paragraph(4, 120), headingPath: ['More'] },
    ],
  },
  { url: 'https://c.example/boats', title: 'Ferries', sections: [{ text: 'Ferries cross the Tagus from Cais do Sodré every twenty minutes.', headingPath: [] }] },
];

test('keyword ranking like the library: the chunk holding the question words comes first; pages with none are left out', async () => {
  const ranked = await rankChunks('When did the Bica funicular open?', pages);
  assert.equal(ranked[0]!.url, 'https://b.example/trams');
  assert.match(ranked[0]!.text, /opened in 1892/);
  assert.deepEqual(ranked[0]!.headingPath, ['Funiculars']);
  assert.equal(ranked[0]!.site, 'b.example');
  assert.ok(ranked[0]!.ranks.bm25 === 1);
  assert.ok(ranked.every((c) => c.url === 'https://b.example/trams'), 'filler and ferries share no word with the question');
});

test('with an embedder, meaning counts too (fused with BM25), and no page gives more than perPage chunks', async () => {
  const embedder = new FakeEmbedder();
  const ranked = await rankChunks('Ferries cross the Tagus river', pages, { embedder, perPage: 1, limit: 5 });
  assert.equal(ranked[0]!.url, 'https://c.example/boats');
  assert.ok(ranked[0]!.ranks.vector !== undefined && ranked[0]!.ranks.bm25 !== undefined, 'found by both');
  const perUrl = new Map<string, number>();
  for (const c of ranked) perUrl.set(c.url, (perUrl.get(c.url) ?? 0) + 1);
  assert.ok([...perUrl.values()].every((n) => n <= 1));
  assert.equal(embedder.calls, 2, 'the question embedded (as a query), then every chunk in one call (as documents)');
});

test('nothing to rank gives nothing', async () => {
  assert.deepEqual(await rankChunks('anything', []), []);
  assert.deepEqual(await rankChunks('zzzz qqqq', pages), []);
});

test('web pages are normalised like the library: full-width letters and digits are found by their plain form', async () => {
  const fullWidth: PageText[] = [
    ...pages,
    { url: 'https://d.example/models', title: '模型', sections: [{ text: '我们测试了ＧＰＴ４模型，２２号交报告。', headingPath: [] }] },
  ];
  for (const question of ['gpt4', 'ＧＰＴ４', 'the 22']) {
    const ranked = await rankChunks(question, fullWidth);
    assert.equal(ranked[0]?.url, 'https://d.example/models', question);
  }
});
