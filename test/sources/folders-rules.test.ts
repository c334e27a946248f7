// Folder rules: glob patterns, the default excludes, and a walk that prunes excluded folders.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FolderFilter, folderRules, globToRegExp } from '../../app/sources/folder-rules.ts';
import { walkFolder, type FolderProblem } from '../../app/sources/folder-walk.ts';
import { tempDir } from '../support/corpus.ts';

test('globs: * and ? stay in one segment, ** spans them, {a,b} and [..] choose', () => {
  assert.ok(globToRegExp('*.md').test('notes.md'));
  assert.ok(!globToRegExp('*.md').test('a/notes.md'));
  assert.ok(globToRegExp('**/*.md').test('a/b/notes.md'));
  assert.ok(globToRegExp('**/*.md').test('notes.md'));
  assert.ok(globToRegExp('docs/**').test('docs/x/y.txt'));
  assert.ok(globToRegExp('*.{md,txt}').test('a.txt'));
  assert.ok(!globToRegExp('*.{md,txt}').test('a.pdf'));
  assert.ok(globToRegExp('report-[0-9].pdf').test('report-7.pdf'));
  assert.ok(!globToRegExp('report-[0-9].pdf').test('report-x.pdf'));
  assert.ok(globToRegExp('a?c').test('abc'));
  assert.ok(!globToRegExp('a?c').test('a/c'));
  assert.ok(globToRegExp('a+b(1).md').test('a+b(1).md'), 'regex characters are literal');
});

test('default excludes: VCS, dependencies, hidden, temporary and editor files', () => {
  const root = '/r';
  const filter = new FolderFilter(root, folderRules({}));
  for (const name of ['.git', 'node_modules', '.DS_Store', '~$report.docx', '.#notes.md', 'notes.md.swp', 'x.tmp', 'movie.part', 'draft.md~', '.hidden']) {
    assert.ok(filter.excluded(join(root, 'sub', name)), `${name} is excluded`);
  }
  for (const name of ['notes.md', 'report.docx', 'a.swp.md', 'tmp']) assert.ok(!filter.excluded(join(root, 'sub', name)), `${name} is kept`);
  assert.ok(filter.excludedOnTheWay(join(root, 'node_modules', 'pkg', 'README.md')));
  assert.ok(!filter.excludedOnTheWay(join(root, 'docs', 'README.md')));
});

test('a folder’s own patterns: excludes by name or by path from the root, includes only for files', () => {
  const root = '/r';
  const filter = new FolderFilter(root, folderRules({ include: ['*.md', 'docs/**/*.pdf'], exclude: ['build', 'notes/private/**'] }));
  assert.ok(filter.excluded('/r/x/build'));
  assert.ok(filter.excluded('/r/notes/private/a.md'));
  assert.ok(!filter.excluded('/r/private/a.md'), 'a pattern with a slash is anchored at the root');
  assert.ok(filter.wantsFile('/r/a/b.md'));
  assert.ok(filter.wantsFile('/r/docs/2024/x.pdf'));
  assert.ok(!filter.wantsFile('/r/other/x.pdf'));
  assert.ok(!filter.excluded('/r/other'), 'includes never exclude a folder');
  assert.deepEqual(folderRules({ include: ['  *.md ', '', 3], maxFileBytes: -1 }), { include: ['*.md'], exclude: [], maxFileBytes: 100 * 1024 * 1024 });
});

test('the walk never opens an excluded folder, and reports what it leaves out', async () => {
  const root = tempDir();
  writeFileSync(join(root, 'a.md'), 'a');
  mkdirSync(join(root, 'keep', 'deeper'), { recursive: true });
  writeFileSync(join(root, 'keep', 'deeper', 'b.md'), 'b');
  for (const dir of ['node_modules', '.git', 'skip']) {
    mkdirSync(join(root, dir, 'inner'), { recursive: true });
    writeFileSync(join(root, dir, 'inner', 'c.md'), 'c');
    // Listing this folder would report the pipe: no report means it was never listed.
    execFileSync('mkfifo', [join(root, dir, 'inner', 'pipe')]);
  }
  execFileSync('mkfifo', [join(root, 'keep', 'pipe')]);
  const filter = new FolderFilter(root, folderRules({ exclude: ['skip'] }));
  const problems: FolderProblem[] = [];
  const files = [];
  for await (const file of walkFolder(filter, (p) => problems.push(p))) files.push(file.path);
  assert.deepEqual(files.sort(), [join(root, 'a.md'), join(root, 'keep', 'deeper', 'b.md')]);
  assert.deepEqual(problems.map((p) => p.path), [join(root, 'keep', 'pipe')]);
  await assert.rejects(async () => {
    for await (const _ of walkFolder(new FolderFilter(join(root, 'missing'), folderRules({})), () => {})) void _;
  }, { code: 'ENOENT' });
});
