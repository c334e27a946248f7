// What SQLite's failures mean to the user, said wherever they happen (every statement of a
// library's connection goes through storageError): a damaged library file, a full disk. A damaged
// library is remembered in a file beside it (`library.db-damaged`), so every later command says so
// at once, also those that never read the damaged pages, until `cairn doctor` finds the file
// sound or `cairn doctor --repair` replaces it.
import { existsSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CairnError } from '../contract/index.ts';

/** Below this much free space, an I/O error on write is taken for a full disk (fsync, -shm growth). */
const NEARLY_FULL = 16 * 2 ** 20;

export function damageMarkPath(libraryPath: string): string {
  return `${libraryPath}-damaged`;
}

/** The error callers should see for an error from the library at `path` (unchanged when it is none of these). */
export function storageError(error: unknown, path: string): unknown {
  if (!(error instanceof Error) || error instanceof CairnError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  // By code, not by words: "malformed JSON" from json_each is a plain SQLITE_ERROR.
  if (code.startsWith('SQLITE_CORRUPT')) {
    markDamaged(path, error.message);
    return damagedError(path, error.message, error);
  }
  if (code === 'SQLITE_NOTADB') {
    return new CairnError('not-a-library', `Cannot open the library at ${path}: it is not a database (not an SQLite file, or its first page is damaged).`, { cause: error });
  }
  const free = freeBytes(path);
  if (code === 'SQLITE_FULL' || (code.startsWith('SQLITE_IOERR') && free !== null && free < NEARLY_FULL)) {
    const where = free === null ? dirname(path) : `${dirname(path)}: ${formatBytes(free)} free`;
    return new CairnError(
      'disk-full',
      `The disk holding the library is full (${where}). Free some space and run the command again: nothing stored is lost, and \`cairn index\` finishes the queued work.`,
      { cause: error },
    );
  }
  return error;
}

export function damagedError(path: string, detail: string, cause?: unknown): CairnError {
  return new CairnError(
    'library-damaged',
    `The library at ${path} is damaged (${detail}). Run \`cairn doctor --repair\` to recover what can be read into a new library file; the damaged one is kept beside it.`,
    cause === undefined ? undefined : { cause },
  );
}

/** Why the library was found damaged, if it was and has not been checked or repaired since. */
export function damageMark(path: string): string | null {
  const mark = damageMarkPath(path);
  if (!existsSync(mark)) return null;
  try {
    return (JSON.parse(readFileSync(mark, 'utf8')) as { reason?: string }).reason ?? 'damage was found earlier';
  } catch {
    return 'damage was found earlier';
  }
}

function markDamaged(path: string, reason: string): void {
  if (path === ':memory:') return;
  try {
    writeFileSync(damageMarkPath(path), JSON.stringify({ reason, at: new Date().toISOString() }) + '\n', { mode: 0o600 });
  } catch {
    // A read-only or full disk: the error itself still says it.
  }
}

export function clearDamageMark(path: string): void {
  rmSync(damageMarkPath(path), { force: true });
}

function freeBytes(path: string): number | null {
  try {
    const stats = statfsSync(dirname(path));
    return stats.bavail * stats.bsize;
  } catch {
    return null;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ${units[unit]}`;
}
