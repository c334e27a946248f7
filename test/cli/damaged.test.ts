import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Engine } from '../../app/engine.ts';
import { tempDir, writeCorpus } from '../support/corpus.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');
const FILES = 400;

function cairn(db: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [main, '--db', db, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Overwrites leaf pages in the middle of the `documents` and `chunks` tables with garbage. */
function damage(db: string): number[] {
  const probe = new Database(db, { readonly: true });
  const pageSize = probe.pragma('page_size', { simple: true }) as number;
  const leaves = (table: string) =>
    probe.prepare(`SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno`).pluck().all(table) as number[];
  const documents = leaves('documents');
  const chunks = leaves('chunks');
  probe.close();
  const pages = [documents[Math.floor(documents.length / 2)]!, chunks[Math.floor(chunks.length / 2)]!, chunks[Math.floor(chunks.length / 3)]!];
  const fd = openSync(db, 'r+');
  for (const page of pages) writeSync(fd, Buffer.alloc(pageSize, 0xab), 0, pageSize, (page - 1) * pageSize);
  closeSync(fd);
  return pages;
}

const noStack = (stderr: string) => assert.doesNotMatch(stderr, /at .*\.ts:\d+|SqliteError/, 'no stack trace, no raw SQLite error');
const saysDamaged = (run: { code: number | null; stderr: string }) => {
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /library at .* is damaged/);
  assert.match(run.stderr, /cairn doctor --repair/);
  noStack(run.stderr);
};

/** Indexes `dir` in-process (faster than the command) and returns how many markers search finds. */
async function indexAndFind(db: string, dir: string): Promise<{ indexed: number; found: number }> {
  const engine = await Engine.open({ dbPath: db, embedder: null });
  try {
    engine.add([dir]);
    await engine.index();
    let found = 0;
    for (let i = 0; i < FILES; i += 10) {
      const { hits } = await engine.search({ query: `marker${i}`, mode: 'bm25', k: 1 });
      if (hits[0]?.title === `Note ${i}`) found++;
    }
    return { indexed: engine.status().documents.indexed, found };
  } finally {
    await engine.close();
  }
}

async function searchable(db: string): Promise<{ documents: number; found: number }> {
  const engine = await Engine.open({ dbPath: db, embedder: null });
  try {
    let found = 0;
    for (let i = 0; i < FILES; i += 10) {
      const { hits } = await engine.search({ query: `marker${i}`, mode: 'bm25', k: 1 });
      if (hits[0]?.title === `Note ${i}`) found++;
    }
    const { indexed, pending } = engine.status().documents;
    return { documents: indexed + pending, found };
  } finally {
    await engine.close();
  }
}

test('a damaged library says so in every command, and doctor --repair recovers what can be read', async () => {
  const db = join(tempDir(), 'library.db');
  const dir = writeCorpus(FILES);
  assert.deepEqual(await indexAndFind(db, dir), { indexed: FILES, found: FILES / 10 });
  assert.ok(!existsSync(`${db}-wal`), 'closed cleanly: every page is in the main file');
  damage(db);

  // The scan reads every document of the folder: it meets the damaged pages.
  saysDamaged(cairn(db, 'add', dir));
  // Status and search read none of them, yet say so too: the damage was recorded.
  saysDamaged(cairn(db, 'status'));
  saysDamaged(cairn(db, 'search', 'marker1'));

  const doctor = cairn(db, 'doctor');
  assert.equal(doctor.code, 1);
  assert.match(doctor.stdout, /FAIL\s+library\s.*damaged/);

  const repair = cairn(db, 'doctor', '--repair');
  assert.equal(repair.code, 0, repair.stdout + repair.stderr);
  noStack(repair.stderr);
  assert.match(repair.stdout, /documents\s+\d+ rows? copied/);
  assert.match(repair.stdout, /could not be read/);
  const kept = readdirSync(dirname(db)).filter((f) => f.startsWith('library.db.damaged-'));
  assert.equal(kept.length, 1, 'the damaged file is kept');
  assert.ok(repair.stdout.includes(kept[0]!));
  if (process.platform !== 'win32') assert.equal(statSync(db).mode & 0o777, 0o600);

  // The recovered library works: most documents are there and searchable by their words, not all.
  const recovered = await searchable(db);
  assert.ok(recovered.documents > FILES / 2 && recovered.documents < FILES, `recovered ${recovered.documents} of ${FILES}`);
  assert.ok(recovered.found > FILES / 20 && recovered.found < FILES / 10, `searchable: ${recovered.found} of ${FILES / 10}`);
  assert.match(cairn(db, 'doctor').stdout, /ok\s+library\s.*sound/, 'the new file checks out');

  // Adding the folder again reads what was lost: everything is back.
  assert.deepEqual(await indexAndFind(db, dir), { indexed: FILES, found: FILES / 10 });
});
