// A throwaway full-text index in memory, for ranking text that is not in the library (web pages
// read for one question) with the library's own tokenizer and BM25, so both rank alike.
import { openSqlite, type SqliteDatabase } from '../../native/sqlite.ts';

export class ScratchFullText {
  private readonly db: SqliteDatabase;

  constructor() {
    this.db = openSqlite(':memory:');
    this.db.exec(`CREATE VIRTUAL TABLE scratch_fts USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2')`);
  }

  /** Adds analysed text (see app/search/analyze.ts) under an integer id. */
  add(id: number, title: string, body: string): void {
    this.db.prepare('INSERT INTO scratch_fts (rowid, title, body) VALUES (?, ?, ?)').run(id, title, body);
  }

  /** Ids matching an FTS5 expression, best first (title weighted like the library's search). */
  rank(match: string, limit: number, titleWeight = 2): number[] {
    const rows = this.db
      .prepare('SELECT rowid AS id FROM scratch_fts WHERE scratch_fts MATCH ? ORDER BY bm25(scratch_fts, ?, 1) LIMIT ?')
      .all(match, titleWeight, limit) as { id: number }[];
    return rows.map((r) => r.id);
  }

  close(): void {
    this.db.close();
  }
}
