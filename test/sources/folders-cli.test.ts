// `cairn folders add|list|remove` and `cairn watch` as a user runs them, in child processes.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { paragraph, tempDir } from '../support/corpus.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');

function cairn(db: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [main, '--db', db, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function searchUris(db: string, query: string): string[] {
  const run = cairn(db, 'search', query, '--json', '--mode', 'bm25');
  assert.equal(run.code, 0, run.stderr);
  return (JSON.parse(run.stdout) as { hits: { uri: string }[] }).hits.map((h) => h.uri);
}

test('cairn folders add, list and remove', () => {
  const db = join(tempDir(), 'library.db');
  const root = tempDir();
  writeFileSync(join(root, 'a.md'), `# Alpha\n\nwalrus ${paragraph(1)}\n`);
  writeFileSync(join(root, 'b.txt'), `walrus ${paragraph(2)}\n`);
  mkdirSync(join(root, 'drafts'));
  writeFileSync(join(root, 'drafts', 'c.md'), `walrus ${paragraph(3)}\n`);

  const add = cairn(db, 'folders', 'add', root, '--include', '*.md', '--exclude', 'drafts');
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stderr, /1 document\(s\)/);
  assert.deepEqual(searchUris(db, 'walrus'), [join(root, 'a.md')], 'only included files outside excluded folders');

  const list = cairn(db, 'folders', 'list');
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`${root}\\s+1 document\\(s\\)\\s+idle`));
  assert.match(list.stdout, /include: \*\.md/);
  assert.match(list.stdout, /exclude: drafts \.\* node_modules/);
  const json = JSON.parse(cairn(db, 'folders', 'list', '--json').stdout) as { uri: string; include: string[]; state: { state: string } }[];
  assert.deepEqual(json.map((f) => [f.uri, f.include, f.state.state]), [[root, ['*.md'], 'idle']]);

  const overlap = cairn(db, 'folders', 'add', join(root, 'drafts'));
  assert.equal(overlap.code, 1);
  assert.match(overlap.stderr, /inside the watched folder/);

  const remove = cairn(db, 'folders', 'remove', root);
  assert.equal(remove.code, 0, remove.stderr);
  assert.match(remove.stdout, /removed 1 document/);
  assert.deepEqual(searchUris(db, 'walrus'), []);
  assert.match(cairn(db, 'folders').stdout, /No watched folders/);
});

test('cairn watch catches up with changes made meanwhile, indexes new files as they come, and stops on Ctrl-C', async () => {
  const db = join(tempDir(), 'library.db');
  const root = tempDir();
  writeFileSync(join(root, 'first.md'), `# First\n\nyak ${paragraph(4)}\n`);
  assert.equal(cairn(db, 'folders', 'add', root).code, 0);
  writeFileSync(join(root, 'while-closed.md'), `# Meanwhile\n\nzebu ${paragraph(5)}\n`);

  const child = spawn(process.execPath, [main, '--db', db, 'watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    await until('watching', () => /Ctrl-C to stop/.test(stderr));
    await until('the file added while closed', () => searchUris(db, 'zebu').length === 1);
    writeFileSync(join(root, 'live.md'), `# Live\n\nquetzal ${paragraph(6)}\n`);
    await until('the file added while watching', () => searchUris(db, 'quetzal').length === 1);
    assert.deepEqual(searchUris(db, 'quetzal'), [join(root, 'live.md')]);
    // The state line is printed when it changes (checked twice a second).
    await until('the watching state line', () => stderr.includes(`${root}: watching`));
  } finally {
    child.kill('SIGINT');
  }
  assert.equal(await exited, 0, stderr);
  assert.match(stderr, /Stopped watching/);
});

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
