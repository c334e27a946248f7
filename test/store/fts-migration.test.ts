// Migration 8: full-text rows written before the index normalised text (NFKC) are rewritten from
// the chunks' stored text, so full-width letters and digits in an existing library are found.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqlite } from '../../native/sqlite.ts';
import { Library, currentVersion, migrate, migrations } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';

const BULK = 2_500; // more chunks than the migration reads at a time

test('migration 8 re-indexes full-text rows of text that normalising changes, and keeps the others', () => {
  const path = join(tempDir('cairn-store-'), 'library.db');
  const old = openSqlite(path);
  migrate(old, migrations.filter((m) => m.version < 8));
  const document = old.prepare(
    `INSERT INTO documents (source_id, uri, path, kind, title, status, sender) VALUES (1, ?, ?, ?, ?, 'indexed', ?) RETURNING id`,
  ).pluck();
  const chunk = old.prepare(
    `INSERT INTO chunks (document_id, ordinal, text, start_offset, end_offset, token_count) VALUES (?, ?, ?, 0, 0, 1) RETURNING id`,
  ).pluck();
  // As the analyser wrote full-text rows then: the text as it is (no CJK runs to space here).
  const fts = old.prepare('INSERT INTO chunk_fts (rowid, title, body) VALUES (?, ?, ?)');
  const write = (doc: number, ordinal: number, title: string, text: string) => {
    const id = chunk.get(doc, ordinal, text) as number;
    fts.run(id, title, text);
    return id;
  };
  old.prepare(`INSERT INTO sources (kind, uri, name, created_at) VALUES ('import', '/docs', 'docs', 0)`).run();
  const report = document.get('/docs/report.txt', '/docs/report.txt', 'file', 'ＡＢＣ report', null) as number;
  const fullWidth = write(report, 0, 'ＡＢＣ report ', 'Results for ＧＰＴ４ in ７７７７７');
  const plain = write(report, 1, 'ＡＢＣ report ', 'The moon makes the tides');
  const mail = document.get('imap://a/INBOX#1', 'imap://a/INBOX', 'email', 'Lunch', 'Ｚｏｅ <zoe@example.com>') as number;
  const fromZoe = write(mail, 0, 'Lunch Ｚｏｅ <zoe@example.com>', 'Noon at the harbour');
  const bulk = document.get('/docs/bulk.txt', '/docs/bulk.txt', 'file', 'bulk', null) as number;
  for (let i = 0; i < BULK; i++) write(bulk, i, 'bulk ', i % 2 ? `ｍａｒｋｅｒ ${i}` : `plain ${i}`);
  const count = (term: string) => old.prepare('SELECT count(*) FROM chunk_fts WHERE chunk_fts MATCH ?').pluck().get(`"${term}"`) as number;
  assert.equal(count('gpt4'), 0, 'not found before: the bug');
  old.close();

  const library = Library.open(path);
  try {
    assert.equal(currentVersion(library.db), migrations.at(-1)!.version);
    const found = (term: string) => library.retrieval.fullText(`"${term}"`, 10_000, 2).map((r) => r.chunkId).sort((a, b) => a - b);
    assert.deepEqual(found('gpt4'), [fullWidth]);
    assert.deepEqual(found('77777'), [fullWidth]);
    assert.deepEqual(found('tides'), [plain], 'a row normalising leaves alone is kept');
    assert.deepEqual(found('abc'), [fullWidth, plain], 'titles too');
    assert.deepEqual(found('zoe'), [fromZoe], 'and the sender, searchable with the title');
    assert.equal(library.retrieval.chunksWithTerm('marker'), BULK / 2);
    assert.equal(library.retrieval.chunksWithTerm('plain'), BULK / 2);
    assert.equal(library.retrieval.chunksWithTerm('bulk'), BULK, 'every row once');
  } finally {
    library.close();
  }
});
