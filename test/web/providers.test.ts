import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  BraveProvider,
  createProvider,
  DuckDuckGoProvider,
  parseBrave,
  parseDuckDuckGoHtml,
  parseSearxng,
  parseTavily,
  SearxngProvider,
  TavilyProvider,
  USER_AGENT,
  type WebError,
} from '../../app/web/index.ts';
import { API_KEY, closedPortUrl, startWebServer, type WebTestServer } from './web-server.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const signal = () => AbortSignal.timeout(10_000);
const expected = [
  { url: 'https://example.org/trams', snippet: 'The historic trams of Lisbon are painted yellow.' },
  { url: 'https://example.net/line-28', snippet: 'Line 28 climbs through Alfama.' },
];

test('SearXNG JSON: results with title, url and content; duplicates and non-web addresses dropped; entities decoded', () => {
  const results = parseSearxng(JSON.parse(fixture('searxng.json')));
  assert.deepEqual(results.map(({ url, snippet }) => ({ url, snippet })), expected);
  assert.equal(results[0]!.title, 'Lisbon trams & funiculars');
});

test('Brave web results: title, url and description with its <strong> markup and entities removed', () => {
  const results = parseBrave(JSON.parse(fixture('brave.json')));
  assert.deepEqual(results.map((r) => r.url), expected.map((e) => e.url));
  assert.equal(results[0]!.title, 'Lisbon trams guide');
  assert.equal(results[0]!.snippet, "Why the trams in Lisbon are yellow 'and' old.");
});

test('Tavily results: title, url and content', () => {
  const results = parseTavily(JSON.parse(fixture('tavily.json')));
  assert.deepEqual(results.map(({ url, snippet }) => ({ url, snippet })), expected);
  assert.equal(results[1]!.title, 'Tram 28');
});

test('DuckDuckGo HTML: organic results only (ads left out), redirect links resolved to the target', () => {
  const results = parseDuckDuckGoHtml(fixture('duckduckgo.html'));
  assert.deepEqual(results.map(({ url, snippet }) => ({ url, snippet })), expected);
  assert.equal(results[0]!.title, 'Lisbon trams & funiculars');
});

test('malformed answers give no results rather than an exception', () => {
  for (const parse of [parseSearxng, parseBrave, parseTavily]) {
    assert.deepEqual(parse(null), []);
    assert.deepEqual(parse({ results: 'nope', web: 3 }), []);
    assert.deepEqual(parse({ results: [{ title: 1, url: 2 }], web: { results: [{ url: 'ftp://x' }] } }), []);
  }
  assert.deepEqual(parseDuckDuckGoHtml('<html><body>No results.</body></html>'), []);
});

let server: WebTestServer;
before(async () => {
  server = await startWebServer();
});
after(() => server.close());

test('each provider asks the local server in its own format, with its key where it needs one', async () => {
  const key = async () => API_KEY;
  const providers = [
    new SearxngProvider(`${server.url}/searxng`),
    new BraveProvider(`${server.url}/brave`, key),
    new TavilyProvider(`${server.url}/tavily`, key),
    new DuckDuckGoProvider(`${server.url}/ddg`),
  ];
  for (const provider of providers) {
    const before = server.requests.length;
    const results = await provider.search('lisbon trams', { count: 5, signal: signal() });
    assert.deepEqual(results.map((r) => r.url), [`${server.url}/article/trams`, `${server.url}/article/funicular`], provider.label);
    const request = server.requests.at(-1)!;
    assert.equal(server.requests.length, before + 1);
    assert.equal(request.headers['user-agent'], USER_AGENT);
    assert.equal(request.headers.cookie, undefined);
  }
  const [searx, brave, tavily] = server.requests.slice(-4);
  assert.match(searx!.path, /^\/searxng\/search\?q=lisbon\+trams&format=json$/);
  assert.equal(brave!.headers['x-subscription-token'], API_KEY);
  assert.match(brave!.path, /q=lisbon\+trams&count=5/);
  assert.equal(tavily!.method, 'POST');
  assert.equal(tavily!.headers.authorization, `Bearer ${API_KEY}`);
  assert.equal((JSON.parse(tavily!.body) as { query: string; max_results: number }).query, 'lisbon trams');
  assert.equal((JSON.parse(tavily!.body) as { max_results: number }).max_results, 5);
});

test('a wrong key is a web-auth error, 429 a rate limit, 500 a provider error, a closed port offline', async () => {
  const wrong = async () => 'wrong';
  await assert.rejects(new BraveProvider(`${server.url}/brave`, wrong).search('q', { count: 3, signal: signal() }), (e: WebError) => e.code === 'web-auth' && /HTTP 401/.test(e.message));
  await assert.rejects(new TavilyProvider(`${server.url}/tavily`, wrong).search('q', { count: 3, signal: signal() }), (e: WebError) => e.code === 'web-auth');
  await assert.rejects(new BraveProvider(`${server.url}/brave`, async () => undefined).search('q', { count: 3, signal: signal() }), (e: WebError) => e.code === 'web-auth' && /needs an API key/.test(e.message));
  server.providerStatus = 429;
  try {
    await assert.rejects(new SearxngProvider(`${server.url}/searxng`).search('q', { count: 3, signal: signal() }), (e: WebError) => e.code === 'web-rate-limit');
    server.providerStatus = 403;
    await assert.rejects(new SearxngProvider(`${server.url}/searxng`).search('q', { count: 3, signal: signal() }), (e: WebError) => e.code === 'web-provider' && /search\.formats/.test(e.message));
    server.providerStatus = 500;
    await assert.rejects(new SearxngProvider(`${server.url}/searxng`).search('q', { count: 3, signal: signal() }), (e: WebError) => e.code === 'web-provider' && /HTTP 500/.test(e.message));
  } finally {
    server.providerStatus = null;
  }
  const closed = await closedPortUrl();
  await assert.rejects(new SearxngProvider(closed).search('q', { count: 3, signal: signal() }), (e: WebError) => e.code === 'web-offline' && /cannot be reached/.test(e.message));
});

test('createProvider: SearXNG needs an address; the others have their public endpoints by default', () => {
  const secrets = { getSecret: () => undefined };
  assert.throws(() => createProvider({ provider: 'searxng' }, secrets), (e: WebError) => e.code === 'web-not-configured');
  assert.equal(createProvider({ provider: 'brave' }, secrets).key, 'brave:https://api.search.brave.com');
  assert.equal(createProvider({ provider: 'tavily' }, secrets).key, 'tavily:https://api.tavily.com');
  assert.equal(createProvider({ provider: 'duckduckgo' }, secrets).key, 'duckduckgo:https://html.duckduckgo.com');
  assert.equal(createProvider({ provider: 'searxng', baseUrl: 'http://127.0.0.1:8888/' }, secrets).key, 'searxng:http://127.0.0.1:8888');
});
