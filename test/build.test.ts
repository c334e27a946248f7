// `npm run build`'s bundles run as plain JavaScript: the engine-process bundle, started by plain
// Node with TypeScript type stripping turned off, indexes a folder (through the bundled
// extraction worker) and answers a search over the wire; the CLI bundle and the keyword thread's
// run too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { buildBundles, ROOT } from '../build.ts';
import { createClient, wireTransport } from '../app/contract/client.ts';
import { KeywordThread } from '../app/search/keyword-thread.ts';
import { Library } from '../app/store/index.ts';
import { EngineToHost } from '../app/contract/wire.ts';
import { writeChatCorpus } from './chat/library.ts';
import { tempDir } from './support/corpus.ts';
import { EventLog, indexingDone, portChannel } from './service/support.ts';

/** No TypeScript at run time: a .ts file reached from a bundle would fail to load. */
const PLAIN_NODE = ['--no-experimental-strip-types'];

test('the built engine bundle runs on plain Node and answers a search over the wire; so do the CLI and keyword thread bundles', { timeout: 120_000 }, async () => {
  // Inside the checkout, so that the external packages resolve from its node_modules.
  const outDir = join(ROOT, 'dist', `.test-build-${process.pid}`);
  try {
    const bundles = await buildBundles(ROOT, outDir);
    const [engine, cli] = ['engine.js', 'cairn.js'].map((name) => bundles.find((file) => file.endsWith(`/${name}`)));
    const dbPath = join(tempDir(), 'library.db');
    const worker = new Worker(engine!, { argv: ['--db', dbPath, '--no-watch'], execArgv: PLAIN_NODE, stderr: false });
    const { port1, port2 } = new MessageChannel();
    try {
      worker.postMessage({ type: 'connect', port: port2 }, [port2]);
      const [first] = (await once(worker, 'message')) as [unknown];
      assert.deepEqual(EngineToHost.parse(first), { type: 'ready', pid: process.pid, dbPath });
      const client = createClient(wireTransport(portChannel(port1)));
      const log = new EventLog((listener) => client.onEvent(listener));
      assert.equal((await client.api.engine.info()).version, JSON.parse(spawnSync(process.execPath, ['-p', 'JSON.stringify(require("./package.json").version)'], { cwd: ROOT, encoding: 'utf8' }).stdout));
      await client.api.library.add({ paths: [writeChatCorpus()] });
      await log.waitFor(indexingDone);
      assert.equal((await client.api.library.status()).documents.indexed, 12);
      const found = await client.api.search.query({ query: 'terminated with thirty days notice', k: 1 });
      assert.equal(found.hits[0]?.title, 'Contract');
    } finally {
      port1.close();
      await worker.terminate();
    }

    const status = spawnSync(process.execPath, [...PLAIN_NODE, cli!, '--db', dbPath, 'status', '--json'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(status.status, 0, status.stderr);
    assert.equal((JSON.parse(status.stdout) as { documents: { indexed: number } }).documents.indexed, 12);

    // The keyword thread reads a library that this process has open (as the engine does).
    const library = Library.open(dbPath);
    const failures: string[] = [];
    const keywords = new KeywordThread(dbPath, (reason) => failures.push(reason), pathToFileURL(bundles.find((file) => file.endsWith('/keyword-worker.js'))!));
    try {
      assert.equal(await keywords.started, true, failures.join('; '));
      assert.ok((await keywords.search(['terminated', 'notice'], 5, 2)).length > 0);
    } finally {
      await keywords.close();
      library.close();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
