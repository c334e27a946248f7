import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqlite } from '../../native/sqlite.ts';
import type { ChatSource } from '../../app/contract/index.ts';
import { Library, currentVersion, migrate, migrations } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';

const tempDb = () => join(tempDir('cairn-chat-store-'), 'library.db');

const source = (n: number, extra: Partial<ChatSource> = {}): ChatSource => ({
  n, chunkId: 10 + n, documentId: 100 + n, uri: `/docs/${n}.pdf`, title: `Doc ${n}`, kind: 'file', page: n, headingPath: ['A', 'B'],
  snippet: `snippet ${n}`, date: null, from: null, cited: n === 1, ...extra,
});

test('migration 3 upgrades a schema-2 library in place: its data kept, conversations work', () => {
  const path = tempDb();
  const old = openSqlite(path);
  migrate(old, migrations.filter((m) => m.version <= 2));
  assert.equal(currentVersion(old), 2);
  old.prepare(`INSERT INTO sources (kind, uri, name, created_at) VALUES ('import', '/docs', 'docs', 0)`).run();
  old.prepare(`INSERT INTO settings (key, value) VALUES ('embedder', '{"type":"gguf","modelPath":"m.gguf"}')`).run();
  old.close();

  const library = Library.open(path);
  try {
    assert.equal(currentVersion(library.db), migrations.at(-1)!.version);
    assert.deepEqual(library.settings.get('embedder'), { type: 'gguf', modelPath: 'm.gguf' });
    assert.equal(library.sources.list().length, 1);
    const c = library.conversations.create({ title: 'T', scope: { type: 'sources', sourceIds: [1] }, filters: { kinds: ['email'], dateFrom: 5 }, settings: { k: 3 } }, 1000);
    assert.deepEqual(library.conversations.get(c.id), {
      id: c.id, title: 'T', createdAt: 1000, updatedAt: 1000, scope: { type: 'sources', sourceIds: [1] }, filters: { kinds: ['email'], dateFrom: 5 },
      settings: { k: 3 }, messageCount: 0,
    });
  } finally {
    library.close();
  }
});

test('messages keep role, status, thought, model and settings; sources are ordered snapshots', () => {
  const library = Library.open(tempDb());
  try {
    const { conversations } = library;
    const c = conversations.create({ title: 'T', scope: { type: 'all' }, filters: {}, settings: {} }, 1000);
    const q = conversations.addMessage({ conversationId: c.id, role: 'user', content: 'Q?', status: 'complete' }, 2000);
    const a = conversations.addMessage(
      { conversationId: c.id, role: 'assistant', content: 'A [1].', thought: 'hmm', status: 'stopped', modelKey: 'gguf:x', settings: { query: 'q' } },
      3000,
    );
    conversations.addSources(a.id, [source(2, { kind: 'email', from: 'Alice <a@x>', date: 7, page: null }), source(1)]);
    const messages = conversations.messages(c.id);
    assert.deepEqual(messages.map((m) => [m.id, m.role, m.status]), [[q.id, 'user', 'complete'], [a.id, 'assistant', 'stopped']]);
    assert.deepEqual(messages[1]!.sources, [source(1), source(2, { kind: 'email', from: 'Alice <a@x>', date: 7, page: null })]);
    assert.equal(messages[1]!.thought, 'hmm');
    assert.equal(messages[1]!.modelKey, 'gguf:x');
    assert.deepEqual(messages[1]!.settings, { query: 'q' });
    assert.equal(conversations.get(c.id)!.updatedAt, 3000);
    assert.equal(conversations.get(c.id)!.messageCount, 2);

    // Replacing an answer: ids are never reused, so a stale id cannot reach the new answer.
    assert.equal(conversations.deleteAfter(q.id), 1);
    const again = conversations.addMessage({ conversationId: c.id, role: 'assistant', content: 'B', status: 'complete' });
    assert.ok(again.id > a.id);
    assert.equal(conversations.message(a.id), undefined);

    assert.equal(conversations.delete(c.id), true);
    for (const table of ['messages', 'message_sources']) {
      assert.equal((library.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n, 0, `${table} cascade`);
    }
    assert.equal(conversations.delete(c.id), false);
  } finally {
    library.close();
  }
});
