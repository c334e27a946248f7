import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SearchFilters } from '../../app/contract/index.ts';
import { analyze } from '../../app/search/analyze.ts';
import { KeywordRanking } from '../../app/search/keyword-ranking.ts';
import { AllowedChunks, filterCondition, Library, type SqlCondition } from '../../app/store/index.ts';
import { docInput } from '../support/documents.ts';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const random = seeded(5);
const words = 'zebrafish kinase protein cell tissue invoice lunch october report model river mountain'.split(' ');
const text = (n: number) => Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(' ');
const DIMS = 128;
const vector = () => {
  const v = Float32Array.from({ length: DIMS }, () => random() - 0.5);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};

/** A library of files and emails in two sources, dated, with a vector per chunk. */
function makeLibrary(): { library: Library; add: (path: string, extra?: Parameters<typeof docInput>[2], chunks?: number) => number } {
  const library = Library.open(':memory:');
  const model = library.models.register('test:128', { type: 'test', dimensions: DIMS }, DIMS, 'active');
  const store = library.models.store(model);
  const add = (path: string, extra: Parameters<typeof docInput>[2] = {}, chunks = 1 + Math.floor(random() * 4)) =>
    library.transaction(() => {
      const source = library.sources.ensure('import', path.split('/').slice(0, 2).join('/'), 'test');
      const id = library.documents.upsert(docInput(source.id, path, extra));
      const texts = Array.from({ length: chunks }, () => text(10 + Math.floor(random() * 20)));
      const ids = library.documents.insertChunks(id, texts.map((t) => ({ text: t, start: 0, end: t.length, page: null, headingPath: [], tokenCount: 1, ftsTitle: analyze(path), ftsBody: analyze(t) })));
      for (const chunkId of ids) store.put(chunkId, vector());
      return id;
    });
  for (let n = 0; n < 120; n++) {
    const email = n % 3 === 0;
    add(`/${n % 2 ? 'a' : 'b'}/${email ? 'mail' : 'notes'}/${n}`, { kind: email ? 'email' : 'file', date: n * 1000, sender: email ? `person${n % 5}@example.com` : null });
  }
  return { library, add };
}

const condition = (filters: SearchFilters): SqlCondition => filterCondition(SearchFilters.parse(filters))!;

/** The chunks the filter lets through, straight from SQL. */
function truth(library: Library, where: SqlCondition): number[] {
  return library.db.prepare(`SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE ${where.sql} ORDER BY c.id`).pluck().all(...where.params) as number[];
}

function allowedIds(library: Library, where: SqlCondition): number[] | null {
  const allowed = library.retrieval.allowedChunks(where);
  if (!allowed) return null;
  const all = library.db.prepare('SELECT id FROM chunks ORDER BY id').pluck().all() as number[];
  const ids = all.filter((id) => allowed.has(id));
  assert.equal(allowed.count, ids.length);
  return ids;
}

function filtersOf(library: Library): SearchFilters[] {
  const sources = library.sources.list().map((s) => s.id);
  return [
    { kinds: ['email'] },
    { kinds: ['file'] },
    { sourceIds: [sources[0]!] },
    { pathPrefix: '/a/notes' },
    { dateFrom: new Date(20_000).toISOString(), dateTo: new Date(60_000).toISOString() },
    { from: 'person2' },
    { kinds: ['email'], pathPrefix: '/b' },
    { pathPrefix: '/b/notes/100' }, // one document: few enough that vector search lists them
  ];
}

test('the chunks a filter allows are exactly those of the documents it passes, for every kind of filter; one that passes every document tests nothing', () => {
  const { library } = makeLibrary();
  for (const filters of filtersOf(library)) {
    const where = condition(filters);
    const expected = truth(library, where);
    assert.ok(expected.length > 0, JSON.stringify(filters));
    assert.deepEqual(allowedIds(library, where), expected, JSON.stringify(filters));
  }
  const everything = condition({ sourceIds: library.sources.list().map((s) => s.id) });
  assert.equal(library.retrieval.allowedChunks(everything), null);
  assert.equal(library.retrieval.allowedChunks(condition({ kinds: ['file', 'email'] })), null);
  assert.deepEqual(allowedIds(library, condition({ kinds: ['web'] })), []);
  library.close();
});

test('a library that changes between two filtered searches is filtered as it is now: documents added and removed, chunk ids reused, ids past the bitmap', () => {
  const { library, add } = makeLibrary();
  const where = condition({ kinds: ['email'] });
  const check = (label: string) => assert.deepEqual(allowedIds(library, where), truth(library, where), label);
  check('before');
  // New chunk ids far beyond what the bitmap held.
  for (let n = 0; n < 40; n++) add(`/a/mail/new${n}`, { kind: 'email', date: 1 }, 30);
  check('added');
  // The highest chunks removed, and their ids handed out again to a document that does not pass.
  const last = library.db.prepare('SELECT document_id FROM chunks ORDER BY id DESC LIMIT 1').pluck().get() as number;
  const before = library.db.prepare('SELECT max(id) FROM chunks').pluck().get() as number;
  library.transaction(() => library.documents.removeById(last));
  check('removed');
  add('/a/notes/reused', { kind: 'file' }, 30);
  assert.ok((library.db.prepare('SELECT max(id) FROM chunks').pluck().get() as number) >= before, 'chunk ids were reused');
  check('ids reused by a file');
  // More filters in turn than are kept: each still right.
  for (let round = 0; round < 2; round++) for (const filters of [...filtersOf(library), ...filtersOf(library)]) {
    const w = condition(filters);
    assert.deepEqual(allowedIds(library, w), truth(library, w), JSON.stringify(filters));
  }
  library.close();
});

test('AllowedChunks holds ids of any size, lists them in order and forgets the last set when given a new one', () => {
  const allowed = new AllowedChunks();
  allowed.set([3, 2 ** 27 + 5, 2 ** 40]);
  assert.deepEqual([0, 3, 4, 2 ** 27 + 5, 2 ** 40, 2 ** 40 + 1].map((id) => allowed.has(id)), [false, true, false, true, true, false]);
  assert.equal(allowed.count, 3);
  assert.deepEqual(allowed.ids(), [3, 2 ** 27 + 5, 2 ** 40]);
  allowed.set([5_000, 1]);
  assert.deepEqual([1, 3, 5_000, 2 ** 27 + 5, 2 ** 40, 1e9].map((id) => allowed.has(id)), [true, false, true, false, false, false]);
  assert.equal(allowed.count, 2);
  assert.deepEqual(allowed.ids(), [1, 5_000]);
});

test('filtered keyword and vector results are the unfiltered results restricted to the filter, as the library changes', () => {
  const { library, add } = makeLibrary();
  const ranking = new KeywordRanking(library);
  const store = library.models.store(library.models.byState('active')!);
  const query = vector();
  const compare = (label: string) => {
    const total = library.db.prepare('SELECT count(*) FROM chunks').pluck().get() as number;
    const keywords = ranking.hits(['kinase', 'river', 'lunch'], total, 2);
    const nearest = store.nearest(query, total);
    assert.ok(keywords.length > 50 && nearest.length === total, label);
    for (const filters of filtersOf(library)) {
      const where = condition(filters);
      const passes = new Set(truth(library, where));
      const name = `${label} ${JSON.stringify(filters)}`;
      assert.deepEqual(ranking.hits(['kinase', 'river', 'lunch'], total, 2, where), keywords.filter((h) => passes.has(h.chunkId)), `keywords ${name}`);
      assert.deepEqual(store.nearest(query, total, where), nearest.filter((h) => passes.has(h.chunkId)), `vectors ${name}`);
    }
  };
  compare('first');
  for (let n = 0; n < 10; n++) add(`/b/mail/more${n}`, { kind: 'email', date: 30_000, sender: 'person2@example.com' }, 20);
  library.transaction(() => library.documents.removeByPath('/a/notes/1'));
  compare('changed');
  library.close();
});
