// Which search found each source of an answer (keywords, meaning or both) is kept with the answer,
// so that a source card can say it; answers stored before it was kept say nothing (migration 13).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { foundBy } from '../../app/contract/index.ts';
import { Library, migrate, migrations } from '../../app/store/index.ts';
import { openSqlite } from '../../native/sqlite.ts';
import { tempDir } from '../support/corpus.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { ScriptedChatModel } from '../support/scripted-chat-model.ts';
import { chatEngine } from './library.ts';

test('foundBy reads a hit’s ranks', () => {
  assert.equal(foundBy({ bm25: 1 }), 'keyword');
  assert.equal(foundBy({ vector: 3 }), 'meaning');
  assert.equal(foundBy({ bm25: 2, vector: 1 }), 'both');
  assert.equal(foundBy({}), null);
});

test('an answer keeps, for each source, which search found it, as hybrid search ranked it', async () => {
  const model = new ScriptedChatModel(['Either party may end it with thirty days notice [1].']);
  const { engine } = await chatEngine({ chatModel: model, embedder: new FakeEmbedder() });
  try {
    const answer = await engine.chat.ask({ question: 'How can the contract be terminated with notice?', settings: { k: 8, minSimilarity: -1 } });
    const search = await engine.search({ query: 'How can the contract be terminated with notice?', k: 50 });
    assert.ok(answer.sources.length >= 2);
    const kinds = new Set<string>();
    for (const source of answer.sources) {
      const hit = search.hits.find((h) => h.chunkId === source.chunkId);
      assert.ok(hit, `source ${source.n} is a hit of the same search`);
      assert.equal(source.foundBy, foundBy(hit.ranks), `source ${source.n}`);
      kinds.add(source.foundBy!);
    }
    assert.ok(kinds.has('both') || (kinds.has('keyword') && kinds.has('meaning')), `both searches are represented: ${[...kinds].join(', ')}`);
    // As stored, and as read back.
    const stored = engine.chat.getConversation(answer.conversationId).messages.at(-1)!;
    assert.deepEqual(stored.sources.map((s) => s.foundBy), answer.sources.map((s) => s.foundBy));
  } finally {
    await engine.close();
  }
});

test('answers stored before migration 13 keep their sources, which say nothing about how they were found', () => {
  const path = join(tempDir('cairn-store-'), 'library.db');
  const old = openSqlite(path);
  migrate(old, migrations.filter((m) => m.version < 13));
  old.exec(`INSERT INTO conversations (title, scope, created_at, updated_at) VALUES ('old', 'all', 1, 1)`);
  old.exec(`INSERT INTO messages (conversation_id, role, content, status, created_at) VALUES (1, 'assistant', 'It said [1].', 'complete', 1)`);
  old.exec(`INSERT INTO message_sources (message_id, n, cited, chunk_id, document_id, uri, title, kind, snippet) VALUES (1, 1, 1, 5, 2, '/a.md', 'A', 'file', 'text')`);
  old.close();
  const library = Library.open(path);
  try {
    const [message] = library.conversations.messages(1);
    assert.equal(message!.sources.length, 1);
    assert.equal(message!.sources[0]!.foundBy, null);
    assert.equal(message!.sources[0]!.title, 'A');
    assert.throws(() => library.db.exec(`UPDATE message_sources SET found_by = 'guessed'`), /CHECK constraint/);
  } finally {
    library.close();
  }
});
