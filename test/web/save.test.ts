import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Engine } from '../../app/engine.ts';
import type { WebError } from '../../app/web/index.ts';
import { tempDir, writeCorpus } from '../support/corpus.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { onlyTestServer, startWebServer, type WebTestServer } from './web-server.ts';

let server: WebTestServer;
before(async () => {
  server = await startWebServer();
});
after(() => server.close());

test('save to library: a web page becomes a web document with chunks, found by keyword and by meaning', async () => {
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: new FakeEmbedder(), web: { addressPolicy: onlyTestServer } });
  try {
    const url = `${server.url}/article/trams`;
    const saved = await engine.saveWebPage(url);
    assert.equal(saved.title, 'Lisbon trams');
    assert.ok(saved.chunks >= 1);
    const status = engine.status();
    assert.equal(status.chunks, saved.chunks);
    assert.equal(status.embeddingModels[0]!.vectors, saved.chunks, 'vectors follow at once');
    const source = engine.library.sources.list().find((s) => s.kind === 'web');
    assert.ok(source, 'a web source');
    for (const mode of ['bm25', 'vector'] as const) {
      const { hits } = await engine.search({ query: 'Remodelado trams built in the 1930s', mode, filters: { kinds: ['web'] } });
      assert.equal(hits[0]?.uri, url, mode);
      assert.equal(hits[0]?.kind, 'web');
    }
    // Saving again replaces the document rather than adding a second one.
    await engine.saveWebPage(url);
    assert.equal(engine.status().chunks, saved.chunks);
    await assert.rejects(engine.saveWebPage(`${server.url}/file.zip`), (e: WebError) => /not a web page or PDF/.test(e.message));
  } finally {
    await engine.close();
  }
});

test('save to library embeds and writes just that page, then returns: queued work is left for cairn index', async () => {
  const embedder = new FakeEmbedder();
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder, web: { addressPolicy: onlyTestServer } });
  try {
    engine.add([writeCorpus(6)]); // queued, not indexed: as after an interrupted `cairn add`
    const queued = engine.status().pendingJobs;
    assert.ok(queued > 0);
    const saved = await engine.saveWebPage(`${server.url}/article/funicular`);
    assert.equal(engine.status().pendingJobs, queued, 'the queue was not run');
    assert.equal(engine.status().documents.indexed ?? 0, 1, 'only the page is in the library');
    assert.equal(embedder.embedded, saved.chunks, 'only the page was embedded');
    assert.equal(engine.status().embeddingModels[0]!.vectors, saved.chunks, 'its vectors are written with it');
    const { hits } = await engine.search({ query: 'Bica funicular national monument', mode: 'vector', filters: { kinds: ['web'] } });
    assert.equal(hits[0]?.title, 'Lisbon funiculars');

    await engine.index();
    assert.equal(engine.status().pendingJobs, 0, 'the queued work is done by the next indexing run');
    assert.ok((engine.status().documents.indexed ?? 0) > 1);
  } finally {
    await engine.close();
  }
});
