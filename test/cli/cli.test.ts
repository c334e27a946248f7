import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { tempDir, writeCorpus } from '../support/corpus.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');

function cairn(db: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [main, '--db', db, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('cairn add, search, status and remove work end to end', () => {
  const db = join(tempDir(), 'library.db');
  const dir = writeCorpus(8);
  writeFileSync(join(dir, 'empty.txt'), '');

  const add = cairn(db, 'add', dir);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stderr, /9 files, \d+ chunks/);
  assert.match(add.stderr, /skipped\s+.*empty\.txt: File is empty/);

  const search = cairn(db, 'search', 'marker3', '--json', '--k', '3');
  assert.equal(search.code, 0, search.stderr);
  const response = JSON.parse(search.stdout) as { hits: { title: string; uri: string }[]; keywordOnly: boolean; notice: string };
  assert.equal(response.hits[0]!.title, 'Note 3');
  assert.equal(response.keywordOnly, true);
  assert.match(response.notice, /No embedding model/);

  const text = cairn(db, 'search', 'marker3');
  assert.match(text.stdout, /1\. Note 3/);
  assert.match(text.stdout, /Keyword search only/);

  const status = JSON.parse(cairn(db, 'status', '--json').stdout) as { documents: Record<string, number>; problems: { uri: string; reason: string }[] };
  assert.equal(status.documents.indexed, 8);
  assert.equal(status.documents.skipped, 1);
  assert.match(status.problems[0]!.uri, /empty\.txt$/);
  assert.match(cairn(db, 'status').stdout, /Problems \(1\):[\s\S]*empty\.txt[\s\S]*File is empty/);

  const remove = cairn(db, 'remove', join(dir, 'folder3'));
  assert.equal(remove.code, 0);
  assert.equal(JSON.parse(cairn(db, 'search', 'marker3', '--json').stdout).hits.length, 0);
});

test('mistakes get a clear message and a non-zero exit, and nothing else breaks', () => {
  const db = join(tempDir(), 'library.db');
  const nope = join(tempDir(), 'nope');
  const missing = cairn(db, 'add', nope);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, new RegExp(`not found  ${nope}`));

  const mode = cairn(db, 'search', 'x', '--mode', 'fuzzy');
  assert.equal(mode.code, 2);
  assert.doesNotMatch(mode.stderr, /at .*\.ts:\d+/, 'no stack trace for a user mistake');

  const date = cairn(db, 'search', 'x', '--after', 'yesterday-ish');
  assert.equal(date.code, 2);
  assert.match(date.stderr, /--after must be a date such as 2026-03-01 \(got "yesterday-ish"\)/);

  assert.equal(cairn(db, 'frobnicate').code, 2);
  assert.equal(cairn(db, 'search', 'x', '--bogus').code, 2);
  assert.equal(cairn(db, 'embedder', 'set').code, 2);
  const gguf = cairn(db, 'embedder', 'set', '--gguf', join(tempDir(), 'missing.gguf'));
  assert.equal(gguf.code, 1);
  assert.match(gguf.stderr, /missing\.gguf/);
  assert.match(cairn(db, 'embedder').stdout, /none \(keyword search only\)/, 'a failed switch changes nothing');

  const corrupt = join(tempDir(), 'corrupt.db');
  writeFileSync(corrupt, 'not a database, only text, long enough to fill the header of a real SQLite file....');
  const bad = cairn(corrupt, 'status');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Cannot open the library .* not a database/);
});

test('cairn doctor checks Node.js, SQLite, sqlite-vec and llama.cpp', () => {
  const doctor = cairn(join(tempDir(), 'unused.db'), 'doctor');
  assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
  for (const name of ['Node.js', 'SQLite', 'sqlite-vec', 'llama.cpp']) assert.match(doctor.stdout, new RegExp(`ok\\s+${name.replace('.', '\\.')}`));
  assert.match(doctor.stdout, /llama\.cpp\s+(CPU, \d+ threads|CUDA|METAL|VULKAN)/);
});

test('a command on a library from an older version says it upgrades it, once', async () => {
  const { openSqlite } = await import('../../native/sqlite.ts');
  const { migrate, migrations } = await import('../../app/store/index.ts');
  const db = join(tempDir('cairn-cli-upgrade-'), 'library.db');
  const old = openSqlite(db);
  migrate(old, migrations.slice(0, 3));
  old.close();
  const first = cairn(db, 'status');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, new RegExp(`Upgrading the library to this version's format \\(3 → ${migrations.at(-1)!.version}\\), once`));
  const second = cairn(db, 'status');
  assert.equal(second.code, 0, second.stderr);
  assert.doesNotMatch(second.stderr, /Upgrading/);
});
