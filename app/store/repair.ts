// Checking a library file and recovering a damaged one. Recovery copies every row that can still
// be read into a new library at the current schema, rebuilds what is derived from rows (the
// full-text index from the chunks' text, the vector sign bits from the stored vectors), and puts
// the new file in the old one's place, keeping the damaged file beside it. (better-sqlite3 does
// not expose SQLite's own recovery extension, sqlite3_recover.)
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { openSqlite, type SqliteDatabase, type SqliteStatement } from '../../native/sqlite.ts';
import { CairnError } from '../contract/index.ts';
import { makeLibraryPrivate } from './location.ts';
import { migrate, migrations, quantizeVectors, QUANTIZED_VECTORS } from './migrations.ts';
import { KeywordIndex } from './keyword-index.ts';
import { clearDamageMark, damageMark } from './storage-errors.ts';
import { VectorStore, type EmbeddingModelRow } from './vectors.ts';

export interface LibraryCheck {
  /** No library file at the path. */
  missing: boolean;
  ok: boolean;
  /** What SQLite's quick_check found (at most 10), or why the file could not be read. */
  problems: string[];
  /** Why a command found the library damaged earlier, if one did (see storage-errors.ts). */
  earlierDamage: string | null;
  seconds: number;
}

/**
 * SQLite's quick_check over the whole file: every page of every table and index is read, so it
 * costs about as much as reading the file (100,000 chunks, 355 MB: 1.8 s from the page cache),
 * which is why it runs here, for `cairn doctor`, and not each time a library is opened.
 */
export function checkLibrary(path: string): LibraryCheck {
  const started = performance.now();
  const earlierDamage = damageMark(path);
  if (!existsSync(path)) return { missing: true, ok: true, problems: [], earlierDamage, seconds: 0 };
  let problems: string[];
  let db: SqliteDatabase | undefined;
  try {
    db = openSqlite(path, { readonly: true });
    problems = (db.prepare('PRAGMA quick_check(10)').pluck().all() as string[])
      .flatMap((row) => row.split('\n'))
      .filter((line) => line !== 'ok' && !line.startsWith('*** in database'));
  } catch (error) {
    problems = [(error as Error).message];
  } finally {
    db?.close();
  }
  return { missing: false, ok: problems.length === 0 && earlierDamage === null, problems, earlierDamage, seconds: (performance.now() - started) / 1000 };
}

export interface TableRecovery {
  table: string;
  copied: number;
  /** Rows that could not be read: id ranges, or where a table without row ids broke off. */
  unreadable: string[];
  /** Rows read but refused by the schema (garbage that decoded as a row). */
  refused: number;
}

export interface RepairReport {
  path: string;
  /** Where the damaged file is kept. */
  keptAs: string;
  tables: TableRecovery[];
  /** Rows dropped because the row they belong to was lost (chunks of a lost document...). */
  orphans: number;
  /** Documents that lost some of their chunks: marked to be read again by the next scan. */
  incomplete: number;
  /** Tables of the damaged file that are not copied: unreadable, or unknown to this Cairn. */
  skipped: string[];
  /** Mail accounts in the recovered library (lost messages come back only by syncing anew). */
  mailAccounts: number;
  seconds: number;
}

/**
 * Recovers the library at `path` into a new file and puts it in its place; the damaged file (and
 * its -wal and -shm) are renamed `<name>.damaged-<time>`. `analyse` makes full-text index text
 * (app/search's analyze), as the pipeline does. Other processes must not have the library open.
 */
export function repairLibrary(path: string, analyse: (text: string) => string, now = new Date()): RepairReport {
  const started = performance.now();
  if (!existsSync(path)) throw new CairnError('library-missing', `There is no library at ${path}.`);
  const old = openSqlite(path, { readonly: true });
  const target = `${path}.repairing`;
  for (const file of [target, `${target}-wal`, `${target}-shm`]) rmSync(file, { force: true });
  let report: Omit<RepairReport, 'path' | 'keptAs' | 'seconds'>;
  try {
    const version = readable(() => old.pragma('user_version', { simple: true }) as number);
    const oldTables = readable(() => old.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table'`).all() as { name: string; sql: string | null }[]);
    if (version === undefined || oldTables === undefined) {
      throw new CairnError('library-unrecoverable', `The library at ${path} is damaged where its list of tables is kept: Cairn cannot recover it. Restore a backup if you have one.`);
    }
    const latest = migrations.at(-1)!.version;
    if (version > latest) throw new CairnError('library-unrecoverable', `This library was written by a newer Cairn (schema ${version}; this one knows ${latest}): repair it with that version.`);
    makeLibraryPrivate(target);
    const db = openSqlite(target);
    try {
      migrate(db);
      report = recover(old, version, new Map(oldTables.map((t) => [t.name, t.sql ?? ''])), db, analyse);
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  } catch (error) {
    for (const file of [target, `${target}-wal`, `${target}-shm`]) rmSync(file, { force: true });
    throw error;
  } finally {
    old.close();
  }
  const keptAs = `${path}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
  // The -wal goes with the file when it holds anything; the -shm is only an index of it.
  renameSync(path, keptAs);
  if (existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0) renameSync(`${path}-wal`, `${keptAs}-wal`);
  for (const suffix of ['-wal', '-shm']) rmSync(path + suffix, { force: true });
  renameSync(target, path);
  clearDamageMark(path);
  return { ...report, path, keptAs, seconds: (performance.now() - started) / 1000 };
}

function readable<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function recover(old: SqliteDatabase, version: number, oldTables: Map<string, string>, db: SqliteDatabase, analyse: (text: string) => string): Omit<RepairReport, 'path' | 'keptAs' | 'seconds'> {
  // Rows go in as they were; what no longer belongs anywhere is dropped afterwards (dropOrphans).
  db.pragma('foreign_keys = OFF');
  const tables: TableRecovery[] = [];
  const copy = (name: string) => {
    if (oldTables.has(name)) tables.push(copyTable(old, db, name, /without\s+rowid/i.test(oldTables.get(name)!)));
  };
  // The keyword index is derived from the chunks: rebuilt below, like the full-text index.
  for (const name of plainTables(db)) if (!name.startsWith('keyword_')) copy(name);
  for (const model of db.prepare('SELECT id, key, spec, dimensions, state FROM embedding_models').all() as EmbeddingModelRow[]) {
    new VectorStore(db, model).create();
    copy(`vectors_${model.id}`);
  }
  // Float vectors of a library from before they were stored as int8 become int8 now.
  if (version < QUANTIZED_VECTORS) db.transaction(() => quantizeVectors(db))();
  keepSequences(old, db);
  const orphans = dropOrphans(db);
  const incomplete = markIncomplete(old, db);
  rebuildFullText(db, analyse);
  new KeywordIndex(db).rebuild();
  rebuildSignBits(db);
  db.pragma('foreign_keys = ON');
  const known = new Set(plainTables(db));
  const derived = (name: string) => /^(chunk_fts|vector_bits_\d+|keyword_)/.test(name) || name.startsWith('sqlite_');
  const skipped = [...oldTables.keys()].filter((name) => !known.has(name) && !derived(name)).sort();
  const mailAccounts = db.prepare(`SELECT count(*) FROM sources WHERE kind = 'mailbox'`).pluck().get() as number;
  return { tables, orphans, incomplete, skipped, mailAccounts };
}

/** Tables holding rows of their own: not virtual tables, their shadow tables, or SQLite's. */
function plainTables(db: SqliteDatabase): string[] {
  const all = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string; sql: string }[];
  const virtual = all.filter((t) => /^create virtual table/i.test(t.sql)).map((t) => t.name);
  return all.filter((t) => !virtual.some((v) => t.name === v || t.name.startsWith(`${v}_`))).map((t) => t.name);
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Copies the readable rows of `table` (the columns both schemas have). A table with row ids is
 * read in row id order; where a read fails, probing further ids (1, 2, 4... ahead, then halving
 * back) finds where rows can be read again, and the ids in between are reported lost. A table
 * without row ids is read from both ends up to the damage.
 */
function copyTable(old: SqliteDatabase, db: SqliteDatabase, table: string, withoutRowid: boolean): TableRecovery {
  const result: TableRecovery = { table, copied: 0, unreadable: [], refused: 0 };
  const newColumns = db.pragma(`table_info(${quote(table)})`) as { name: string; pk: number }[];
  const oldColumns = new Set(readable(() => (old.pragma(`table_info(${quote(table)})`) as { name: string }[]).map((c) => c.name)) ?? []);
  const columns = newColumns.filter((c) => oldColumns.has(c.name));
  if (columns.length === 0) {
    result.unreadable.push('the whole table');
    return result;
  }
  const list = columns.map((c) => quote(c.name)).join(', ');
  const insert = db.prepare(`INSERT INTO ${quote(table)} (${list}) VALUES (${columns.map(() => '?').join(', ')})`);
  const put = (row: unknown[]) => {
    try {
      insert.run(...row);
      result.copied++;
    } catch {
      result.refused++; // garbage that decoded as a row breaks a constraint
    }
  };
  db.transaction(() => {
    if (withoutRowid) {
      const key = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => columns.indexOf(c));
      const order = (direction: string) => key.map((i) => `${quote(columns[i]!.name)} ${direction}`).join(', ');
      const seen = new Set<string>();
      const forward = readRows(old.prepare(`SELECT ${list} FROM ${quote(table)} ORDER BY ${order('ASC')}`).raw(), [], (row) => {
        seen.add(JSON.stringify(key.map((i) => row[i])));
        put(row);
      });
      if (forward) return;
      readRows(old.prepare(`SELECT ${list} FROM ${quote(table)} ORDER BY ${order('DESC')}`).raw(), [], (row) => {
        if (!seen.has(JSON.stringify(key.map((i) => row[i])))) put(row);
      });
      result.unreadable.push('rows between the ones read from either end');
      return;
    }
    copyByRowid(old, table, list, put, result.unreadable);
  })();
  return result;
}

function copyByRowid(old: SqliteDatabase, table: string, list: string, put: (row: unknown[]) => void, unreadable: string[]): void {
  const rows = old.prepare(`SELECT rowid, ${list} FROM ${quote(table)} WHERE rowid > ? ORDER BY rowid`).raw();
  const first = old.prepare(`SELECT rowid FROM ${quote(table)} WHERE rowid > ? ORDER BY rowid LIMIT 1`).pluck();
  /** Whether the search for rows after `id` reads no damaged page. */
  const reachable = (id: number) => readable(() => first.get(id) ?? true) !== undefined;
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    let last = after;
    const done = readRows(rows, [after], (row) => {
      last = row[0] as number;
      put(row.slice(1));
    });
    if (done) return;
    // The row after `last` could not be read: find the first id past it that can be reached.
    let step = 1;
    while (last + step < Number.MAX_SAFE_INTEGER && !reachable(last + step)) step *= 2;
    if (last + step >= Number.MAX_SAFE_INTEGER) {
      unreadable.push(`ids after ${last}`);
      return;
    }
    let low = Math.floor(step / 2); // not reachable (or 0: the unreadable row itself)
    while (step - low > 1) {
      const mid = low + Math.floor((step - low) / 2);
      if (reachable(last + mid)) step = mid;
      else low = mid;
    }
    after = last + step;
    const next = first.get(after) as number | undefined;
    unreadable.push(next === undefined ? `ids after ${last}` : `ids ${last + 1}–${next - 1}`);
    if (next === undefined) return;
  }
}

/** Reads every row of a statement into `put`; false when a read failed before the end. */
function readRows(statement: SqliteStatement, params: unknown[], put: (row: unknown[]) => void): boolean {
  try {
    for (const row of statement.iterate(...params) as Iterable<unknown[]>) put(row);
    return true;
  } catch {
    return false;
  }
}

/** AUTOINCREMENT counters: ids of deleted conversations and messages are never handed out again. */
function keepSequences(old: SqliteDatabase, db: SqliteDatabase): void {
  const sequences = readable(() => old.prepare('SELECT name, seq FROM sqlite_sequence').all() as { name: string; seq: number }[]) ?? [];
  for (const { name, seq } of sequences) {
    const changed = db.prepare('UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?').run(seq, name).changes;
    if (changed === 0 && plainTables(db).includes(name)) db.prepare('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)').run(name, seq);
  }
}

/**
 * Deletes rows whose parent row was lost (by each table's foreign keys), again until none are
 * left: a lost document takes its chunks, their vectors, its attachments.
 */
function dropOrphans(db: SqliteDatabase): number {
  const tables = plainTables(db);
  let dropped = 0;
  for (let changed = 1; changed > 0; dropped += changed) {
    changed = 0;
    for (const table of tables) {
      for (const key of db.pragma(`foreign_key_list(${quote(table)})`) as { table: string; from: string; to: string | null }[]) {
        const to = key.to ?? 'rowid';
        changed += db.prepare(
          `DELETE FROM ${quote(table)} WHERE ${quote(key.from)} IS NOT NULL AND ${quote(key.from)} NOT IN (SELECT ${quote(to)} FROM ${quote(key.table)})`,
        ).run().changes;
      }
    }
  }
  return dropped;
}

/**
 * Indexed documents that lost chunks become pending with no mtime, so the next scan of their
 * folder reads them again. Which lost chunks is read from the damaged file's index of chunks by
 * document (index pages are apart from the table's, so it often survives where the rows did
 * not); where that index is unreadable too, a gap in a document's chunk ordinals tells.
 */
function markIncomplete(old: SqliteDatabase, db: SqliteDatabase): number {
  const had = new Map<number, number>();
  readRows(old.prepare('SELECT document_id, count(*) FROM chunks INDEXED BY chunks_by_document GROUP BY document_id').raw(), [], ([id, n]) => {
    had.set(id as number, n as number);
  });
  const has = db.prepare('SELECT document_id, count(*), max(ordinal) FROM chunks GROUP BY document_id').raw().all() as [number, number, number][];
  const incomplete = new Set<number>();
  const left = new Map(has.map(([id, n]) => [id, n]));
  for (const [id, n, maxOrdinal] of has) if (n !== maxOrdinal + 1) incomplete.add(id);
  for (const [id, n] of had) if ((left.get(id) ?? 0) < n) incomplete.add(id);
  const mark = db.prepare(`UPDATE documents SET status = 'pending', mtime = NULL WHERE id = ? AND status = 'indexed'`);
  let marked = 0;
  db.transaction(() => {
    for (const id of incomplete) marked += mark.run(id).changes;
  })();
  return marked;
}

/** The contentless full-text index, from each chunk's text and its document's title and sender. */
function rebuildFullText(db: SqliteDatabase, analyse: (text: string) => string): void {
  const insert = db.prepare('INSERT INTO chunk_fts (rowid, title, body) VALUES (?, ?, ?)');
  const batch = db.prepare(
    `SELECT c.id, c.text, d.title || ' ' || coalesce(d.sender, '') AS title FROM chunks c JOIN documents d ON d.id = c.document_id
     WHERE c.id > ? ORDER BY c.id LIMIT 1000`,
  );
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = batch.all(after) as { id: number; text: string; title: string }[];
    if (rows.length === 0) return;
    db.transaction(() => {
      for (const row of rows) insert.run(row.id, analyse(row.title), analyse(row.text));
    })();
    after = rows.at(-1)!.id;
  }
}

/** Each model's sign-bit table, from its stored vectors (their int8 values after the scale keep every sign: see quantize). */
function rebuildSignBits(db: SqliteDatabase): void {
  for (const model of db.prepare('SELECT id, dimensions FROM embedding_models').all() as { id: number; dimensions: number }[]) {
    const bits = `vector_bits_${model.id}`;
    if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE name = ?`).get(bits)) continue;
    db.exec(`INSERT INTO ${bits} (rowid, embedding) SELECT chunk_id, vec_quantize_binary(vec_int8(substr(embedding, 5))) FROM vectors_${model.id}`);
  }
}

