// `cairn web …` and `cairn ask --web` as a user runs them, against the local provider and pages:
// as a subprocess with the product's policy (pages on this machine refused), and in-process with a
// test-only policy where a page must be read.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { askRequest, streamAnswer } from '../../app/cli/ask.ts';
import { runWebCommand } from '../../app/cli/web.ts';
import { Engine } from '../../app/engine.ts';
import { Library } from '../../app/store/index.ts';
import { chatEngine, writeChatCorpus } from '../chat/library.ts';
import { tempDir } from '../support/corpus.ts';
import { API_KEY, closedPortUrl, onlyTestServer, startWebServer, type WebTestServer } from './web-server.ts';

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

/** The provider (and, in the in-process tests, the pages); `pages` stands for a private service on this machine. */
let server: WebTestServer;
let pages: WebTestServer;
before(async () => {
  server = await startWebServer();
  pages = await startWebServer();
});
after(async () => {
  await server.close();
  await pages.close();
});

test('cairn web set and search: the provider on 127.0.0.1 (the user\'s choice) is asked; results on this machine are skipped as refused, never read', async () => {
  const db = join(tempDir(), 'library.db');
  assert.match((await cairn(db, ['web'])).stdout, /not set up/);
  const noUrl = await cairn(db, ['web', 'set', 'searxng']);
  assert.notEqual(noUrl.code, 0);
  assert.match(noUrl.stderr, /needs the address of your instance/);
  const set = await cairn(db, ['web', 'set', 'searxng', '--url', `${server.url}/searxng`]);
  assert.equal(set.code, 0, set.stderr);
  assert.match((await cairn(db, ['web'])).stdout, new RegExp(`SearXNG at ${server.url}/searxng`));

  // The results point at another local server: the page server stands for a private service.
  server.results = [`${pages.url}/article/trams`, `http://2130706433:${new URL(pages.url).port}/article/funicular`];
  const searches = server.requests.length;
  const search = await cairn(db, ['web', 'search', 'lisbon trams']);
  assert.equal(search.code, 0, search.stderr);
  assert.equal(server.requests.length, searches + 1, 'the provider was asked');
  assert.match(search.stdout, /^SearXNG: 2 results/);
  assert.match(search.stdout, new RegExp(`skipped +${pages.url}/article/trams +\\(skipped: refused: 127\\.0\\.0\\.1 is a loopback address\\)`));
  assert.match(search.stdout, new RegExp(`skipped +http://127\\.0\\.0\\.1:${new URL(pages.url).port}/article/funicular +\\(skipped: refused: `));
  assert.match(search.stdout, /No web page could be read/);
  assert.deepEqual(pages.requests, [], 'no page was requested from this machine');

  const save = await cairn(db, ['web', 'save', `${pages.url}/article/trams`]);
  assert.equal(save.code, 1);
  assert.match(save.stderr, /Cannot save .*refused: 127\.0\.0\.1 is a loopback address/);
  assert.deepEqual(pages.requests, []);
});

test('cairn web search and save print what was read and skipped, then use the cache (pages readable under a test-only policy)', async () => {
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null, web: { addressPolicy: onlyTestServer } });
  const run = async (args: string[]) => {
    const lines: string[] = [];
    const code = await runWebCommand(engine, args, {}, (line) => lines.push(line));
    return { code, stdout: lines.join('\n') };
  };
  try {
    engine.web.setProvider({ provider: 'searxng', baseUrl: `${server.url}/searxng` });
    server.results = ['/article/trams', '/file.zip', '/loop/a'];
    const before = server.requests.length;
    const search = await run(['search', 'lisbon trams']);
    assert.equal(search.code, 0);
    assert.match(search.stdout, /^SearXNG: 3 results/);
    assert.match(search.stdout, new RegExp(`read +${server.url}/article/trams +"Lisbon trams"`));
    assert.match(search.stdout, new RegExp(`skipped +${server.url}/file.zip .*not a web page or PDF \\(application/zip\\)`));
    assert.match(search.stdout, new RegExp(`skipped +${server.url}/loop/a .*redirect loop`));
    assert.match(search.stdout, /Best passages:\n {2}\[1\] Lisbon trams — 127\.0\.0\.1: /);
    const used = server.requests.length - before;

    const again = await run(['search', 'lisbon trams']);
    assert.match(again.stdout, /^SearXNG \(from the cache\): 3 results/);
    assert.match(again.stdout, /"Lisbon trams" \(read, cached\)/);
    // The zip is remembered as skipped; the loop (a lasting failure too) as well.
    assert.equal(server.requests.length - before, used, 'the second search asked nothing of the servers');

    const save = await run(['save', `${server.url}/article/trams`]);
    assert.equal(save.code, 0);
    assert.match(save.stdout, /Saved "Lisbon trams" \(\d+ chunks\) as document \d+\./);
    const found = await engine.search({ query: 'Remodelado', filters: { kinds: ['web'] } });
    assert.equal(found.hits[0]?.kind, 'web');
    assert.equal(found.hits[0]?.uri, `${server.url}/article/trams`);
    assert.equal(found.hits[0]?.title, 'Lisbon trams');
  } finally {
    await engine.close();
  }
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

test('cairn web set with an unknown provider names it and lists the providers', async () => {
  const db = join(tempDir(), 'library.db');
  const bogus = await cairn(db, ['web', 'set', 'bogus']);
  assert.equal(bogus.code, 2);
  assert.match(bogus.stderr, /Unknown web search provider "bogus"; choose searxng \(with --url\), brave, tavily or duckduckgo\./);
  const none = await cairn(db, ['web', 'set']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /cairn web set needs a provider: searxng \(with --url\), brave, tavily or duckduckgo\./);
});

test('no key for Brave: cairn web search says how to store one (cairn web key brave), not the internal name of the secret', async () => {
  const db = join(tempDir(), 'library.db');
  const env = { CAIRN_SECRETS: 'file', CAIRN_WEB_API_KEY: '' };
  await cairn(db, ['web', 'set', 'brave', '--url', `${server.url}/brave`], env);
  const search = await cairn(db, ['web', 'search', 'lisbon'], env);
  assert.equal(search.code, 1);
  assert.match(search.stdout, /Brave Search needs an API key: store it with `cairn web key brave` \(the key on stdin\), or set CAIRN_WEB_API_KEY\./);
  assert.doesNotMatch(search.stdout + search.stderr, /web-search\./);
});

test('a bad key: cairn web search says so and exits 1', async () => {
  const db = join(tempDir(), 'library.db');
  await cairn(db, ['web', 'set', 'brave', '--url', `${server.url}/brave`]);
  const search = await cairn(db, ['web', 'search', 'lisbon'], { CAIRN_WEB_API_KEY: 'wrong' });
  assert.equal(search.code, 1);
  assert.match(search.stdout, /Brave Search refused the API key \(HTTP 401\)/);
});

test('cairn ask --web: results on this machine are refused with a notice, and the answer comes from the library; offline, a notice too', async () => {
  const db = join(tempDir(), 'library.db');
  assert.equal((await cairn(db, ['add', writeChatCorpus()])).code, 0);
  await cairn(db, ['web', 'set', 'searxng', '--url', `${server.url}/searxng`]);
  server.results = [`${pages.url}/article/trams`];
  // No chat model here: ask shows what was found.
  const ask = await cairn(db, ['ask', '--web', 'What colour are the Lisbon trams?']);
  assert.match(ask.stderr, /\(No web page could be read \(127\.0\.0\.1: refused: 127\.0\.0\.1 is a loopback address\); answered from your library only\.\)/);
  assert.match(ask.stdout, /tips\.md/);
  assert.doesNotMatch(ask.stdout, /— web, /);
  assert.deepEqual(pages.requests, []);

  await cairn(db, ['web', 'set', 'searxng', '--url', await closedPortUrl()]);
  const offline = await cairn(db, ['ask', '--web', 'What colour are the Lisbon trams?']);
  assert.match(offline.stderr, /\(Web search not used: SearXNG cannot be reached \(ECONNREFUSED\)\. Answered from your library only\.\)/);
  assert.match(offline.stdout, /tips\.md/);
  assert.doesNotMatch(offline.stdout, /— web, /);
});

test('ask --web lists web sources with the library ones (pages readable under a test-only policy)', async () => {
  const { engine } = await chatEngine({ web: { addressPolicy: onlyTestServer } });
  try {
    engine.web.setProvider({ provider: 'searxng', baseUrl: `${server.url}/searxng` });
    server.results = ['/article/trams'];
    let stdout = '';
    let stderr = '';
    const printer = { out: (text: string) => void (stdout += text), err: (text: string) => void (stderr += text), tty: false };
    await streamAnswer(engine, askRequest('What colour are the Lisbon trams?', { web: true }, undefined), new AbortController().signal, printer);
    assert.match(stdout, new RegExp(`\\[\\d+\\] Lisbon trams — web, 127\\.0\\.0\\.1, ${server.url}/article/trams`));
    assert.match(stdout, /tips\.md/);
    assert.doesNotMatch(stderr, /Web search not used|No web page could be read/);
  } finally {
    await engine.close();
  }
});
