// The keyword thread (app/search/keyword-thread.ts): a hybrid search that ranks keywords on a
// thread of its own answers exactly as one that ranks them on the engine's thread, whatever the
// mode, filters or state of the keyword index; it sees what the engine commits; and when it dies
// or throws, search goes on without it.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SearchFilters, SearchMode, SearchRequest } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { analyze, HybridSearch, keywordTerms, type HybridSearchOptions } from '../../app/search/index.ts';
import { KeywordRanking } from '../../app/search/keyword-ranking.ts';
import { KeywordThread } from '../../app/search/keyword-thread.ts';
import { Library } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';

const WORDS = ['invoice', 'harbour', 'lantern', 'meadow', 'quartz', 'copper', 'willow', 'falcon', 'ember', 'glacier', 'orchard', 'saffron', 'tundra', 'velvet', 'zephyr', 'die', 'throw'];

function email(from: string, to: string, date: string, subject: string, body: string): string {
  return [`From: ${from}`, `To: ${to}`, `Date: ${date}`, `Subject: ${subject}`, `Message-ID: <${subject.replaceAll(' ', '.')}@example.com>`,
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n');
}

/** Sentences of the words above, varied by `seed`: many chunks share words, with different counts. */
function text(seed: number, sentences: number): string {
  const out: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const words: string[] = [];
    for (let w = 0; w < 12; w++) words.push(WORDS[(seed * 7 + s * 5 + w * w * 3 + w) % WORDS.length]!);
    out.push(words.join(' ') + '.');
  }
  return out.join(' ');
}

let engine: Engine;
let embedder: FakeEmbedder;
let dir: string;
let library: Library;
const opened: HybridSearch[] = [];

before(async () => {
  dir = tempDir();
  mkdirSync(join(dir, 'notes'));
  mkdirSync(join(dir, 'mail'));
  for (let i = 0; i < 24; i++) writeFileSync(join(dir, 'notes', `note-${i}.md`), `# ${WORDS[i % WORDS.length]} note ${i}\n\n${text(i, 8)}\n`);
  const senders = ['Alice <alice@example.com>', 'Bob <bob@example.com>', 'Carol <carol@example.com>'];
  for (let i = 0; i < 12; i++) {
    const date = `Mon, ${String(1 + i).padStart(2, '0')} Nov 2026 10:00:00 +0000`;
    writeFileSync(join(dir, 'mail', `m${i}.eml`), email(senders[i % 3]!, senders[(i + 1) % 3]!, date, `${WORDS[(i * 3) % WORDS.length]} report ${i}`, text(100 + i, 3)));
  }
  embedder = new FakeEmbedder();
  engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder });
  engine.add([dir]);
  assert.equal((await engine.index()).errors, 0);
  library = engine.library;
});

after(async () => {
  for (const searcher of opened) await searcher.close();
  await engine.close();
});

function searcher(options: HybridSearchOptions = {}): HybridSearch {
  const made = new HybridSearch(library, async () => ({
    store: library.models.store(library.models.byState('active')!),
    embedQuery: (query) => embedder.embedQuery(query),
  }), options);
  opened.push(made);
  return made;
}

/** A searcher whose keyword thread is ready (it starts from the second search). */
async function threaded(options: HybridSearchOptions = {}): Promise<HybridSearch> {
  const made = searcher({ keywordThreadFrom: 0, spareCore: () => true, ...options });
  await made.search({ query: 'invoice' });
  await made.search({ query: 'invoice' });
  assert.equal(await made.keywordThreadReady(), true);
  return made;
}

const QUERIES = ['invoice', 'harbour lantern', 'quartz copper willow falcon', 'ember glacier orchard saffron tundra velvet', 'meadow report', 'zephyr', 'nothing matches xyzzy'];
const FILTERS: SearchFilters[] = [
  {}, { kinds: ['email'] }, { kinds: ['file'] }, { from: 'alice' }, { to: 'bob' },
  { dateFrom: '2026-11-03', dateTo: '2026-11-08' }, { kinds: ['email'], from: 'carol', dateFrom: '2026-11-02' },
];

test('the keyword thread answers as the engine thread does: same hits, order and scores, in every mode, with every filter', async () => {
  const logs: string[] = [];
  const [inThread, onThread] = [searcher({ keywordThreadFrom: Infinity }), await threaded({ log: (m) => logs.push(m) })];
  const sources = library.sources.list().map((s) => s.id);
  const filters = [...FILTERS, { pathPrefix: join(dir, 'notes') }, { sourceIds: sources.slice(0, 1) }];
  let compared = 0;
  for (const query of QUERIES) {
    for (const mode of ['hybrid', 'bm25', 'vector'] as SearchMode[]) {
      for (const f of filters) {
        const request: SearchRequest = { query, mode, k: 10, filters: f };
        const expected = await inThread.search(request);
        assert.deepEqual(await onThread.search(request), expected, `${mode} "${query}" ${JSON.stringify(f)}`);
        if (expected.hits.length) compared++;
      }
    }
  }
  assert.ok(compared > 100, `only ${compared} searches found anything`);
  assert.deepEqual(logs, []);
  assert.equal(await onThread.keywordThreadReady(), true, 'the thread answered them all');
});

test('while the keyword index is behind, the thread ranks by FTS5 as the engine thread does; it sees each write once committed', async () => {
  const [inThread, onThread] = [searcher({ keywordThreadFrom: Infinity }), await threaded()];
  const bm25 = async (query: string) => {
    const expected = await inThread.search({ query, mode: 'bm25' });
    assert.deepEqual(await onThread.search({ query, mode: 'bm25' }), expected);
    assert.deepEqual(await onThread.search({ query, mode: 'hybrid' }), await inThread.search({ query, mode: 'hybrid' }));
    return expected.hits.map((h) => h.title);
  };
  const source = library.sources.ensure('import', '/extra', 'extra').id;
  const add = (path: string, body: string) => {
    const id = library.documents.upsert({
      sourceId: source, parentId: null, uri: path, path, kind: 'file', title: path, mime: 'text/plain', size: 1, mtime: 1, contentHash: null,
      status: 'indexed', errorCode: null, reason: null, metadata: {}, date: null, sender: null, recipients: null,
    });
    library.documents.insertChunks(id, [{ text: body, start: 0, end: body.length, page: null, headingPath: [], tokenCount: 1, ftsTitle: analyze(path), ftsBody: analyze(body) }]);
  };
  // Written outside Library.transaction: committed, but not in the keyword index yet.
  add('/extra/zebrafish', 'zebrafish harbour lantern');
  assert.equal(library.keywords.current(), false);
  assert.deepEqual(await bm25('zebrafish'), ['/extra/zebrafish']);
  await bm25('harbour lantern invoice');
  library.transaction(() => add('/extra/quokka', 'quokka zebrafish'));
  assert.equal(library.keywords.current(), true);
  assert.deepEqual((await bm25('zebrafish')).sort(), ['/extra/quokka', '/extra/zebrafish']);
  assert.deepEqual(await bm25('quokka'), ['/extra/quokka']);
  await bm25('harbour lantern invoice');
  assert.equal(await onThread.keywordThreadReady(), true);
});

for (const failure of ['die', 'throw']) {
  test(`a keyword thread that is asked to ${failure} costs no search: it is answered on the engine thread, and the failure told once`, async () => {
    const logs: string[] = [];
    const inThread = searcher({ keywordThreadFrom: Infinity });
    const onThread = await threaded({ keywordWorkerScript: new URL('../fixtures/dying-keyword-worker.ts', import.meta.url), log: (m) => logs.push(m) });
    const requests: SearchRequest[] = [{ query: 'invoice harbour' }, { query: `${failure} invoice`, mode: 'hybrid' }, { query: `${failure} quartz`, mode: 'bm25' }, { query: 'meadow', filters: { kinds: ['email'] } }];
    for (const request of requests) assert.deepEqual(await onThread.search(request), await inThread.search(request));
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /keyword search thread stopped \(it (exited \(code 3\)|threw .*asked to throw)\)/);
    assert.equal(await onThread.keywordThreadReady(), false);
  });
}

test('the thread starts from the second search, only in a library as large as asked, and stops with close()', async () => {
  const small = searcher(); // the default threshold: far more chunks than this library has
  for (let i = 0; i < 3; i++) await small.search({ query: 'invoice' });
  assert.equal(await small.keywordThreadReady(), false);

  const once = searcher({ keywordThreadFrom: 0, spareCore: () => true });
  await once.search({ query: 'invoice' });
  assert.equal(await once.keywordThreadReady(), false, 'a one-shot search starts no thread');
  await once.search({ query: 'invoice' });
  assert.equal(await once.keywordThreadReady(), true);
  await once.close();
  assert.equal(await once.keywordThreadReady(), false);
  const request: SearchRequest = { query: 'invoice harbour', mode: 'hybrid' };
  assert.deepEqual(await once.search(request), await small.search(request), 'a closed searcher still answers, on the engine thread');
  assert.equal(await once.keywordThreadReady(), false, 'and starts no thread again');
});

test('before it takes searches, the thread warms up on a few words of the library’s own chunks; an empty library has none', async () => {
  const failures: string[] = [];
  const warm = new KeywordThread(library.path, (reason) => failures.push(reason));
  const emptyLibrary = Library.open(join(tempDir(), 'empty.db'));
  const empty = new KeywordThread(emptyLibrary.path, (reason) => failures.push(reason));
  try {
    assert.deepEqual([await warm.started, await empty.started], [true, true]);
    assert.ok(warm.warmUps > 0 && warm.warmUps <= 200, `${warm.warmUps} warm-up searches`);
    assert.equal(empty.warmUps, 0);
    // Warm, it answers as before.
    const terms = keywordTerms('harbour lantern invoice');
    const engineThread = new KeywordRanking(library);
    assert.deepEqual(await warm.search(terms, 20, 2), library.snapshot(() => engineThread.hits(terms, 20, 2)));
    assert.deepEqual(failures, []);
  } finally {
    await warm.close();
    await empty.close();
    emptyLibrary.close();
  }
});

test('with no core to spare, searches rank keywords on the engine thread and leave the keyword thread alone', async () => {
  const logs: string[] = [];
  let spare = true;
  const onThread = await threaded({ keywordWorkerScript: new URL('../fixtures/dying-keyword-worker.ts', import.meta.url), log: (m) => logs.push(m), spareCore: () => spare });
  spare = false;
  const request: SearchRequest = { query: 'die invoice', mode: 'hybrid' };
  assert.deepEqual(await onThread.search(request), await searcher({ keywordThreadFrom: Infinity }).search(request));
  assert.deepEqual(logs, []);
  assert.equal(await onThread.keywordThreadReady(), true);
  spare = true;
  await onThread.search(request);
  assert.equal(logs.length, 1, 'the same search reaches the thread once a core is spare');
});
