import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Library, resolveLibraryPath } from '../../app/store/index.ts';
import { openSqlite } from '../../native/sqlite.ts';
import { tempDir } from '../support/corpus.ts';
import { docInput } from '../support/documents.ts';

const mode = (path: string) => statSync(path).mode & 0o777;
const posix = process.platform !== 'win32';

/** Writes something, so the library has its -wal and -shm files. */
function write(library: Library): void {
  const source = library.sources.ensure('import', '/d', 'd');
  library.documents.upsert(docInput(source.id, '/d/private.eml'));
}

test('a new library is private: its folder 0700, the database and its -wal and -shm 0600, whatever the umask', { skip: !posix && 'POSIX modes' }, () => {
  const umask = process.umask(0o000);
  try {
    const path = join(tempDir(), 'new', 'deeper', 'library.db');
    const library = Library.open(path);
    try {
      write(library);
      assert.equal(mode(join(path, '..')), 0o700, 'the folder Cairn made');
      for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(mode(file), 0o600, file);
    } finally {
      library.close();
    }
  } finally {
    process.umask(umask);
  }
});

test("an existing library's files are made private on open; a folder the user chose is left as it is", { skip: !posix && 'POSIX modes' }, () => {
  const folder = tempDir();
  chmodSync(folder, 0o755);
  const path = join(folder, 'library.db');
  // A library written before this rule: 0644 files, with a -wal and -shm left open by a reader.
  const old = openSqlite(path);
  old.exec('CREATE TABLE t (x)');
  const reader = openSqlite(path);
  reader.prepare('SELECT count(*) FROM t').get();
  for (const file of [path, `${path}-wal`, `${path}-shm`]) chmodSync(file, 0o644);
  try {
    const library = Library.open(path);
    try {
      write(library);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(mode(file), 0o600, file);
      assert.equal(mode(folder), 0o755, '--db in a folder of the user: not Cairn’s to change');
    } finally {
      library.close();
    }
  } finally {
    reader.close();
    old.close();
  }
});

test("Cairn's own data folder is made 0700 when it already exists", { skip: !posix && 'POSIX modes' }, () => {
  const data = tempDir();
  const saved = { xdg: process.env.XDG_DATA_HOME, db: process.env.CAIRN_DB };
  process.env.XDG_DATA_HOME = data;
  delete process.env.CAIRN_DB;
  try {
    const path = resolveLibraryPath();
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o755 });
    chmodSync(join(path, '..'), 0o755);
    writeFileSync(join(path, '..', 'secrets.json'), '{}', { mode: 0o600 });
    Library.open(path).close();
    assert.equal(mode(join(path, '..')), 0o700);
    assert.equal(mode(path), 0o600);
  } finally {
    if (saved.xdg === undefined) delete process.env.XDG_DATA_HOME;
    else process.env.XDG_DATA_HOME = saved.xdg;
    if (saved.db !== undefined) process.env.CAIRN_DB = saved.db;
  }
});
