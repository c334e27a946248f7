// A throwaway full-text index in memory, for ranking text that is not in the library (web pages
// read for one question) with the library's own tokenizer and BM25, so both rank alike. One
// in-memory connection serves every index (a connection and its statements keep native memory
// after closing, see native/sqlite.ts), emptied when an index is made and closed: one at a time.
import { openSqlite, type SqliteDatabase } from '../../native/sqlite.ts';

let connection: SqliteDatabase | null = null;
let inUse = false;

export class ScratchFullText {
  private readonly db: SqliteDatabase;
  private closed = false;

  constructor() {
    if (inUse) throw new Error('Only one ScratchFullText can be open at a time: close the other first.');
    if (!connection) {
      connection = openSqlite(':memory:');
      connection.exec(`CREATE VIRTUAL TABLE scratch_fts USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2')`);
    }
    this.db = connection;
    this.db.prepare('DELETE FROM scratch_fts').run();
    inUse = true;
  }

  /** Adds analysed text (see app/search/analyze.ts) under an integer id. */
  add(id: number, title: string, body: string): void {
    this.db.prepare('INSERT INTO scratch_fts (rowid, title, body) VALUES (?, ?, ?)').run(id, title, body);
  }

  /** Ids matching an FTS5 expression, best first (title weighted like the library's search). */
  rank(match: string, limit: number, titleWeight = 2): number[] {
    return this.db
      .prepare('SELECT rowid FROM scratch_fts WHERE scratch_fts MATCH ? ORDER BY bm25(scratch_fts, ?, 1) LIMIT ?')
      .pluck()
      .all(match, titleWeight, limit) as number[];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.prepare('DELETE FROM scratch_fts').run();
    inUse = false;
  }
}
