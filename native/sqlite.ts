// Opens SQLite (better-sqlite3) with the sqlite-vec extension loaded, wherever the app runs:
// from source, from node_modules, or from a packaged Electron app's `app.asar.unpacked`.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { getLoadablePath } from 'sqlite-vec';

export type SqliteDatabase = Database.Database;
export type SqliteStatement = Database.Statement<unknown[]>;

/**
 * SQLite loads extensions with dlopen, which cannot read inside an asar archive: a path through
 * `app.asar` is redirected to the unpacked copy (electron-builder's `asarUnpack` puts native
 * files in `app.asar.unpacked`) when that copy exists.
 */
export function outsideAsar(path: string, exists: (path: string) => boolean = existsSync): string {
  const unpacked = path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
  return unpacked !== path && exists(unpacked) ? unpacked : path;
}

/** Where the sqlite-vec loadable extension is, wherever the app runs. */
export function vecExtensionPath(): string {
  return outsideAsar(getLoadablePath());
}

export interface OpenOptions {
  readonly?: boolean;
}

/** Opens (creating if needed) a database file with sqlite-vec loaded and Cairn's pragmas set. */
export function openSqlite(path: string, options: OpenOptions = {}): SqliteDatabase {
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  try {
    db.loadExtension(vecExtensionPath());
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // WAL makes NORMAL safe against corruption; a power cut may lose only the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -32000');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export interface SqliteReport {
  sqliteVersion: string;
  vecVersion: string;
  fts5: boolean;
  extensionPath: string;
}

/** For `cairn doctor`: proves SQLite, FTS5 and sqlite-vec all work here. */
export function describeSqlite(): SqliteReport {
  const db = openSqlite(':memory:');
  try {
    const row = db.prepare('SELECT sqlite_version() AS sqlite, vec_version() AS vec').get() as { sqlite: string; vec: string };
    db.exec("CREATE VIRTUAL TABLE probe USING fts5(body, tokenize='porter unicode61 remove_diacritics 2')");
    return { sqliteVersion: row.sqlite, vecVersion: row.vec, fts5: true, extensionPath: vecExtensionPath() };
  } finally {
    db.close();
  }
}
