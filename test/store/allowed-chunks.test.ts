import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { SearchFilters } from '../../app/contract/index.ts';
import { analyze } from '../../app/search/analyze.ts';
import { KeywordRanking } from '../../app/search/keyword-ranking.ts';
import { ChunkDocuments } from '../../app/store/chunk-documents.ts';
import { AllowedChunks, filterCondition, Library, type SqlCondition } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';
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

/** The map of each chunk's document, compared with SQL's, id by id (a new mark each time: it catches up). */
let marks = 0;
function assertMapIsSql(map: ChunkDocuments, library: Library, label: string): void {
  const held = library.snapshot(() => map.current(`test ${++marks}`));
  assert.ok(held, label);
  const rows = library.db.prepare('SELECT id, document_id FROM chunks ORDER BY id').raw().all() as [number, number][];
  const truth = new Map(rows);
  const wrong: string[] = [];
  const last = Math.max(held.documentOf.length - 1, rows.at(-1)?.[0] ?? 0);
  for (let id = 0; id <= last && wrong.length < 5; id++) {
    const has = held.documentOf[id] ?? 0;
    if (has !== (truth.get(id) ?? 0)) wrong.push(`chunk ${id}: ${has}, not ${truth.get(id) ?? 0}`);
  }
  assert.deepEqual(wrong, [], label);
  assert.equal(held.top, rows.at(-1)?.[0] ?? 0, `${label}: top`);
}

/** A library of `documents` documents with `perDocument` chunks each (no vectors), alternating kinds, dated by number. */
function plainLibrary(path: string, documents: number, perDocument: number) {
  const library = Library.open(path);
  const source = library.transaction(() => library.sources.ensure('import', '/p', 'p'));
  const add = (name: string, chunks: number, extra: Parameters<typeof docInput>[2] = {}) =>
    library.transaction(() => {
      const id = library.documents.upsert(docInput(source.id, `/p/${name}`, extra));
      library.documents.insertChunks(id, Array.from({ length: chunks }, () => ({ text: 't', start: 0, end: 1, page: null, headingPath: [], tokenCount: 1, ftsTitle: 'p', ftsBody: 't' })));
      return id;
    });
  for (let n = 0; n < documents; n++) add(`${n}`, perDocument, { kind: n % 2 ? 'email' : 'file', date: n });
  return { library, add };
}

test('the map of chunks to documents is caught up with every kind of change without reading every chunk again, and equals SQL after each', () => {
  // 5,000 chunks: five blocks of 1,024 ids.
  const { library, add } = plainLibrary(':memory:', 500, 10);
  const map = new ChunkDocuments(library.db);
  const db = library.db;
  const newest = () => db.prepare('SELECT document_id FROM chunks ORDER BY id DESC LIMIT 1').pluck().get() as number;
  assertMapIsSql(map, library, 'read whole');
  add('new', 7);
  assertMapIsSql(map, library, 'a document added');
  add('100', 12, { kind: 'email' });
  assertMapIsSql(map, library, 'a document in the middle read again (its chunks get new ids)');
  library.transaction(() => library.documents.removeByPath('/p/200'));
  assertMapIsSql(map, library, 'a document in the middle removed');
  // Between two looks: the newest document removed and its chunk ids handed to another one.
  library.transaction(() => library.documents.removeById(newest()));
  add('reuses', 12);
  assertMapIsSql(map, library, 'the highest ids reused by another document');
  // The newest re-read in place: the same ids, the same document.
  const top = db.prepare('SELECT uri FROM documents WHERE id = ?').pluck().get(newest()) as string;
  add(top.slice('/p/'.length), 12);
  assertMapIsSql(map, library, 'the newest document read again');
  // Whole blocks emptied below the highest ids; then the highest removed, so that ids in those
  // blocks, where nothing changed since, are handed out again.
  const removeAbove = (from: number, to: number) =>
    library.transaction(() => {
      for (const id of db.prepare('SELECT DISTINCT document_id FROM chunks WHERE id > (SELECT max(id) - ? FROM chunks) AND id <= (SELECT max(id) - ? FROM chunks)').pluck().all(from, to) as number[]) library.documents.removeById(id);
    });
  removeAbove(3_500, 1_200);
  assertMapIsSql(map, library, 'blocks emptied');
  removeAbove(1_200, 0);
  for (let n = 0; n < 30; n++) add(`refill${n}`, 5 + (n % 3));
  assertMapIsSql(map, library, 'the highest ids removed, and ids in the emptied blocks handed out again');
  // Chunks written otherwise than the pipeline does: one moved to another document, one at an id of its own choosing.
  db.prepare('UPDATE chunks SET document_id = ? WHERE id = 1500').run(3);
  assertMapIsSql(map, library, 'a chunk given another document');
  assert.equal(db.prepare('DELETE FROM chunks WHERE id = 100').run().changes, 1);
  assertMapIsSql(map, library, 'a chunk deleted');
  db.prepare(`INSERT INTO chunks (id, document_id, ordinal, text, start_offset, end_offset, token_count) VALUES (100, 9, 99, 't', 0, 1, 1)`).run();
  assertMapIsSql(map, library, 'a chunk written at an id of its own choosing');
  assert.equal(map.wholeReads, 2, 'read whole at first, and once when a chunk was written in a gap (the count told)');
  library.close();
});

test('a filter after random changes, by the connection that wrote them and by one that only reads (in a read transaction, as the keyword thread), allows exactly what SQL finds', () => {
  const path = join(tempDir(), 'library.db');
  const { library, add } = plainLibrary(path, 400, 8);
  const reader = Library.openReader(path);
  const rnd = seeded(11);
  const pick = () => (library.db.prepare('SELECT id FROM documents ORDER BY random() LIMIT 1').pluck().get() as number | undefined) ?? 0;
  const filters: SearchFilters[] = [{ kinds: ['email'] }, { dateFrom: new Date(100).toISOString(), dateTo: new Date(300).toISOString() }, { pathPrefix: '/p/1' }, { pathPrefix: '/p/3' }];
  const check = (label: string) => {
    for (const filters_ of filters) {
      const where = condition(filters_);
      const expected = truth(library, where);
      assert.deepEqual(allowedIds(library, where), expected, `${label}, writer, ${JSON.stringify(filters_)}`);
      // As the keyword thread asks: in a read transaction of its own.
      assert.deepEqual(reader.snapshot(() => allowedIds(reader, where)), expected, `${label}, reader, ${JSON.stringify(filters_)}`);
    }
  };
  check('at first');
  let made = 0;
  for (let step = 0; step < 60; step++) {
    const changes = 1 + Math.floor(rnd() * 3);
    const done: string[] = [];
    for (let c = 0; c < changes; c++) {
      const what = Math.floor(rnd() * 6);
      if (what === 0) add(`1new${made++}`, 1 + Math.floor(rnd() * 20), { kind: rnd() < 0.5 ? 'email' : 'file', date: Math.floor(rnd() * 400) });
      else if (what === 1) library.transaction(() => library.documents.removeById(pick()));
      else if (what === 2) {
        const uri = library.db.prepare('SELECT uri FROM documents WHERE id = ?').pluck().get(pick()) as string | undefined;
        if (uri) add(uri.slice('/p/'.length), 1 + Math.floor(rnd() * 20), { kind: rnd() < 0.5 ? 'email' : 'file', date: Math.floor(rnd() * 400) });
      } else if (what === 3) {
        // The newest documents removed: their ids go to whatever comes next.
        library.transaction(() => library.db.prepare('DELETE FROM documents WHERE id IN (SELECT document_id FROM chunks ORDER BY id DESC LIMIT ?)').run(1 + Math.floor(rnd() * 60)));
      } else if (what === 4) library.db.prepare('UPDATE documents SET date = ?, kind = ? WHERE id = ?').run(Math.floor(rnd() * 400), rnd() < 0.5 ? 'email' : 'file', pick());
      else library.db.prepare('UPDATE documents SET path = ? WHERE id = ?').run(`/p/3moved${made++}`, pick());
      done.push(String(what));
    }
    check(`step ${step} (changes ${done.join(', ')})`);
  }
  reader.close();
  library.close();
});

test('inside a write transaction, a filter sees its uncommitted chunks and keeps nothing that a rollback would leave wrong', () => {
  // Two blocks of chunk ids.
  const { library, add } = plainLibrary(':memory:', 300, 4);
  const filters = [condition({ kinds: ['email'] }), condition({ kinds: ['file'] })];
  for (const where of filters) assert.deepEqual(allowedIds(library, where), truth(library, where));
  assert.throws(() =>
    library.transaction(() => {
      add('gone', 9, { kind: 'email' });
      for (const where of filters) assert.deepEqual(allowedIds(library, where), truth(library, where), 'inside');
      throw new Error('rolled back');
    }),
  );
  // The ids the rolled-back chunks had now go to a file read again, in the first block.
  add('2', 9, { kind: 'file' });
  for (const where of filters) assert.deepEqual(allowedIds(library, where), truth(library, where), 'after the rollback');
  library.close();
});

test('chunk ids too large for the map are filtered by SQL', () => {
  const { library } = plainLibrary(':memory:', 20, 3);
  library.db.prepare(`INSERT INTO chunks (id, document_id, ordinal, text, start_offset, end_offset, token_count) VALUES (?, 2, 9, 't', 0, 1, 1)`).run(2 ** 27 + 5);
  const where = condition({ kinds: ['email'] });
  assert.deepEqual(allowedIds(library, where), truth(library, where));
  assert.ok(library.retrieval.allowedChunks(where)!.has(2 ** 27 + 5));
  library.close();
});
