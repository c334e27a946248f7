// Promises of the README that only the command line keeps: the library from $CAIRN_DB (--db wins),
// `cairn index` finishing queued work, `search --source/--path/--before`, and a remote chat
// model's key from $CAIRN_CHAT_API_KEY, never stored.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { LibraryStatus, SearchResponse, SourceStatus } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { startChatServer } from '../llm/chat-server.ts';
import { tempDir, writeCorpus } from '../support/corpus.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');
const run = promisify(execFile);

/** The user data directory the commands see: never the real user's, whatever a test breaks. */
const home = tempDir();

// Asynchronous: a test server may run in this process. No --db unless given; CAIRN_* cleared.
async function cairn(args: string[], env: Record<string, string> = {}) {
  const clean: NodeJS.ProcessEnv = { ...process.env, CAIRN_SECRETS: 'file', HOME: home, XDG_DATA_HOME: join(home, 'data') };
  delete clean.CAIRN_DB;
  delete clean.CAIRN_CHAT_API_KEY;
  try {
    const { stdout, stderr } = await run(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...clean, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const titles = (out: string) => (JSON.parse(out) as SearchResponse).hits.map((h) => h.title).sort();

test('the library is $CAIRN_DB when --db is not given, and --db wins over it', async () => {
  const fromEnv = join(tempDir(), 'env.db');
  const explicit = join(tempDir(), 'explicit.db');
  const add = await cairn(['add', writeCorpus(2)], { CAIRN_DB: fromEnv });
  assert.equal(add.code, 0, add.stderr);
  assert.ok(existsSync(fromEnv));
  assert.equal((JSON.parse((await cairn(['status', '--json'], { CAIRN_DB: fromEnv })).stdout) as LibraryStatus).documents.indexed, 2);

  const status = JSON.parse((await cairn(['--db', explicit, 'status', '--json'], { CAIRN_DB: fromEnv })).stdout) as LibraryStatus;
  assert.equal(status.dbPath, explicit);
  assert.equal(status.documents.indexed ?? 0, 0);
  assert.ok(!existsSync(join(home, 'data', 'cairn')), 'the default library was never touched');
});

test('cairn index finishes work another process queued and did not do', async () => {
  const db = join(tempDir(), 'library.db');
  const engine = await Engine.open({ dbPath: db, embedder: null });
  engine.add([writeCorpus(5)]);
  await engine.close(); // queued, never indexed (as after Ctrl-C before the first batch)

  assert.equal((JSON.parse((await cairn(['--db', db, 'status', '--json'])).stdout) as LibraryStatus).pendingJobs, 1);
  const index = await cairn(['--db', db, 'index']);
  assert.equal(index.code, 0, index.stderr);
  assert.match(index.stderr, /^5 files, \d+ chunks in [\d.]+ s/m);
  const status = JSON.parse((await cairn(['--db', db, 'status', '--json'])).stdout) as LibraryStatus;
  assert.deepEqual([status.pendingJobs, status.documents.indexed], [0, 5]);
  assert.deepEqual(titles((await cairn(['--db', db, 'search', 'marker3', '--json'])).stdout), ['Note 3']);
});

test('search --source, --path and --before keep only what they name', async () => {
  const db = join(tempDir(), 'library.db');
  const root = tempDir();
  const note = (folder: string, name: string, day: string) => {
    mkdirSync(join(root, folder), { recursive: true });
    const path = join(root, folder, `${name}.md`);
    writeFileSync(path, `# ${name}\n\nThe heron report for ${name}.\n`);
    const time = new Date(`${day}T12:00:00Z`);
    utimesSync(path, time, time);
  };
  note('work', 'old-work', '2023-05-01');
  note('work', 'new-work', '2025-05-01');
  note('home/garden', 'old-garden', '2023-06-01');
  note('home/kitchen', 'new-kitchen', '2025-06-01');
  for (const folder of ['work', 'home']) assert.equal((await cairn(['--db', db, 'folders', 'add', join(root, folder)])).code, 0);
  const sources = JSON.parse((await cairn(['--db', db, 'folders', '--json'])).stdout) as SourceStatus[];
  const home = sources.find((s) => s.uri === join(root, 'home'))!;

  const search = async (...filters: string[]) => titles((await cairn(['--db', db, 'search', 'heron', '--json', ...filters])).stdout);
  assert.deepEqual(await search(), ['new-kitchen', 'new-work', 'old-garden', 'old-work']);
  assert.deepEqual(await search('--source', String(home.id)), ['new-kitchen', 'old-garden']);
  assert.deepEqual(await search('--path', join(root, 'home', 'garden')), ['old-garden']);
  assert.deepEqual(await search('--before', '2024-01-01'), ['old-garden', 'old-work']);
  assert.deepEqual(await search('--before', '2024-01-01', '--source', String(home.id)), ['old-garden']);
});

test('a remote chat model answers with the key from $CAIRN_CHAT_API_KEY, which is never stored', async () => {
  const server = await startChatServer({ apiKey: 'sesame-chat-key' });
  try {
    const db = join(tempDir(), 'library.db');
    const env = { CAIRN_CHAT_API_KEY: 'sesame-chat-key' };
    const use = await cairn(['--db', db, 'models', 'use', '--url', server.baseUrl, '--model', 'echo'], env);
    assert.equal(use.code, 0, use.stderr);

    const ask = await cairn(['--db', db, 'ask', '--plain', 'say hello to the heron', '--json'], env);
    assert.equal(ask.code, 0, ask.stderr);
    assert.match(ask.stdout, /say hello to the heron/);
    assert.equal(server.requests.at(-1)?.authorization, 'Bearer sesame-chat-key');

    const without = await cairn(['--db', db, 'ask', '--plain', 'say hello again']);
    assert.notEqual(without.code, 0);
    assert.match(without.stdout + without.stderr, /The chat model failed: The chat server at .* needs an API key \(none was given\): HTTP 401/);
    for (const file of ['library.db', 'library.db-wal', 'secrets.json']) {
      const path = join(db, '..', file);
      if (existsSync(path)) assert.ok(!readFileSync(path, 'latin1').includes('sesame-chat-key'), `${file} holds no key`);
    }
  } finally {
    await server.close();
  }
});
