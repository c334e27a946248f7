import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Engine } from '../../app/engine.ts';
import { tempDir } from '../support/corpus.ts';
import { onlyTestServer, startWebServer, type WebTestServer } from './web-server.ts';

let server: WebTestServer;
before(async () => {
  server = await startWebServer();
});
after(() => server.close());

test('a result that cannot be read gives its place to the next one, until enough pages are read', async () => {
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null, web: { pages: 1, fetch: { timeoutMs: 2_000 }, addressPolicy: onlyTestServer } });
  try {
    engine.web.setProvider({ provider: 'searxng', baseUrl: `${server.url}/searxng` });
    server.results = ['/file.zip', '/missing', '/article/trams', '/article/funicular'];
    const lookup = await engine.web.lookup('lisbon trams yellow');
    assert.equal(lookup.error, null);
    assert.deepEqual(
      lookup.pages.map((p) => [p.url.slice(server.url.length), p.read, p.reason]),
      [['/file.zip', false, 'not a web page or PDF (application/zip)'], ['/missing', false, 'HTTP 404'], ['/article/trams', true, null]],
    );
    assert.ok(!server.requests.some((r) => r.path === '/article/funicular'), 'no page read past the one wanted');
    assert.ok(lookup.chunks.length > 0 && lookup.chunks.every((c) => c.url.endsWith('/article/trams')));
  } finally {
    await engine.close();
  }
});
