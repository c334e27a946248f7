// The engine-process entry as its host starts it (here a worker thread, the plain-Node form of
// Electron's utilityProcess): it says `ready`, serves the contract on the port it is handed, says
// `failed` for a library it cannot open, and when it dies the client's pending requests fail
// with a clear error instead of waiting forever.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { MessageChannel, Worker } from 'node:worker_threads';
import { createClient, wireTransport } from '../../app/contract/client.ts';
import { CairnError } from '../../app/contract/index.ts';
import { EngineToHost } from '../../app/contract/wire.ts';
import { writeChatCorpus } from '../chat/library.ts';
import { tempDir } from '../support/corpus.ts';
import { EventLog, indexingDone, portChannel } from './support.ts';

const ENTRY = resolve(import.meta.dirname, '..', '..', 'app', 'service', 'engine-entry.ts');

/** Starts an engine process from `entry` as a worker, hands it a port, and waits for its first word. */
export async function startEngineWorker(entry: string, args: string[]) {
  const worker = new Worker(entry, { argv: args, stderr: false });
  const { port1, port2 } = new MessageChannel();
  worker.postMessage({ type: 'connect', port: port2 }, [port2]);
  const [first] = (await once(worker, 'message')) as [unknown];
  const said = EngineToHost.parse(first);
  const client = createClient(wireTransport(portChannel(port1)));
  const log = new EventLog((listener) => client.onEvent(listener));
  return { worker, said, client, log, port: port1 };
}

test('the engine process serves the contract on the port its host hands it, and a dead engine fails pending requests', { timeout: 120_000 }, async () => {
  const dbPath = join(tempDir(), 'library.db');
  const { worker, said, client, log, port } = await startEngineWorker(ENTRY, ['--db', dbPath, '--no-watch']);
  const silent = createServer(() => {}); // accepts and never greets: an IMAP login that waits
  try {
    assert.deepEqual(said, { type: 'ready', pid: process.pid, dbPath });
    // Something from the host it does not understand is ignored, not fatal.
    worker.postMessage({ type: 'explode' });
    await client.api.library.add({ paths: [writeChatCorpus()] });
    await log.waitFor(indexingDone);
    const found = await client.api.search.query({ query: 'Lisbon trams yellow', k: 3 });
    assert.equal(found.hits[0]?.title, 'Lisbon tips');

    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port: imapPort } = silent.address() as { port: number };
    const connected = once(silent, 'connection');
    const pending = client.api.mail.test({ host: '127.0.0.1', port: imapPort, security: 'plain', user: 'u', secret: 'p' });
    await connected;
    const failed = assert.rejects(pending, (error: unknown) => error instanceof CairnError && error.code === 'engine-gone' && /engine stopped/i.test(error.message));
    await worker.terminate();
    await failed;
    await assert.rejects(client.api.engine.info(), (error: unknown) => error instanceof CairnError && error.code === 'engine-gone');
  } finally {
    silent.close();
    port.close();
    await worker.terminate();
  }
});

test('an engine that cannot open its library says why and ends', { timeout: 60_000 }, async () => {
  const notADatabase = join(import.meta.dirname, 'engine-process.test.ts');
  const { worker, said } = await startEngineWorker(ENTRY, ['--db', notADatabase, '--no-watch']);
  assert.equal(said.type, 'failed');
  assert.ok(said.type === 'failed' && said.error.code === 'not-a-library', JSON.stringify(said));
  const [code] = (await once(worker, 'exit')) as [number];
  assert.equal(code, 1);
});
