// Where a library lives when the user names none (the platform's per-user data directory), and
// who may read it: only the user. The library holds every document, email and the API token.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { getSystemErrorMessage } from 'node:util';
import { CairnError } from '../contract/index.ts';

export function defaultDataDir(): string {
  const home = homedir();
  if (platform() === 'darwin') return join(home, 'Library', 'Application Support', 'Cairn');
  if (platform() === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Cairn');
  return join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'cairn');
}

/** `--db` beats CAIRN_DB beats the default. */
export function resolveLibraryPath(explicit?: string): string {
  return explicit ?? process.env.CAIRN_DB ?? join(defaultDataDir(), 'library.db');
}

const PRIVATE_FOLDER = 0o700;
const PRIVATE_FILE = 0o600;

/**
 * Makes the library's place private before SQLite opens it. The folder is made 0700 when Cairn
 * creates it or it is Cairn's own data directory; a folder the user chose (`--db ~/x.db`) is
 * theirs and stays as it is. The database file is created 0600 here, because SQLite gives its
 * -wal, -shm and -journal files the database file's mode whatever the umask (so no process-wide
 * umask is needed, which would also touch files other code creates meanwhile); the files of an
 * existing library, and their folder as above, are made private when the user owns them (and
 * the file is an SQLite database: `--db notes.txt` by mistake leaves notes.txt as it was).
 */
export function makeLibraryPrivate(path: string): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder)) {
    try {
      mkdirSync(dirname(folder), { recursive: true });
      mkdirSync(folder, { mode: PRIVATE_FOLDER });
    } catch (error) {
      // No rights, a file in the way, a read-only disk: said plainly, whichever folder on the way failed.
      const errno = (error as NodeJS.ErrnoException).errno;
      const why = typeof errno === 'number' ? getSystemErrorMessage(errno) : (error as Error).message;
      throw new CairnError('library-folder', `Cannot create the library's folder ${folder}: ${why}. Choose another place with --db FILE or $CAIRN_DB.`, { cause: error });
    }
  }
  if (folder === resolve(defaultDataDir())) restrict(folder, PRIVATE_FOLDER);
  if (!existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE));
  if (!isSqliteFile(path)) return;
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) restrict(file, PRIVATE_FILE);
}

/** Sets a mode the user's own file or folder should have (POSIX; Windows keeps its ACLs). */
function restrict(path: string, mode: number): void {
  if (process.platform === 'win32') return;
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return; // not there (no -journal in WAL mode)
  }
  if (stats.uid === process.getuid?.() && (stats.mode & 0o777) !== mode) chmodSync(path, mode);
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Empty (SQLite makes it a database) or with SQLite's header. */
function isSqliteFile(path: string): boolean {
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let fd;
  try {
    fd = openSync(path, 'r');
    const read = readSync(fd, head, 0, head.length, 0);
    return read === 0 || (read === head.length && head.equals(SQLITE_HEADER));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
