// Problems are never cut silently: status gives their count and pages through them, `status
// --json` lists them all, the text shows the first ones and how many more there are, and a
// folder that cannot be read is a problem that stays until it can be.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { LibraryStatus } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { tempDir } from '../support/corpus.ts';
import { docInput } from '../support/documents.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');

function cairn(db: string, args: string[], options: SpawnSyncOptions = {}) {
  const run = spawnSync(process.execPath, [main, '--db', db, ...args], { encoding: 'utf8', timeout: 60_000, ...options });
  return { code: run.status, stdout: String(run.stdout), stderr: String(run.stderr) };
}

/** A library with `count` failed documents (and one indexed), written directly. */
async function libraryWithProblems(count: number): Promise<string> {
  const db = join(tempDir(), 'library.db');
  const engine = await Engine.open({ dbPath: db, embedder: null });
  try {
    const source = engine.library.sources.ensure('import', '/data', 'data');
    engine.library.transaction(() => {
      engine.library.documents.upsert(docInput(source.id, '/data/fine.md'));
      for (let i = 0; i < count; i++) {
        const path = `/data/bad-${String(i).padStart(4, '0')}.pdf`;
        engine.library.documents.upsert(docInput(source.id, path, { status: 'failed', errorCode: 'damaged', reason: `PDF file ${i} is damaged` }));
      }
    });
  } finally {
    await engine.close();
  }
  return db;
}

test('status counts every problem and pages through them', async () => {
  const db = await libraryWithProblems(250);
  const engine = await Engine.open({ dbPath: db, embedder: null });
  try {
    const first = engine.status();
    assert.equal(first.problemCount, 250);
    assert.equal(first.problems.length, 200);
    assert.equal(first.problemsNext, 200);
    const rest = engine.status({ offset: first.problemsNext!, limit: 200 });
    assert.equal(rest.problems.length, 50);
    assert.equal(rest.problemsNext, null);
    const uris = [...first.problems, ...rest.problems].map((p) => p.uri);
    assert.equal(new Set(uris).size, 250, 'the pages do not overlap');
  } finally {
    await engine.close();
  }
});

test('status --json lists all problems; with --limit it pages and says where the next page starts', async () => {
  const db = await libraryWithProblems(250);
  const all = JSON.parse(cairn(db, ['status', '--json']).stdout) as LibraryStatus;
  assert.equal(all.problems.length, 250);
  assert.equal(all.problemCount, 250);
  assert.equal(all.problemsNext, null);

  const page = JSON.parse(cairn(db, ['status', '--json', '--limit', '100', '--offset', '100']).stdout) as LibraryStatus;
  assert.deepEqual([page.problems.length, page.problemCount, page.problemsNext], [100, 250, 200]);
  assert.equal(page.problems[0]!.uri, all.problems[100]!.uri);

  const text = cairn(db, ['status']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Problems \(250\):/);
  assert.equal(text.stdout.match(/bad-\d+\.pdf/g)?.length, 20, 'the first 20 are shown');
  assert.match(text.stdout, /…and 230 more: `cairn status --problems` lists them all\.\n?$/);

  const listed = cairn(db, ['status', '--problems']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(listed.stdout.match(/bad-\d+\.pdf/g)?.length, 250);
  assert.doesNotMatch(listed.stdout, /more:/);
});

test('a folder that cannot be read stays a problem until it can, and is then indexed', () => {
  // Root reads every folder whatever its mode: the command runs as an ordinary user then.
  const asRoot = process.getuid?.() === 0;
  const user: SpawnSyncOptions = asRoot ? { uid: 65534, gid: 65534 } : {};
  const home = tempDir();
  chmodSync(home, 0o755);
  const docs = join(home, 'docs');
  const locked = join(docs, 'locked');
  const alone = join(home, 'alone');
  mkdirSync(locked, { recursive: true });
  mkdirSync(alone);
  writeFileSync(join(docs, 'open.md'), '# Open\n\nnumbat\n');
  writeFileSync(join(locked, 'hidden.md'), '# Hidden\n\nquoll\n');
  writeFileSync(join(alone, 'alone.md'), '# Alone\n\nbilby\n');
  const libraryDir = join(home, 'library');
  mkdirSync(libraryDir);
  if (asRoot) chownSync(libraryDir, 65534, 65534);
  const db = join(libraryDir, 'library.db');
  chmodSync(locked, 0o000);
  chmodSync(alone, 0o000);
  try {
    const add = cairn(db, ['add', docs, alone], user);
    assert.equal(add.code, 0, add.stderr);
    const again = cairn(db, ['add', docs, alone], user);
    assert.equal(again.code, 0, again.stderr);

    const status = JSON.parse(cairn(db, ['status', '--json'], user).stdout) as LibraryStatus;
    assert.deepEqual(
      status.problems.map((p) => [p.uri, p.status, p.code]),
      [[alone, 'failed', 'unreadable'], [locked, 'failed', 'unreadable']],
      'each folder once, after two adds',
    );
    for (const p of status.problems) assert.match(p.reason, /Cannot read folder: EACCES/);
    assert.equal(status.documents.failed, 2);
    assert.match(cairn(db, ['status'], user).stdout, /Problems \(2\):[\s\S]*locked\n\s+unreadable: Cannot read folder: EACCES/);
  } finally {
    chmodSync(locked, 0o755);
    chmodSync(alone, 0o755);
  }
  const fixed = cairn(db, ['add', docs, alone], user);
  assert.equal(fixed.code, 0, fixed.stderr);
  const status = JSON.parse(cairn(db, ['status', '--json'], user).stdout) as LibraryStatus;
  assert.deepEqual(status.problems, []);
  assert.equal(status.documents.indexed, 3);
});
