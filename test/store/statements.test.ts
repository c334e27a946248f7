import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SearchFilters, SearchMode } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { openSqlite, preparedStatements } from '../../native/sqlite.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { paragraph, tempDir } from '../support/corpus.ts';

test('a statement is prepared once per connection, and every handout comes back in its default mode', () => {
  const db = openSqlite(':memory:');
  try {
    db.exec('CREATE TABLE t (a INTEGER, b TEXT)');
    db.prepare('INSERT INTO t VALUES (?, ?)').run(1, 'one');
    db.prepare('INSERT INTO t VALUES (?, ?)').run(2, 'two');
    const before = preparedStatements(db);
    const sql = 'SELECT a, b FROM t ORDER BY a';
    assert.equal(db.prepare(sql), db.prepare(sql), 'the same SQL text gives the same statement');
    assert.deepEqual(db.prepare(sql).pluck().all(), [1, 2]);
    assert.deepEqual(db.prepare(sql).raw().all(), [[1, 'one'], [2, 'two']]);
    assert.deepEqual(db.prepare(sql).all(), [{ a: 1, b: 'one' }, { a: 2, b: 'two' }], 'pluck and raw did not stick');
    const plucked = db.prepare(sql).pluck();
    db.prepare(sql).all();
    assert.deepEqual(plucked.all(), [1, 2], 'a plucked handout stays plucked for its holder');
    for (let i = 0; i < 100; i++) db.prepare(sql).pluck().get();
    assert.equal(preparedStatements(db) - before, 3, 'one native statement per SQL text and mode');
    assert.throws(() => db.prepare(sql).bind(), /bound/, 'binding would change the statement for every user');
  } finally {
    db.close();
  }
});

function writeNotes(dir: string, from: number, count: number): void {
  for (let i = from; i < from + count; i++) {
    const sub = join(dir, `folder${i % 3}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `note${i}.md`), `# Note ${i}\n\nmarker${i} ${paragraph(i)}\n\n${paragraph(i + 1000, 400)}\n`);
  }
}

test('the number of prepared statements does not grow with ingested documents or searches', async () => {
  const dir = tempDir();
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: new FakeEmbedder() });
  const { library } = engine;
  try {
    // Every kind of work once, so each distinct statement has been prepared...
    const round = async (first: number, count: number) => {
      // Each round adds sources of its own, so the source lists searched grow longer.
      const roundDir = join(dir, `round${first}`);
      writeNotes(roundDir, first, count);
      engine.add([0, 1, 2].map((n) => join(roundDir, `folder${n}`)));
      await engine.index();
      const sources = library.sources.list().map((s) => s.id);
      for (let i = first; i < first + count; i++) {
        for (const mode of ['hybrid', 'bm25', 'vector'] as SearchMode[]) {
          const filters: SearchFilters[] = [{}, { sourceIds: sources.slice(0, 1 + (i % sources.length)), kinds: ['file'] }, { pathPrefix: dir, from: 'x' }];
          for (const f of filters) await engine.search({ query: `marker${i} alpha ${paragraph(i, 3)}`, mode, filters: f, k: 5 + (i % 7) });
        }
      }
      const conversation = library.conversations.create({ title: 't', scope: { type: 'all' }, filters: {}, settings: {} });
      for (let i = 0; i < count; i++) library.conversations.addMessage({ conversationId: conversation.id, role: 'user', content: `q${i}`, status: 'complete' });
      library.conversations.messages(conversation.id);
      engine.status();
    };
    await round(0, 12);
    // The presence heartbeat runs on a timer: whether it has beaten once by now depends on the
    // machine's speed, so its statement (prepared once, like every other) is made here.
    library.db.prepare('UPDATE processes SET heartbeat_at = ? WHERE id = ?');
    const prepared = preparedStatements(library.db);
    assert.ok(prepared > 0);
    // ...then more of the same work (more documents, other queries, longer lists) prepares nothing new.
    await round(12, 30);
    await round(42, 30);
    assert.equal(preparedStatements(library.db), prepared, 'statements are prepared once, whatever the values');
  } finally {
    await engine.close();
  }
});
