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
  /**
   * Turns an error from SQLite into the one callers should see (the library is damaged, the
   * disk is full): applied to every statement, `exec` and `pragma` of the connection.
   */
  mapError?: (error: unknown) => unknown;
  /**
   * An 8 MB page cache instead of 32 MB: for a second connection that only searches (the keyword
   * thread's), whose reads the operating system's cache serves about as fast. Measured at 1M
   * chunks, hybrid search with the keyword thread used no more CPU with 2 or 8 MB than with 32,
   * while at 100k chunks the 32 MB cache kept 16 MB more of the process for good.
   */
  smallCache?: boolean;
}

/**
 * Opens (creating if needed) a database file with sqlite-vec loaded and Cairn's pragmas set.
 * Its `prepare` hands out one shared statement per SQL text (see shareStatements).
 */
export function openSqlite(path: string, options: OpenOptions = {}): SqliteDatabase {
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  try {
    shareStatements(db, options.mapError ?? ((error) => error));
    db.loadExtension(vecExtensionPath());
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // WAL makes NORMAL safe against corruption; a power cut may lose only the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma(options.smallCache ? 'cache_size = -8000' : 'cache_size = -32000');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

type Mode = 'rows' | 'pluck' | 'raw' | 'expand';
const MODES = ['pluck', 'raw', 'expand'] as const;

interface Shared {
  statements: Map<string, SqliteStatement>;
  /** Native statements made on this connection (each `pragma` call makes one too). */
  prepared: number;
}
const shared = new WeakMap<SqliteDatabase, Shared>();

/**
 * Every better-sqlite3 statement keeps native memory that neither the garbage collector nor
 * closing the connection gives back (about 3–6 KB each), so a statement prepared per call grows
 * the process without end. The connection's `prepare` therefore keeps one statement per SQL text
 * (SQL text must be constant: values go in parameters). A handout is always in its default mode:
 * `pluck()`, `raw()` and `expand()` return a statement of their own (one per SQL text and mode)
 * instead of changing the shared one under its other users, and `bind()` is refused. One
 * statement cannot run inside its own `iterate()`: iterating one SQL text within itself throws
 * "busy".
 */
function shareStatements(db: SqliteDatabase, mapError: (error: unknown) => unknown): void {
  const state: Shared = { statements: new Map(), prepared: 0 };
  shared.set(db, state);
  const prepareNative = db.prepare.bind(db);
  const pragma = db.pragma.bind(db);
  const exec = db.exec.bind(db);
  const mapped = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A): R => {
    try {
      return fn(...args);
    } catch (error) {
      throw mapError(error);
    }
  };

  const statement = (sql: string, mode: Mode): SqliteStatement => {
    const key = `${mode}\0${sql}`;
    const cached = state.statements.get(key);
    if (cached) return cached;
    const made = mapped(prepareNative)(sql) as SqliteStatement;
    state.prepared++;
    if (mode !== 'rows') made[mode](true);
    for (const m of MODES) define(made, m, (on = true) => statement(sql, on ? m : 'rows'));
    const refuse = (name: string) => () => {
      throw new TypeError(`${name}() would change the statement for every user of "${sql}": shared statements cannot be bound or switched to safe integers`);
    };
    define(made, 'bind', refuse('bind'));
    define(made, 'safeIntegers', refuse('safeIntegers'));
    for (const m of ['run', 'get', 'all'] as const) define(made, m, mapped(made[m].bind(made)));
    const iterate = made.iterate.bind(made);
    define(made, 'iterate', (...params: unknown[]) => {
      const rows = mapped(iterate)(...params);
      const next = mapped(() => rows.next());
      return { next, return: (value?: unknown) => rows.return!(value), [Symbol.iterator]() { return this; } };
    });
    state.statements.set(key, made);
    return made;
  };

  db.prepare = ((sql: string) => statement(sql, 'rows')) as typeof db.prepare;
  // pragma() prepares a statement per call (and some pragmas are evaluated when prepared), so it is
  // counted but not shared: keep it out of per-call paths (`PRAGMA data_version` as a prepared
  // statement is shared and cheap).
  db.pragma = mapped((source: string, options?: Database.PragmaOptions) => {
    state.prepared++;
    return pragma(source, options);
  }) as typeof db.pragma;
  db.exec = mapped(exec) as typeof db.exec;
}

function define(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, configurable: true, writable: true });
}

/** Native statements made on a connection so far: it must not grow with the work done. */
export function preparedStatements(db: SqliteDatabase): number {
  return shared.get(db)?.prepared ?? 0;
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
