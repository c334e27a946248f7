// Embedding work a switch left to do (`cairn embedder set` without --wait) is continued by what
// indexes the library: the engine as a service (the app, `cairn serve`) when it opens and when
// another process switches while it runs, and `cairn mail sync`. (`cairn index` and `cairn watch`:
// test/cli/embedder.test.ts.)
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EngineEvent, ReembedProgress } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { ModelManager } from '../../app/llm/index.ts';
import { EngineHost } from '../../app/service/index.ts';
import { MemorySecretStore } from '../../app/sources/index.ts';
import { tempDir, writeCorpus } from '../support/corpus.ts';
import { Dovecot, requireDovecot, testMessage } from '../support/dovecot.ts';
import { startEmbeddingServer } from '../support/embedding-server.ts';
import { EventLog } from './support.ts';

const finished = (model: string) => (e: EngineEvent): e is ReembedProgress => e.type === 'reembed-progress' && e.model.endsWith(model) && e.done === e.total;

test('the service makes the vectors a switch left to do, when it opens and when another process switches', { timeout: 60_000 }, async () => {
  const server = await startEmbeddingServer();
  const dbPath = join(tempDir(), 'library.db');
  // A library indexed without a model, then given its first one (`cairn embedder set`, no --wait).
  const cli = await Engine.open({ dbPath });
  cli.add([writeCorpus(8)]);
  await cli.index();
  await cli.setEmbedder({ type: 'openai', baseUrl: server.baseUrl, model: 'bag-64' });
  assert.equal(cli.status().reembed?.done, 0);
  await cli.close();

  const listeners: ((event: EngineEvent) => void)[] = [];
  const log = new EventLog((listener) => {
    listeners.push(listener);
    return () => {};
  });
  const onEvent = (event: EngineEvent) => listeners.forEach((listener) => listener(event));
  const host = await EngineHost.open({ dbPath, live: false, sourcesPollMs: 20, models: new ModelManager({ dir: tempDir() }), onEvent });
  try {
    const first = await log.waitFor(finished('bag-64'));
    assert.ok(first.total > 0);
    await host.indexed();
    assert.equal(host.engine.status().reembed, null);

    // Switched from a terminal while the app runs: the app follows it and makes the new vectors.
    const other = await Engine.open({ dbPath });
    await other.setEmbedder({ type: 'openai', baseUrl: server.baseUrl, model: 'bag-32' });
    await other.close();
    await log.waitFor(finished('bag-32'));
    await host.indexed();
    const status = host.engine.status();
    assert.match(status.embedder ?? '', /bag-32$/);
    assert.deepEqual(status.embeddingModels.map((m) => [m.key.split(':').at(-1), m.state, m.vectors]), [['bag-32', 'active', first.total]]);
  } finally {
    await host.close();
    await server.close();
  }
});

test('cairn mail sync makes the vectors a switch left to do', { timeout: 60_000 }, async (t) => {
  const binary = requireDovecot(t);
  if (!binary) return;
  const imap = await Dovecot.start(binary, [{ user: 'alice', password: 'pw-1' }]);
  const server = await startEmbeddingServer();
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), secrets: new MemorySecretStore() });
  try {
    engine.add([writeCorpus(4)]);
    await engine.index();
    await engine.setEmbedder({ type: 'openai', baseUrl: server.baseUrl, model: 'bag-64' });
    imap.deliver(testMessage({ subject: 'Budget', body: 'the quarterly budget' }));
    await engine.mail.add({ host: '127.0.0.1', port: imap.port, security: 'plain', user: 'alice', secret: 'pw-1' });
    assert.equal((await engine.mail.sync()).added, 1);
    const status = engine.status();
    assert.equal(status.reembed, null);
    assert.deepEqual(status.embeddingModels.map((m) => [m.state, m.vectors]), [['active', status.chunks]]);
  } finally {
    await engine.close();
    await server.close();
    await imap.stop();
  }
});
