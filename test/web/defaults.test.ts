// The web limits the README promises, as they are when nothing overrides them (other tests set
// their own, smaller ones): 2 MB and 5 redirects a page, 5 s a page, an 8 s deadline for the whole
// web step, 3 pages read a question, results cached a day and pages a week.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Engine } from '../../app/engine.ts';
import { defaultFetchLimits, fetchPage } from '../../app/web/index.ts';
import { tempDir } from '../support/corpus.ts';
import { onlyTestServer, startWebServer, type WebTestServer } from './web-server.ts';

const DAY = 24 * 3600_000;
const MB = 1024 * 1024;

let server: WebTestServer;
before(async () => {
  server = await startWebServer();
});
after(() => server.close());

/** `/redirect` to `/redirect` … `hops` times, then the trams article. */
function redirects(hops: number): string {
  let path = '/article/trams';
  for (let i = 0; i < hops; i++) path = `/redirect?to=${encodeURIComponent(path)}`;
  return `${server.url}${path}`;
}

test('a page is read up to 2 MB and through 5 redirects at most, within 5 s', async () => {
  // Only where pages may come from is the test's own; every limit is the default.
  const options = { addressPolicy: onlyTestServer };
  assert.equal(defaultFetchLimits.timeoutMs, 5_000);

  const huge = await fetchPage(`${server.url}/huge`, options);
  assert.ok(huge.ok);
  assert.equal(huge.bytes.byteLength, 2 * MB);
  assert.equal(huge.truncated, true);

  const five = await fetchPage(redirects(5), options);
  assert.ok(five.ok, JSON.stringify(five));
  assert.equal(five.url, `${server.url}/article/trams`);
  const six = await fetchPage(redirects(6), options);
  assert.deepEqual(six.ok ? null : [six.code, six.reason], ['redirects', 'more than 5 redirects']);
});

test('a question reads the top 3 pages within an 8 s deadline; results are cached a day, pages a week', async () => {
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null, web: { addressPolicy: onlyTestServer } });
  try {
    assert.equal(engine.web.deadlineMs, 8_000);
    engine.web.setProvider({ provider: 'searxng', baseUrl: `${server.url}/searxng` });
    server.results = ['/article/trams', '/article/funicular', '/hidden', '/injection'];
    const lookup = await engine.web.lookup('lisbon trams yellow');
    assert.equal(lookup.error, null);
    assert.deepEqual(lookup.pages.map((p) => [p.url.slice(server.url.length), p.read]), [['/article/trams', true], ['/article/funicular', true], ['/hidden', true]]);
    assert.ok(!server.requests.some((r) => r.path === '/injection'), 'no fourth page read');

    const lifetimes = (table: 'web_search_cache' | 'web_page_cache') =>
      engine.library.db.prepare(`SELECT expires_at - fetched_at AS ttl FROM ${table}`).pluck().all() as number[];
    assert.deepEqual(lifetimes('web_search_cache'), [DAY]);
    assert.deepEqual(lifetimes('web_page_cache'), [7 * DAY, 7 * DAY, 7 * DAY]);
    const again = await engine.web.lookup('Lisbon  trams yellow');
    assert.equal(again.resultsFromCache, true);
    assert.ok(again.pages.every((p) => p.fromCache));
  } finally {
    await engine.close();
  }
});
