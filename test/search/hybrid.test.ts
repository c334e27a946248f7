import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Engine } from '../../app/engine.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { tempDir } from '../support/corpus.ts';

function email(from: string, to: string, cc: string, date: string, subject: string, body: string): string {
  return [
    `From: ${from}`, `To: ${to}`, ...(cc ? [`Cc: ${cc}`] : []), `Date: ${date}`, `Subject: ${subject}`,
    `Message-ID: <${Math.abs(hash(subject))}@example.com>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, '',
  ].join('\r\n');
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

let engine: Engine;
let dir: string;

before(async () => {
  dir = tempDir();
  mkdirSync(join(dir, 'mail'));
  mkdirSync(join(dir, 'notes'));
  writeFileSync(join(dir, 'mail', 'invoice.eml'), email('Alice Smith <alice@example.com>', 'Bob <bob@example.com>', 'Carol <carol@example.com>', 'Mon, 02 Nov 2026 10:00:00 +0000', 'Invoice for October', 'Please pay the invoice for the October consulting work.'));
  writeFileSync(join(dir, 'mail', 'old-invoice.eml'), email('Alice Smith <alice@example.com>', 'Bob <bob@example.com>', '', 'Mon, 02 Mar 2026 10:00:00 +0000', 'Invoice for February', 'The February invoice is attached as text.'));
  writeFileSync(join(dir, 'mail', 'lunch.eml'), email('Dave <dave@example.com>', 'Alice Smith <alice@example.com>', '', 'Tue, 03 Nov 2026 12:00:00 +0000', 'Lunch', 'Lunch on Friday? Also, the invoice question.'));
  writeFileSync(join(dir, 'notes', 'invoice-howto.md'), '# Invoices\n\nHow we write an invoice: number, date, amount.\n');
  writeFileSync(join(dir, 'notes', 'chinese.md'), '# 学习笔记\n\n我们正在学习中文。机器学习是人工智能的一个分支。\n');
  writeFileSync(join(dir, 'notes', 'japanese.md'), '# 旅行\n\n東京都に住んでいます。京都へ旅行に行きました。\n');
  writeFileSync(join(dir, 'notes', 'accents.md'), '# Café notes\n\nThe naïve café served crème brûlée.\n');
  writeFileSync(join(dir, 'notes', 'fullwidth.md'), '# 模型笔记\n\n我们测试了ＧＰＴ４模型，２２号交报告。The ﬁnal ﬁgures came from ㈱東洋商事.\n');
  engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: new FakeEmbedder() });
  engine.add([dir]);
  const summary = await engine.index();
  assert.equal(summary.errors, 0);
});

after(() => engine.close());

const titles = async (query: string, filters = {}, mode: 'bm25' | 'vector' | 'hybrid' = 'bm25') =>
  (await engine.search({ query, filters, mode, k: 20 })).hits.map((h) => h.title).sort();

test('emails are filtered by sender, recipient (to or cc), kind and date range', async () => {
  assert.deepEqual(await titles('invoice'), ['Invoice for February', 'Invoice for October', 'Invoices', 'Lunch']);
  assert.deepEqual(await titles('invoice', { from: 'alice' }), ['Invoice for February', 'Invoice for October']);
  assert.deepEqual(await titles('invoice', { from: 'ALICE@example.com' }), ['Invoice for February', 'Invoice for October']);
  assert.deepEqual(await titles('invoice', { to: 'carol' }), ['Invoice for October']);
  assert.deepEqual(await titles('invoice', { to: 'alice' }), ['Lunch']);
  assert.deepEqual(await titles('invoice', { kinds: ['email'], dateFrom: '2026-10-26', dateTo: '2026-11-03T00:00:00Z' }), ['Invoice for October']);
  assert.deepEqual(await titles('invoice', { kinds: ['file'] }), ['Invoices']);
  assert.deepEqual(await titles('invoice', { pathPrefix: join(dir, 'notes') }), ['Invoices']);
  assert.deepEqual(await titles('invoice', { from: '100%_' }), [], 'LIKE wildcards in a filter are literal');
});

test('filters apply to vector search too', async () => {
  const hits = await titles('invoice October consulting', { from: 'dave' }, 'vector');
  assert.deepEqual(hits, ['Lunch']);
});

test('hits carry the email sender and date, a snippet and highlight ranges', async () => {
  const { hits } = await engine.search({ query: 'October consulting', mode: 'bm25', filters: { kinds: ['email'] } });
  const hit = hits[0]!;
  assert.equal(hit.title, 'Invoice for October');
  assert.match(hit.from ?? '', /alice@example.com/);
  assert.equal(new Date(hit.date!).toISOString(), '2026-11-02T10:00:00.000Z');
  assert.ok(hit.highlights.length >= 2);
  for (const [s, e] of hit.highlights) assert.match(hit.snippet.slice(s, e), /october|consulting/i);
});

test('snippets are made only for as many hits as asked (a caller that shows few need not pay for all)', async () => {
  const all = await engine.search({ query: 'invoice', mode: 'bm25', k: 5 });
  assert.ok(all.hits.length >= 4 && all.hits.every((h) => h.snippet && h.highlights.length > 0));
  const two = await engine.search({ query: 'invoice', mode: 'bm25', k: 5, snippets: 2 });
  assert.deepEqual(two.hits.map((h) => h.chunkId), all.hits.map((h) => h.chunkId));
  assert.deepEqual(two.hits.slice(0, 2), all.hits.slice(0, 2));
  for (const hit of two.hits.slice(2)) assert.deepEqual([hit.snippet, hit.highlights], ['', []]);
  const none = await engine.search({ query: 'invoice', mode: 'bm25', k: 5, snippets: 0 });
  assert.ok(none.hits.every((h) => h.snippet === '' && h.text));
  await assert.rejects(engine.search({ query: 'invoice', snippets: -1 }), { code: 'bad-request' });
});

test('Chinese and Japanese words are found inside running text; accents fold', async () => {
  assert.deepEqual(await titles('学习'), ['学习笔记']);
  assert.deepEqual(await titles('人工智能'), ['学习笔记']);
  assert.deepEqual(await titles('京都'), ['旅行']);
  assert.deepEqual(await titles('cafe creme'), ['Café notes']);
  assert.deepEqual(await titles('naive'), ['Café notes']);
});

test('full-width letters and digits, ligatures and other compatibility forms are found by their plain form and by themselves', async () => {
  for (const query of ['gpt4', 'ＧＰＴ４', 'GPT4', '22', '２２', 'final figures', 'ﬁgures', '株']) {
    assert.deepEqual(await titles(query), ['模型笔记'], query);
  }
  // Highlights point at the original text, though normalising changed its length (ﬁ → fi, ㈱ → (株)).
  const marked = async (query: string) => {
    const [hit] = (await engine.search({ query, mode: 'bm25', k: 1 })).hits;
    return hit!.highlights.map(([s, e]) => hit!.snippet.slice(s, e));
  };
  assert.deepEqual(await marked('gpt4 22'), ['ＧＰＴ４', '２２']);
  assert.deepEqual(await marked('final figures'), ['ﬁnal', 'ﬁgures']);
  assert.deepEqual(await marked('株 東洋'), ['㈱', '東洋']);
});

test('English stemming finds other forms of a word', async () => {
  assert.ok((await titles('invoices')).includes('Invoice for October'));
  assert.ok((await titles('writing invoices')).includes('Invoices'));
});

test('any query is safe: syntax, quotes, emoji, empty and huge queries never raise', async () => {
  const nasty = [
    '', '   ', '"', '""', "'", 'AND', 'OR NOT', 'NEAR(a b)', '*', 'invoice*', '^invoice', 'col:invoice', '(((', ')',
    'a" OR "b', '😀🎉', '🤷 invoice 🤷', '\u0000', '\\', '%_', 'SELECT * FROM chunks; DROP TABLE chunks;--',
    'x'.repeat(10_000), 'invoice '.repeat(1_250), Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' '),
  ];
  for (const query of nasty) {
    for (const mode of ['bm25', 'vector', 'hybrid'] as const) {
      const response = await engine.search({ query, mode });
      assert.ok(Array.isArray(response.hits), `${mode}: ${query.slice(0, 20)}`);
    }
  }
  assert.deepEqual((await engine.search({ query: '' })).hits, []);
  assert.ok((await engine.search({ query: '🤷 invoice 🤷', mode: 'bm25' })).hits.length > 0);
  assert.ok((await engine.search({ query: 'invoice '.repeat(1_250), mode: 'bm25' })).hits.length > 0);
  assert.equal(engine.status().chunks > 0, true, 'the library survived');
});

test('a query longer than 100,000 characters is searched on its first words instead of refused', async () => {
  // Search reads only the first 64 distinct words of a query: the rest cannot change the result.
  const long = 'October consulting ' + Array.from({ length: 20_000 }, (_, i) => `filler${i}`).join(' ');
  assert.ok(long.length > 100_000);
  for (const mode of ['bm25', 'vector', 'hybrid'] as const) {
    const response = await engine.search({ query: long, mode, k: 3 });
    assert.equal(response.hits[0]?.title, 'Invoice for October', mode);
  }
  // Only a request too big to be a query at all is refused (the contract's cap for transport).
  await assert.rejects(engine.search({ query: 'x '.repeat(600_000) }), { code: 'bad-request', message: /at most 1,000,000 characters/ });
});

test('bad requests are refused with a typed error, not an SQL one', async () => {
  await assert.rejects(engine.search({ query: 'x', k: 0 }), { code: 'bad-request' });
  await assert.rejects(engine.search({ query: 'x', filters: { dateFrom: 'not a date' } }), { code: 'bad-request' });
  await assert.rejects(engine.search({ query: 'x', mode: 'fuzzy' as 'bm25' }), { code: 'bad-request' });
});

test('hybrid fuses keyword and vector ranks; weights shift the balance', async () => {
  const response = await engine.search({ query: 'invoice October', mode: 'hybrid', k: 5 });
  assert.equal(response.mode, 'hybrid');
  assert.equal(response.keywordOnly, false);
  const top = response.hits[0]!;
  assert.equal(top.title, 'Invoice for October');
  assert.ok(top.ranks.bm25 !== undefined && top.ranks.vector !== undefined, 'found by both');
  const keywordOnly = await engine.search({ query: 'invoice October', mode: 'hybrid', k: 5, weights: { bm25: 1, vector: 0 } });
  for (const hit of keywordOnly.hits) assert.ok(hit.ranks.bm25 !== undefined || hit.score === 0);
});

test('hybrid hits found by vector search carry the cosine similarity vector mode reports as their score', async () => {
  const hybrid = await engine.search({ query: 'invoice October consulting', mode: 'hybrid', k: 8 });
  const vector = new Map((await engine.search({ query: 'invoice October consulting', mode: 'vector', k: 50 })).hits.map((h) => [h.chunkId, h.score]));
  assert.ok(hybrid.hits.some((h) => h.ranks.vector !== undefined));
  for (const hit of hybrid.hits) {
    if (hit.ranks.vector === undefined) assert.equal(hit.similarity, undefined);
    else assert.equal(hit.similarity, vector.get(hit.chunkId));
  }
});

test('a query searched again is not embedded again', async () => {
  const embedder = new FakeEmbedder();
  const local = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder });
  try {
    local.add([join(dir, 'notes')]);
    await local.index();
    const before = embedder.calls;
    const first = await local.search({ query: 'invoice amount', mode: 'hybrid', k: 5 });
    const second = await local.search({ query: 'invoice amount', mode: 'vector', k: 5 });
    assert.equal(embedder.calls, before + 1);
    assert.equal(second.mode, 'vector');
    assert.ok(first.hits.length > 0 && second.hits.length > 0);
    await local.search({ query: 'café', mode: 'vector', k: 5 });
    assert.equal(embedder.calls, before + 2, 'another query is embedded');
  } finally {
    await local.close();
  }
});
