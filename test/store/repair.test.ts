import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { analyze } from '../../app/search/index.ts';
import { Library, checkLibrary, dequantize, repairLibrary } from '../../app/store/index.ts';
import { tempDir, paragraph } from '../support/corpus.ts';
import { docInput } from '../support/documents.ts';

const DOCUMENTS = 300;
const DIMENSIONS = 128; // with a sign-bit index

function vectorFor(n: number): Float32Array {
  const v = Float32Array.from({ length: DIMENSIONS }, (_, i) => Math.sin(n * 7.3 + i * 1.7));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** A library of documents (two chunks each, with vectors), a conversation, settings and a web cache. */
function build(path: string): { deletedConversation: number } {
  const library = Library.open(path);
  try {
    const source = library.sources.ensure('import', '/docs', 'docs');
    const model = library.models.register('test:128', { type: 'openai', baseUrl: 'http://x/v1', model: 'm' }, DIMENSIONS, 'active');
    const store = library.models.store(model);
    library.transaction(() => {
      for (let n = 0; n < DOCUMENTS; n++) {
        const id = library.documents.upsert(docInput(source.id, `/docs/doc${n}.md`, { title: `Doc ${n}`, sender: n % 2 ? `Sender${n}` : null }));
        const texts = [`word${n} ${paragraph(n, 120)}`, `tail${n} ${paragraph(n + 5000, 120)}`];
        const ids = library.documents.insertChunks(id, texts.map((text) => ({
          text, start: 0, end: text.length, page: null, headingPath: [], tokenCount: 100, ftsTitle: analyze(`Doc ${n}`), ftsBody: analyze(text),
        })));
        ids.forEach((chunkId, i) => store.put(chunkId, vectorFor(n * 2 + i)));
      }
    });
    const gone = library.conversations.create({ title: 'deleted', scope: { type: 'all' }, filters: {}, settings: {} });
    const kept = library.conversations.create({ title: 'kept', scope: { type: 'all' }, filters: {}, settings: {} });
    const question = library.conversations.addMessage({ conversationId: kept.id, role: 'user', content: 'what did doc 3 say?', status: 'complete' });
    const answer = library.conversations.addMessage({ conversationId: kept.id, role: 'assistant', content: 'It said [1].', status: 'complete' });
    library.conversations.addSources(answer.id, [{
      n: 1, chunkId: 1, documentId: 1, uri: '/docs/doc0.md', title: 'Doc 0', kind: 'file', page: null, headingPath: [], snippet: 'word0', date: null, from: null, cited: true,
    }]);
    library.conversations.delete(gone.id);
    assert.ok(question.id < answer.id);
    library.settings.set('api-token', 'secret-token');
    library.webCache.putPage('https://example.com/', '{"ok":true}', 60_000);
    // A table without row ids, over many pages.
    for (let n = 0; n < 200; n++) library.webCache.putSearch('searxng', `query ${String(n).padStart(3, '0')}`, JSON.stringify([paragraph(n, 60)]), 60_000);
    return { deletedConversation: gone.id };
  } finally {
    library.close();
  }
}

/** Overwrites a leaf page of each table, at a fraction of its pages, with garbage. */
function damage(path: string, tables: [string, number][]): void {
  const probe = new Database(path, { readonly: true });
  const pageSize = probe.pragma('page_size', { simple: true }) as number;
  const pages = tables.map(([table, at]) => {
    const leaves = probe.prepare(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno`).pluck().all(table) as number[];
    assert.ok(leaves.length >= 3, `${table} spans pages`);
    return leaves[Math.floor(leaves.length * at)]!;
  });
  probe.close();
  const fd = openSync(path, 'r+');
  for (const page of pages) writeSync(fd, Buffer.alloc(pageSize, 0xab), 0, pageSize, (page - 1) * pageSize);
  closeSync(fd);
}

test('repair copies every readable row, rebuilds the full-text and vector indexes, and keeps the damaged file', () => {
  const path = join(tempDir(), 'library.db');
  const { deletedConversation } = build(path);
  assert.equal(checkLibrary(path).ok, true);
  damage(path, [['documents', 0.5], ['chunks', 0.2], ['vectors_1', 0.8], ['web_search_cache', 0.5]]);
  const check = checkLibrary(path);
  assert.equal(check.ok, false);
  assert.ok(check.problems.length > 0);

  const report = repairLibrary(path, analyze);
  assert.ok(existsSync(report.keptAs), 'the damaged file is kept');
  assert.equal(checkLibrary(path).ok, true, 'the new file is sound');
  const byTable = new Map(report.tables.map((t) => [t.table, t]));
  for (const table of ['documents', 'chunks', 'vectors_1', 'web_search_cache']) assert.ok(byTable.get(table)!.unreadable.length > 0, `${table} lost rows`);
  assert.ok(report.orphans > 0, 'chunks of lost documents, vectors of lost chunks');
  if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);

  const library = Library.open(path);
  try {
    const { documents, models } = library;
    const counts = documents.countsByStatus();
    const kept = counts.indexed + counts.pending;
    assert.ok(kept > DOCUMENTS / 2 && kept < DOCUMENTS, `${kept} documents recovered`);
    assert.ok(counts.pending > 0, 'documents that lost a chunk are to be read again');
    assert.deepEqual(library.db.pragma('foreign_key_check'), [], 'nothing points at a lost row');

    // Full text: every surviving chunk is found by its words, titles and senders included.
    const chunks = library.db.prepare('SELECT c.id, c.text, d.title, d.sender FROM chunks c JOIN documents d ON d.id = c.document_id').all() as
      { id: number; text: string; title: string; sender: string | null }[];
    assert.equal(chunks.length, documents.chunkCount());
    for (const chunk of chunks.filter((_, i) => i % 25 === 0)) {
      const word = chunk.text.split(' ')[0]!;
      assert.ok(library.retrieval.fullText(`"${word}"`, 5, 1).some((r) => r.chunkId === chunk.id), `${word} finds chunk ${chunk.id}`);
      if (chunk.sender) assert.ok(library.retrieval.fullText(`"${chunk.sender.toLowerCase()}"`, 5, 1).some((r) => r.chunkId === chunk.id));
    }

    // Vectors: the sign bits were rebuilt, so the fast path finds each vector's own chunk first.
    const model = models.byState('active')!;
    const store = models.store(model);
    const vectors = store.count();
    assert.ok(vectors > 0 && vectors < chunks.length, `${vectors} vectors recovered of ${chunks.length} chunks`);
    const bits = library.db.prepare(`SELECT count(*) FROM vector_bits_${model.id}`).pluck().get() as number;
    assert.equal(bits, vectors);
    const withVectors = library.db.prepare(`SELECT chunk_id, embedding FROM vectors_${model.id} ORDER BY chunk_id`).raw().all() as [number, Buffer][];
    for (const [chunkId, blob] of withVectors.filter((_, i) => i % 40 === 0)) {
      const query = dequantize(blob);
      assert.equal(store.nearest(query, 1)[0]?.chunkId, chunkId);
    }
    // The rebuilt sign bits (from the int8 vectors) are exactly those of the float vectors put.
    const rebuilt = library.db.prepare(`SELECT rowid, embedding FROM vector_bits_${model.id}`).raw().all() as [number, Buffer][];
    const signsOf = library.db.prepare('SELECT vec_quantize_binary(?)').pluck();
    for (const [chunkId, bits] of rebuilt) {
      const original = vectorFor(chunkId - 1); // chunks 2n + 1 and 2n + 2 of document n
      assert.deepEqual(bits, signsOf.get(Buffer.from(original.buffer)), `bits of chunk ${chunkId}`);
    }

    // Everything else came across: conversations with their sources, settings, the web cache.
    const [conversation] = library.conversations.list();
    assert.equal(conversation?.title, 'kept');
    const messages = library.conversations.messages(conversation.id);
    assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant']);
    assert.equal(messages[1]!.sources[0]?.snippet, 'word0');
    assert.equal(library.settings.get('api-token'), 'secret-token');
    assert.equal(library.webCache.counts().pages, 1);
    const searches = library.webCache.counts().searches;
    assert.ok(searches > 100 && searches < 200, `${searches} cached searches: both ends of a table without row ids`);
    assert.ok(library.webCache.search('searxng', 'query 000') && library.webCache.search('searxng', 'query 199'));
    const next = library.conversations.create({ title: 'new', scope: { type: 'all' }, filters: {}, settings: {} });
    assert.ok(next.id > deletedConversation + 1, 'ids of deleted conversations are not handed out again');
  } finally {
    library.close();
  }
});
