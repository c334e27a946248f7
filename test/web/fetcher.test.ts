import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fetchPage, readPage, USER_AGENT, type FetchLimits } from '../../app/web/index.ts';
import { closedPortUrl, onlyTestServer, startWebServer, type WebTestServer } from './web-server.ts';

let server: WebTestServer;
before(async () => {
  server = await startWebServer();
});
after(() => server.close());

const limits: FetchLimits = { timeoutMs: 2_000, maxBytes: 256 * 1024, maxRedirects: 3 };
/** The test server's pages, readable under the test-only address policy (the product reads public addresses only). */
const fetchTest = (url: string, l: Partial<FetchLimits> = {}, signal?: AbortSignal) =>
  fetchPage(url, { limits: { ...limits, ...l }, addressPolicy: onlyTestServer, ...(signal ? { signal } : {}) });
const read = async (path: string, l: Partial<FetchLimits> = {}) => readPage(await fetchTest(`${server.url}${path}`, l));

test('an article is read with its title and text; navigation and footer left out; plain User-Agent, no cookies', async () => {
  const page = await read('/article/trams');
  assert.ok(page.ok, JSON.stringify(page));
  assert.equal(page.title, 'Lisbon trams');
  const text = page.sections.map((s) => s.text).join('\n');
  assert.match(text, /painted yellow/);
  assert.match(text, /Tram 28 is the most famous line/);
  assert.doesNotMatch(text, /Copyright the test site/);
  const request = server.requests.findLast((r) => r.path === '/article/trams')!;
  assert.equal(request.headers['user-agent'], USER_AGENT);
  assert.equal(request.headers.cookie, undefined);
});

test('scripts, styles and hidden text (hidden, aria-hidden, hiding inline styles and style-sheet rules) never reach the text', async () => {
  const page = await read('/hidden');
  assert.ok(page.ok, JSON.stringify(page));
  const text = page.sections.map((s) => s.text).join('\n');
  assert.match(text, /narrow gauge tracks/);
  assert.match(text, /Santo Amaro works/);
  const hiddenWords = ['SCRIPTTEXT', 'STYLETEXT', 'HIDDENATTR', 'ARIAHIDDEN', 'DISPLAYNONE', 'VISIBILITYHIDDEN', 'NOSCRIPTTEXT', 'CLASSHIDDEN', 'IDHIDDEN', 'OPACITYZERO', 'FONTSIZEZERO'];
  for (const hidden of hiddenWords) {
    assert.doesNotMatch(text, new RegExp(hidden), `${hidden} is dropped`);
  }
});

test('a compressed page (gzip or brotli) is read; an encoding that was not asked for is skipped with the reason', async () => {
  for (const encoding of ['gzip', 'br']) {
    const page = await read(`/compressed?encoding=${encoding}`);
    assert.ok(page.ok, JSON.stringify(page));
    assert.match(page.sections.map((s) => s.text).join('\n'), /Bica funicular opened in 1892/, encoding);
  }
  assert.match(server.requests.findLast((r) => r.path.startsWith('/compressed'))!.headers['accept-encoding'] ?? '', /gzip/);
  const odd = await read('/compressed?encoding=zstd');
  assert.equal(!odd.ok && odd.code, 'unsupported');
  assert.match(!odd.ok ? odd.reason : '', /zstd/);
});

test('a slow page times out with a reason, well before the page would have answered', async () => {
  const started = Date.now();
  const page = await read('/slow', { timeoutMs: 300 });
  assert.equal(page.ok, false);
  assert.equal(!page.ok && page.code, 'timeout');
  assert.match(!page.ok ? page.reason : '', /within 0\.3 s/);
  assert.ok(Date.now() - started < 10_000, 'finished long before the 30 s the page takes');
});

test('a huge page is read only up to the size cap, and the download stops there', async () => {
  const fetched = await fetchTest(`${server.url}/huge`, { maxBytes: 200_000 });
  assert.ok(fetched.ok);
  assert.equal(fetched.ok && fetched.truncated, true);
  assert.equal(fetched.ok && fetched.bytes.byteLength, 200_000);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(server.hugeBytesSent < 16 * 1024 * 1024, `the server stopped early (${server.hugeBytesSent} bytes sent of 64 MB)`);
  const page = await readPage(fetched);
  assert.ok(page.ok && page.truncated);
  assert.match(page.ok ? page.sections[0]!.text : '', /Lisbon trams are yellow/);
});

test('redirects are followed by hand and counted; a loop is detected; too many are refused; cookies are not sent back', async () => {
  const chained = await fetchTest(`${server.url}/chain/1`);
  assert.ok(chained.ok);
  assert.equal(chained.url, `${server.url}/article/trams`);
  const followed = server.requests.filter((r) => r.path.startsWith('/chain/') || r.path === '/article/trams').slice(-3);
  assert.deepEqual(followed.map((r) => r.path), ['/chain/1', '/chain/2', '/article/trams']);
  assert.ok(followed.every((r) => r.headers.cookie === undefined), 'the cookie set by /chain/1 is not sent');

  const loop = await fetchTest(`${server.url}/loop/a`);
  assert.equal(!loop.ok && loop.code, 'redirect-loop');
  assert.match(!loop.ok ? loop.reason : '', /loop back to .*\/loop\/a/);

  const tooMany = await fetchTest(`${server.url}/chain/1`, { maxRedirects: 1 });
  assert.equal(!tooMany.ok && tooMany.code, 'redirects');
});

test('a file that is neither a web page nor a PDF is skipped with the reason; errors and dead hosts too', async () => {
  const zip = await read('/file.zip');
  assert.equal(!zip.ok && zip.code, 'unsupported');
  assert.match(!zip.ok ? zip.reason : '', /application\/zip/);
  const missing = await read('/missing');
  assert.equal(!missing.ok && missing.reason, 'HTTP 404');
  const dead = await fetchTest(`${await closedPortUrl()}/x`);
  assert.equal(!dead.ok && dead.code, 'unreachable');
  const bad = await fetchTest('file:///etc/passwd');
  assert.equal(!bad.ok && bad.code, 'bad-url');
});

test('a PDF is read with the library PDF reader, page by page; one over the cap is skipped', async () => {
  const page = await read('/paper.pdf');
  assert.ok(page.ok, JSON.stringify(page));
  assert.equal(page.title, 'Tram report');
  assert.equal(page.sections[0]!.page, 1);
  assert.match(page.sections[0]!.text, /twenty million riders/);
  const capped = await read('/paper.pdf', { maxBytes: 100 });
  assert.equal(!capped.ok && capped.code, 'too-large');
});

test('the overall deadline stops a page read and says so', async () => {
  const fetched = await fetchTest(`${server.url}/slow`, { timeoutMs: 5_000 }, AbortSignal.timeout(200));
  assert.equal(!fetched.ok && fetched.code, 'deadline');
});
