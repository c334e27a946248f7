// A new user's first day with the `cairn` command: mistakes are usage errors (exit 2, one clear
// line, no stack trace), failures exit 1 with what went wrong, relative paths are the user's,
// `--version` answers, and the `cairn` that `npm link` installs runs on a machine whose own
// Node.js is older than 22.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import type { LibraryStatus } from '../../app/contract/index.ts';
import { tempDir } from '../support/corpus.ts';

const root = resolve(import.meta.dirname, '..', '..');
const main = join(root, 'app', 'cli', 'main.ts');
const bin = join(root, 'bin', 'cairn.js');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

function run(command: string, args: string[], options: SpawnSyncOptions = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, ...options });
  return { code: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function cairn(db: string, ...args: string[]) {
  return run(process.execPath, [main, '--db', db, ...args]);
}

const STACK = /\n\s+at .+:\d+/;

test('every usage mistake exits 2 with one line saying what is wrong, and no stack trace', () => {
  const db = join(tempDir(), 'library.db');
  // One of each way in; every message is checked in test/cli/options.test.ts.
  const cases: [string[], RegExp][] = [
    [['search', 'foo', '--k', '-3'], /--k/],
    [['search', 'foo', '--k', 'abc'], /--k must be a positive whole number \(got "abc"\)/],
    [['search', 'foo', '--bogus'], /Unknown option '--bogus'/],
    [['search'], /cairn search needs a query/],
    [['search', 'x', '--after', 'yesterday-ish'], /--after must be a date .*\(got "yesterday-ish"\)/],
    [['search', 'x', '--source', 'abc'], /--source must be a source id/],
    [['ask', 'x', '--k', 'abc'], /--k must be a positive whole number/],
    [['conversations', 'show', 'abc'], /needs a conversation id/],
    [['embedder', 'set', '--url', 'http://127.0.0.1:9/v1', '--model', 'm', '--dimensions', 'abc'], /--dimensions must be a positive whole number/],
    [['serve', '--api', '--port', 'abc'], /--port must be a port number/],
    [['mail', 'add', '--host', 'h', '--user', 'u', '--port', '99999', '--password-stdin'], /--port must be a port number/],
    [['status', '--limit', 'x'], /--limit must be a positive whole number/],
    [['add'], /cairn add needs at least one file or folder/],
    [['frobnicate'], /Unknown command: frobnicate/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = cairn(db, ...args);
    const what = `cairn ${args.join(' ')}`;
    assert.equal(code, 2, `${what}: exit ${code}\n${stderr}`);
    assert.match(stderr, message, what);
    assert.doesNotMatch(stderr, STACK, `${what}: no stack trace`);
    assert.doesNotMatch(stderr, /NaN|TypeError|ERR_PARSE_ARGS/, `${what}: no internals`);
  }
});

test('failures that are not the command line exit 1 with what went wrong', () => {
  const db = join(tempDir(), 'library.db');
  const gone = cairn(db, 'conversations', 'show', '7');
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /^cairn: No conversation with id 7\.\n$/);

  // The library's folder cannot be created: under a file, and (as a user without the rights) under a read-only folder.
  const file = join(tempDir(), 'a-file');
  writeFileSync(file, 'not a folder');
  const underFile = cairn(join(file, 'lib', 'library.db'), 'status');
  assert.equal(underFile.code, 1, underFile.stderr);
  assert.match(underFile.stderr, new RegExp(`^cairn: Cannot create the library's folder ${escape(join(file, 'lib'))}: `));
  assert.doesNotMatch(underFile.stderr, STACK);

  const readOnly = tempDir();
  chmodSync(readOnly, 0o555);
  const denied = run(process.execPath, [main, '--db', join(readOnly, 'lib', 'library.db'), 'status'], asUser());
  assert.equal(denied.code, 1, denied.stderr);
  assert.match(denied.stderr, new RegExp(`^cairn: Cannot create the library's folder ${escape(join(readOnly, 'lib'))}: permission denied`));
  assert.doesNotMatch(denied.stderr, STACK);
});

test('cairn --version prints the version', () => {
  const shown = run(process.execPath, [main, '--version']);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(shown.stdout, `cairn ${version} (Node.js ${process.versions.node})\n`);
});

test('relative paths given through npm run are the folder the user typed them in', () => {
  const home = tempDir();
  mkdirSync(join(home, 'notes'));
  writeFileSync(join(home, 'notes', 'x.md'), '# Relative\n\nwombat\n');
  // npm runs the script in the project folder and says where the user was in INIT_CWD.
  const npm = (...args: string[]) =>
    run('npm', ['--prefix', root, '--silent', 'run', 'cairn', '--', ...args], { cwd: home, env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` } });
  const added = npm('--db', 'library.db', 'add', 'notes/x.md', 'notes/missing.md');
  assert.equal(added.code, 1, added.stderr);
  assert.match(added.stderr, new RegExp(`not found  ${escape(join(home, 'notes', 'missing.md'))}`));
  const status = JSON.parse(cairn(join(home, 'library.db'), 'status', '--json').stdout) as LibraryStatus;
  assert.equal(status.documents.indexed, 1, 'the library is in the user’s folder, with the user’s file');
  const hits = JSON.parse(cairn(join(home, 'library.db'), 'search', 'wombat', '--json').stdout) as { hits: { uri: string }[] };
  assert.equal(hits.hits[0]?.uri, join(home, 'notes', 'x.md'));
});

/** Runs as this process's Node pretending to be Node 20: what `cairn` meets on a machine with an old `node`. */
const OLD_NODE = ['--import', `data:text/javascript,Object.defineProperty(process.versions, 'node', { value: '20.11.0' })`];

test('bin/cairn.js started by an older Node hands over to the project’s Node 22, or says what to do', () => {
  const viaProjectNode = run(process.execPath, [...OLD_NODE, bin, '--version']);
  assert.equal(viaProjectNode.code, 0, viaProjectNode.stderr);
  assert.match(viaProjectNode.stdout, new RegExp(`^cairn ${escape(version)} \\(Node\\.js 2[2-9]\\.`));

  // A copy of the command in a project where `npm install` has not run: no Node 22 to hand over to.
  const bare = tempDir();
  mkdirSync(join(bare, 'bin'));
  copyFileSync(bin, join(bare, 'bin', 'cairn.js'));
  writeFileSync(join(bare, 'package.json'), '{"type": "module"}');
  const none = run(process.execPath, [...OLD_NODE, join(bare, 'bin', 'cairn.js'), '--version']);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, `Cairn needs Node.js 22.18 or newer; this is Node.js 20.11.0. Run \`npm install\` in ${bare} (it installs Node.js 22 into the project), or install Node.js 22 LTS.\n`);
});

test('bin/cairn.js runs the command and passes its exit code on', () => {
  const db = join(tempDir(), 'library.db');
  assert.equal(run(process.execPath, [bin, '--db', db, 'status']).code, 0);
  assert.equal(run(process.execPath, [bin, '--db', db, 'frobnicate']).code, 2);
  assert.equal(run(process.execPath, [...OLD_NODE, bin, '--db', db, 'frobnicate']).code, 2);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Spawn options that run as a user who cannot write where the folder's mode forbids it (not root). */
function asUser(): SpawnSyncOptions {
  return process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
}

