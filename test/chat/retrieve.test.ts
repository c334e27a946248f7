import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retrieve, termCoverage, weightedSearch } from '../../app/chat/index.ts';
import type { SearchHit, SearchRequest, SearchResponse } from '../../app/contract/index.ts';

function hit(id: number, text: string, ranks: SearchHit['ranks'], score = 0): SearchHit {
  return {
    chunkId: id, documentId: id, uri: `/d/${id}.md`, title: `Doc ${id}`, kind: 'file', page: null, headingPath: [], text, snippet: text,
    highlights: [], score, ranks, date: null, from: null,
  };
}

/** A search function that answers hybrid and vector requests from fixed lists, and records them. */
function fakeSearch(hybrid: SearchHit[], vector: SearchHit[], mode: 'hybrid' | 'bm25' = 'hybrid') {
  const requests: SearchRequest[] = [];
  const search = async (request: SearchRequest): Promise<SearchResponse> => {
    requests.push(request);
    const hits = request.mode === 'vector' ? vector : hybrid;
    return { hits, mode: request.mode === 'vector' ? 'vector' : mode, keywordOnly: mode === 'bm25', notice: null };
  };
  return { search, requests };
}

const base = { query: 'lease rules for pets and dogs', scope: { type: 'all' as const }, filters: {}, k: 8, minSimilarity: 0.5 };

test('keyword hits holding too few of the key terms, and far meaning-only hits, are cut', async () => {
  const strong = hit(1, 'The lease has rules: pets allowed, dogs on a leash.', { bm25: 1, vector: 3 });
  const weak = hit(2, 'The new rules for parking.', { bm25: 2 });
  const near = hit(3, 'Animals in the flat: cats and hounds welcome.', { vector: 1 });
  const far = hit(4, 'A recipe for soup.', { vector: 2 });
  const { search, requests } = fakeSearch([strong, weak, near, far], [hit(3, '', {}, 0.71), hit(4, '', {}, 0.2), hit(2, '', {}, 0.1)]);
  const found = await retrieve(search, base);
  assert.deepEqual(found.hits.map((h) => h.chunkId), [1, 3]);
  assert.equal(found.dropped, 2);
  assert.deepEqual(requests.map((r) => r.mode), ['hybrid', 'vector']);
  assert.equal(requests[1]!.k, 50);
});

test('hits that carry their cosine similarity are cut by it without a second search', async () => {
  const strong = hit(1, 'The lease has rules: pets allowed, dogs on a leash.', { bm25: 1, vector: 3 });
  const weak = hit(2, 'The new rules for parking.', { bm25: 2 });
  const near = { ...hit(3, 'Animals in the flat: cats and hounds welcome.', { vector: 1 }), similarity: 0.71 };
  const far = { ...hit(4, 'A recipe for soup.', { vector: 2 }), similarity: 0.2 };
  const { search, requests } = fakeSearch([{ ...strong, similarity: 0.8 }, weak, near, far], []);
  const found = await retrieve(search, base);
  assert.deepEqual(found.hits.map((h) => h.chunkId), [1, 3]);
  assert.equal(found.dropped, 2);
  assert.deepEqual(requests.map((r) => r.mode), ['hybrid']);
});

test('keyword-only libraries never ask for vectors; a lone match is kept when nothing matches more', async () => {
  const { search, requests } = fakeSearch([hit(1, 'Dogs must be registered.', { bm25: 1 })], [], 'bm25');
  assert.deepEqual((await retrieve(search, base)).hits.map((h) => h.chunkId), [1]);
  assert.deepEqual(requests.map((r) => r.mode), ['hybrid']);
});

test('the keyword and meaning balance chooses the search: keywords only, meaning only, or both weighted', async () => {
  assert.deepEqual(weightedSearch(0), { mode: 'bm25' });
  assert.deepEqual(weightedSearch(1), { mode: 'vector' });
  assert.deepEqual(weightedSearch(), { mode: 'hybrid', weights: { bm25: 1, vector: 1 } });
  assert.deepEqual(weightedSearch(0.75), { mode: 'hybrid', weights: { bm25: 0.5, vector: 1.5 } });
  const { search, requests } = fakeSearch([], []);
  await retrieve(search, { ...base, meaningWeight: 0.25 });
  await retrieve(search, { ...base, meaningWeight: 0 });
  assert.deepEqual(requests.map((r) => [r.mode, r.weights]), [['hybrid', { bm25: 1.5, vector: 0.5 }], ['bm25', undefined]]);
});

test('the scope becomes the source filter; scope none searches nothing', async () => {
  const { search, requests } = fakeSearch([], []);
  await retrieve(search, { ...base, scope: { type: 'sources', sourceIds: [4, 5] }, filters: { kinds: ['email'], sourceIds: [9] } });
  assert.deepEqual(requests[0]!.filters, { kinds: ['email'], sourceIds: [4, 5] });
  const none = await retrieve(search, { ...base, scope: { type: 'none' } });
  assert.deepEqual(none.hits, []);
  assert.equal(requests.length, 1);
});

test('term coverage forgives English endings and reads CJK without spaces', () => {
  assert.equal(termCoverage(['termination', 'contract', 'notice'], 'The contracts may be terminated.'), 2);
  assert.equal(termCoverage(['cat'], 'concatenate'), 0, 'short terms match whole words only');
  assert.equal(termCoverage(['学习', '京都'], '我们正在学习中文'), 1);
});
