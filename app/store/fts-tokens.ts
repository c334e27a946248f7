// FTS5's own tokenizer, as a function: texts go into a scratch FTS5 table with the library's
// tokenizer (on a private in-memory connection, so the library's connection never sees these
// writes) and come back as the tokens FTS5 made of them, read through fts5vocab. The keyword
// index (keyword-index.ts) is built from these tokens, so its BM25 is FTS5's to the token:
// case folding, diacritics, Unicode classes and the porter stemmer are FTS5's own, not a copy.
import { openSqlite, type SqliteDatabase } from '../../native/sqlite.ts';

/** The library's full-text tokenizer (migration 1). */
export const FTS_TOKENIZER = 'porter unicode61 remove_diacritics 2';

/** A text's tokens: for each token, how many times it occurs (in order of first occurrence). */
export type TokenCounts = Map<string, number>;

let scratch: { db: SqliteDatabase; insert: (id: number, text: string) => void; read: () => [string, number][]; clear: () => void } | null = null;

function connection() {
  if (scratch) return scratch;
  const db = openSqlite(':memory:');
  db.exec(`
    CREATE VIRTUAL TABLE scratch USING fts5(text, content = '', tokenize = '${FTS_TOKENIZER}');
    CREATE VIRTUAL TABLE scratch_tokens USING fts5vocab(scratch, instance);
  `);
  const insert = db.prepare('INSERT INTO scratch (rowid, text) VALUES (?, ?)');
  const read = db.prepare('SELECT term, doc FROM scratch_tokens').raw();
  const clear = db.prepare(`INSERT INTO scratch (scratch) VALUES ('delete-all')`);
  scratch = {
    db,
    insert: (id, text) => insert.run(id, text),
    read: () => read.all() as [string, number][],
    clear: () => clear.run(),
  };
  return scratch;
}

/** The tokens of each text, as FTS5 makes them (texts tokenized together: one round trip). */
export function tokenize(texts: readonly string[]): TokenCounts[] {
  const out = texts.map((): TokenCounts => new Map());
  if (texts.length === 0) return out;
  const s = connection();
  s.db.transaction(() => {
    texts.forEach((text, i) => s.insert(i, text));
    for (const [term, doc] of s.read()) {
      const counts = out[doc]!;
      counts.set(term, (counts.get(term) ?? 0) + 1);
    }
    s.clear();
  })();
  return out;
}

/**
 * The tokens of each text in order (a query term may be several tokens: a phrase). The order
 * comes from the tokens' offsets.
 */
export function tokenSequences(texts: readonly string[]): string[][] {
  const out = texts.map((): [number, string][] => []);
  if (texts.length === 0) return [];
  const s = connection();
  const read = s.db.prepare('SELECT term, doc, offset FROM scratch_tokens').raw();
  s.db.transaction(() => {
    texts.forEach((text, i) => s.insert(i, text));
    for (const [term, doc, offset] of read.all() as [string, number, number][]) out[doc]!.push([offset, term]);
    s.clear();
  })();
  return out.map((tokens) => tokens.sort((a, b) => a[0] - b[0]).map(([, term]) => term));
}
