// Web pages are read only from public addresses: a search result (or a redirect) pointing at this
// machine, the local network or a cloud metadata service is refused before anything connects, and
// never cached. The provider's own address is the user's choice (SearXNG on localhost works).
// Everything here runs against local servers: `provider` answers searches, `target` stands for the
// private service a hostile result aims at, and records every request it gets.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Engine, type EngineOptions } from '../../app/engine.ts';
import { fetchPage } from '../../app/web/index.ts';
import { tempDir } from '../support/corpus.ts';
import { onlyTestServer, startWebServer, type WebTestServer } from './web-server.ts';

let provider: WebTestServer;
let target: WebTestServer;
before(async () => {
  provider = await startWebServer();
  target = await startWebServer();
});
after(async () => {
  await provider.close();
  await target.close();
});

async function webEngine(web: EngineOptions['web'] = {}) {
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null, web: { results: 20, fetch: { timeoutMs: 2_000 }, ...web } });
  engine.web.setProvider({ provider: 'searxng', baseUrl: `${provider.url}/searxng` });
  return engine;
}

/** A resolver that answers from a table and counts the questions. */
function fakeResolver(answers: Record<string, string[][]>) {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    const turns = answers[hostname];
    if (!turns) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const turn = turns[Math.min(asked.filter((h) => h === hostname).length, turns.length - 1)]!;
    asked.push(hostname);
    return turn.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, asked };
}

const port = () => new URL(target.url).port;

test('results on this machine, in every form of its address, are never read nor cached; the provider on 127.0.0.1 is asked', async () => {
  const engine = await webEngine();
  try {
    const forms = {
      dotted: `http://127.0.0.1:${port()}/article/trams?form=dotted`,
      decimal: `http://2130706433:${port()}/article/trams?form=decimal`,
      octal: `http://0177.0.0.1:${port()}/article/trams?form=octal`,
      hex: `http://0x7f.1:${port()}/article/trams?form=hex`,
      short: `http://127.1:${port()}/article/trams?form=short`,
      unspecified: `http://0.0.0.0:${port()}/article/trams?form=unspecified`,
      mappedDotted: `http://[::ffff:127.0.0.1]:${port()}/article/trams?form=mapped-dotted`,
      mappedHex: `http://[::ffff:7f00:1]:${port()}/article/trams?form=mapped-hex`,
      ipv6: `http://[::1]:${port()}/article/trams?form=ipv6`,
      localhost: `http://localhost:${port()}/article/trams?form=localhost`,
      subdomain: `http://tram.localhost:${port()}/article/trams?form=subdomain`,
      trailingDot: `http://localhost.:${port()}/article/trams?form=trailing-dot`,
    };
    provider.results = Object.values(forms);
    const searches = provider.requests.length;
    const lookup = await engine.web.lookup('lisbon trams');
    assert.equal(lookup.error, null);
    assert.equal(provider.requests.length, searches + 1, 'the provider the user chose was asked, on 127.0.0.1');
    assert.equal(lookup.results.length, Object.keys(forms).length);
    assert.equal(target.requests.length, 0, `nothing local was requested: ${JSON.stringify(target.requests.map((r) => r.path))}`);
    assert.equal(lookup.pages.length, Object.keys(forms).length, 'every result was tried');
    for (const page of lookup.pages) {
      assert.equal(page.read, false, page.url);
      assert.equal(page.code, 'refused', `${page.url}: ${page.reason}`);
      assert.match(page.reason!, /loopback|unspecified|local name/, page.url);
    }
    assert.match(lookup.pages[0]!.reason!, /^refused: 127\.0\.0\.1 is a loopback address/);
    assert.match(lookup.notice!, /No web page could be read \(127\.0\.0\.1: refused: /);
    assert.equal(lookup.chunks.length, 0);
    assert.deepEqual(engine.library.webCache.counts(), { searches: 1, pages: 0 }, 'refused pages are never cached');

    await assert.rejects(engine.saveWebPage(`http://127.0.0.1:${port()}/article/trams`), /Cannot save .*refused: 127\.0\.0\.1 is a loopback address/);
    assert.equal(target.requests.length, 0, 'web save refuses it too');
  } finally {
    await engine.close();
  }
});

test('a local page cached before addresses were checked is not served from the cache', async () => {
  const engine = await webEngine();
  try {
    const url = `http://127.0.0.1:${port()}/article/trams`;
    const page = { ok: true, url, title: 'Router admin', sections: [{ text: 'admin password hunter2', headingPath: [] }], truncated: false };
    engine.library.webCache.putPage(url, JSON.stringify(page), 3_600_000, Date.now());
    provider.results = [url];
    const lookup = await engine.web.lookup('router admin');
    assert.deepEqual(lookup.pages.map((p) => [p.read, p.fromCache, p.code]), [[false, false, 'refused']]);
    assert.equal(lookup.chunks.length, 0);
    assert.equal(target.requests.length, 0);
  } finally {
    await engine.close();
  }
});

test('a public-looking name that resolves to a loopback or private address is refused, even when only one of its addresses is', async () => {
  const { resolve, asked } = fakeResolver({ 'news.example': [['127.0.0.1']], 'mixed.example': [['93.184.216.34', '10.1.2.3']] });
  const engine = await webEngine({ resolve });
  try {
    provider.results = [`http://news.example:${port()}/article/trams`, `http://mixed.example:${port()}/article/trams`];
    const lookup = await engine.web.lookup('lisbon trams');
    assert.deepEqual(asked, ['news.example', 'mixed.example'], 'the names were resolved by the resolver given');
    assert.deepEqual(lookup.pages.map((p) => [p.code, p.reason]), [
      ['refused', 'refused: news.example resolves to 127.0.0.1, a loopback address'],
      ['refused', 'refused: mixed.example resolves to 10.1.2.3, a private address'],
    ]);
    assert.equal(target.requests.length, 0);
    assert.deepEqual(engine.library.webCache.counts(), { searches: 1, pages: 0 });
  } finally {
    await engine.close();
  }
});

test('a redirect from a readable page to a local address is refused at that hop, before connecting', async () => {
  // Only the page server counts as public here (a test-only policy), so that its pages can be read at all.
  const engine = await webEngine({ addressPolicy: onlyTestServer });
  try {
    const hops = [`http://localhost:${port()}/article/trams`, `http://[::1]:${port()}/article/trams`, 'http://metadata.google.internal/computeMetadata/v1/'];
    provider.results = [`${provider.url}/article/funicular`, ...hops.map((to) => `${provider.url}/redirect?to=${encodeURIComponent(to)}`)];
    const lookup = await engine.web.lookup('lisbon trams');
    assert.equal(lookup.pages[0]!.read, true, 'the page server itself is readable under the test policy');
    const redirected = lookup.pages.slice(1);
    assert.deepEqual(redirected.map((p) => p.code), ['refused', 'refused', 'refused']);
    redirected.forEach((page, i) => assert.ok(page.reason!.startsWith(`redirect to ${new URL(hops[i]!).href} refused: `), page.reason!));
    assert.match(redirected[0]!.reason!, /localhost is a local name/);
    assert.match(redirected[2]!.reason!, /metadata\.google\.internal is a local name/);
    assert.equal(target.requests.length, 0, 'the redirect target was never asked');
  } finally {
    await engine.close();
  }
});

test('DNS rebinding: the page is read from the address that was checked, and the name is resolved once', async () => {
  // First answer: the page server (public under the test policy); every later answer: a private address.
  const { resolve, asked } = fakeResolver({ 'rebind.example': [['127.0.0.1'], ['10.9.8.7']] });
  const engine = await webEngine({ addressPolicy: onlyTestServer, resolve });
  try {
    const url = `http://rebind.example:${new URL(provider.url).port}/article/trams`;
    provider.results = [url];
    const lookup = await engine.web.lookup('lisbon trams');
    assert.deepEqual(lookup.pages.map((p) => [p.read, p.reason]), [[true, null]], 'read from the checked address, not a second answer');
    assert.deepEqual(asked, ['rebind.example'], 'one resolution, then the connection goes to what it returned');
    const request = provider.requests.findLast((r) => r.path === '/article/trams')!;
    assert.equal(request.headers.host, `rebind.example:${new URL(provider.url).port}`, 'the Host header keeps the real name');
  } finally {
    await engine.close();
  }
});

test('https to a checked address still verifies the certificate against the real name, sent as SNI', async () => {
  // A self-signed certificate for pages.example (made here with openssl): trusted by nobody, so the read must fail on it.
  const dir = tempDir();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=pages.example', '-addext', 'subjectAltName=DNS:pages.example',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const names: string[] = [];
  let requests = 0;
  const server = createServer({
    key: readFileSync(join(dir, 'key.pem')),
    cert: readFileSync(join(dir, 'cert.pem')),
    SNICallback: (name, done) => {
      names.push(name);
      done(null); // the default certificate
    },
  }, (_req, res) => {
    requests++;
    res.end('<title>secret</title>');
  });
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { resolve, asked } = fakeResolver({ 'pages.example': [['127.0.0.1']] });
    const page = await fetchPage(`https://pages.example:${(server.address() as AddressInfo).port}/`, { addressPolicy: onlyTestServer, resolve, limits: { timeoutMs: 2_000 } });
    assert.deepEqual(asked, ['pages.example'], 'connected to the resolved, checked address');
    assert.equal(page.ok, false);
    assert.match(!page.ok ? page.reason : '', /certificate is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/);
    assert.deepEqual(names, ['pages.example'], 'SNI carries the real name');
    assert.equal(requests, 0, 'no request over an unverified connection');
  } finally {
    server.close();
  }
});
