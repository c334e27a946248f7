// `cairn web …` and `cairn ask --web` as a user runs them, against the local provider and pages.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { SearchResponse } from '../../app/contract/index.ts';
import { Library } from '../../app/store/index.ts';
import { writeChatCorpus } from '../chat/library.ts';
import { tempDir } from '../support/corpus.ts';
import { API_KEY, closedPortUrl, startWebServer, type WebTestServer } from './web-server.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');
const run = promisify(execFile);

// Asynchronous: the page server runs in this process and must keep answering.
async function cairn(db: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [main, '--db', db, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, CAIRN_WEB_API_KEY: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let server: WebTestServer;
before(async () => {
  server = await startWebServer();
});
after(() => server.close());

test('cairn web set, search (results, pages read and skipped with reasons, then the cache) and save', async () => {
  const db = join(tempDir(), 'library.db');
  assert.match((await cairn(db, ['web'])).stdout, /not set up/);
  const noUrl = await cairn(db, ['web', 'set', 'searxng']);
  assert.notEqual(noUrl.code, 0);
  assert.match(noUrl.stderr, /needs the address of your instance/);
  const set = await cairn(db, ['web', 'set', 'searxng', '--url', `${server.url}/searxng`]);
  assert.equal(set.code, 0, set.stderr);
  assert.match((await cairn(db, ['web'])).stdout, new RegExp(`SearXNG at ${server.url}/searxng`));

  server.results = ['/article/trams', '/file.zip', '/loop/a'];
  const before = server.requests.length;
  const search = await cairn(db, ['web', 'search', 'lisbon trams']);
  assert.equal(search.code, 0, search.stderr);
  assert.match(search.stdout, /^SearXNG: 3 results/);
  assert.match(search.stdout, new RegExp(`read +${server.url}/article/trams +"Lisbon trams"`));
  assert.match(search.stdout, new RegExp(`skipped +${server.url}/file.zip .*not a web page or PDF \\(application/zip\\)`));
  assert.match(search.stdout, new RegExp(`skipped +${server.url}/loop/a .*redirect loop`));
  assert.match(search.stdout, /Best passages:\n {2}\[1\] Lisbon trams — 127\.0\.0\.1: /);
  const used = server.requests.length - before;

  const again = await cairn(db, ['web', 'search', 'lisbon trams']);
  assert.match(again.stdout, /^SearXNG \(from the cache\): 3 results/);
  assert.match(again.stdout, /"Lisbon trams" \(read, cached\)/);
  // The zip is remembered as skipped; the loop (a lasting failure too) as well.
  assert.equal(server.requests.length - before, used, 'the second search asked nothing of the servers');

  const save = await cairn(db, ['web', 'save', `${server.url}/article/trams`]);
  assert.equal(save.code, 0, save.stderr);
  assert.match(save.stdout, /Saved "Lisbon trams" \(\d+ chunks\) as document \d+\./);
  const found = JSON.parse((await cairn(db, ['search', 'Remodelado', '--kind', 'web', '--json'])).stdout) as SearchResponse;
  assert.equal(found.hits[0]?.kind, 'web');
  assert.equal(found.hits[0]?.uri, `${server.url}/article/trams`);
  assert.equal(found.hits[0]?.title, 'Lisbon trams');
});

/** Runs cairn with `input` on stdin. */
function cairnWithInput(db: string, args: string[], input: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, '--db', db, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

test('cairn web key keeps the key in the secret store (not the library), and searches use it', async () => {
  const db = join(tempDir(), 'library.db');
  const env = { CAIRN_SECRETS: 'file', CAIRN_WEB_API_KEY: '' };
  server.results = ['/article/trams', '/article/funicular'];
  await cairn(db, ['web', 'set', 'brave', '--url', `${server.url}/brave`], env);
  const key = await cairnWithInput(db, ['web', 'key', 'brave'], `${API_KEY}\n`, env);
  assert.equal(key.code, 0, key.stderr);
  assert.match(key.stdout, /Key for Brave Search kept in file .*secrets\.json/);
  const search = await cairn(db, ['web', 'search', 'lisbon trams'], env);
  assert.equal(search.code, 0, search.stdout + search.stderr);
  assert.match(search.stdout, /^Brave Search: 2 results/);
  assert.equal(server.requests.findLast((r) => r.path.startsWith('/brave/'))!.headers['x-subscription-token'], API_KEY);
  const library = Library.open(db);
  try {
    assert.doesNotMatch(JSON.stringify(library.db.prepare('SELECT * FROM settings').all()), new RegExp(API_KEY), 'no key in the library');
  } finally {
    library.close();
  }
});

test('a bad key: cairn web search says so and exits 1', async () => {
  const db = join(tempDir(), 'library.db');
  await cairn(db, ['web', 'set', 'brave', '--url', `${server.url}/brave`]);
  const search = await cairn(db, ['web', 'search', 'lisbon'], { CAIRN_WEB_API_KEY: 'wrong' });
  assert.equal(search.code, 1);
  assert.match(search.stdout, /Brave Search refused the API key \(HTTP 401\)/);
});

test('cairn ask --web: web sources are listed with the library ones; offline, a notice and the library only', async () => {
  const db = join(tempDir(), 'library.db');
  assert.equal((await cairn(db, ['add', writeChatCorpus()])).code, 0);
  await cairn(db, ['web', 'set', 'searxng', '--url', `${server.url}/searxng`]);
  server.results = ['/article/trams'];
  // No chat model here: ask shows what was found, web pages included.
  const ask = await cairn(db, ['ask', '--web', 'What colour are the Lisbon trams?']);
  assert.match(ask.stdout, new RegExp(`\\[\\d+\\] Lisbon trams — web, 127\\.0\\.0\\.1, ${server.url}/article/trams`));
  assert.match(ask.stdout, /tips\.md/);
  assert.doesNotMatch(ask.stderr, /Web search not used/);

  await cairn(db, ['web', 'set', 'searxng', '--url', await closedPortUrl()]);
  const offline = await cairn(db, ['ask', '--web', 'What colour are the Lisbon trams?']);
  assert.match(offline.stderr, /\(Web search not used: SearXNG cannot be reached \(ECONNREFUSED\)\. Answered from your library only\.\)/);
  assert.match(offline.stdout, /tips\.md/);
  assert.doesNotMatch(offline.stdout, /— web, /);
});
