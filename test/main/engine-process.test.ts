// Main's engine host driving the real engine in its own process (a Node child standing in for
// Electron's utilityProcess, see support/node-utility.ts), with the arguments the app gives it:
// while it runs, `cairn watch` on the same library is refused naming the app and read-only commands
// work beside it; its secrets go to main's store (refused for the disk on basic_text) and never
// into the library; killed in the middle of an import, it is restarted, main is told, and every
// queued file is indexed all the same; it stops cleanly when the app quits.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { createClient, wireTransport } from '../../app/contract/client.ts';
import type { EngineEvent } from '../../app/contract/events.ts';
import { EngineChannel } from '../../main/engine-channel.ts';
import { APP_DESCRIPTION, EngineHost, engineArgs } from '../../main/engine-host.ts';
import { DesktopSecrets } from '../../main/secrets.ts';
import { tempDir, writeCorpus } from '../support/corpus.ts';
import { forkNodeUtility, relayedChannel, type RelayedPort } from './support/node-utility.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const ENGINE = join(ROOT, 'app', 'service', 'engine-entry.ts');
const CLI = join(ROOT, 'app', 'cli', 'main.ts');

function cairn(db: string, args: string[]) {
  const run = spawnSync(process.execPath, [CLI, '--db', db, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('the engine process as the app runs it: the watch lock names the app, secrets stay out of the library, a killed engine is restarted and loses nothing', { timeout: 240_000 }, async () => {
  const dir = tempDir();
  const dbPath = join(dir, 'library.db');
  const secretsFile = join(tempDir(), 'secrets.safestorage.json');
  const told: string[] = [];
  // Linux without a keyring: safeStorage's basic_text backend.
  const secrets = await DesktopSecrets.open({
    platform: 'linux',
    file: secretsFile,
    onSessionOnly: (message) => told.push(message),
    safeStorage: {
      getSelectedStorageBackend: () => 'basic_text',
      isAsyncEncryptionAvailable: async () => true,
      encryptStringAsync: async () => {
        throw new Error('never asked on basic_text');
      },
      decryptStringAsync: async () => ({ result: '', shouldReEncrypt: false }),
    },
  });

  const forked: ReturnType<typeof forkNodeUtility>[] = [];
  const host = new EngineHost<RelayedPort>({
    fork: () => {
      const child = forkNodeUtility(ENGINE, engineArgs({ secretsDescription: secrets.description, dbPath }));
      forked.push(child);
      return child;
    },
    newChannel: relayedChannel,
    secrets,
    restartDelayMs: () => 0,
  });
  const own = new EngineChannel<RelayedPort>({
    post: (port, message) => port.postMessage(message),
    listen: (port, onData) => port.on('message', (event: { data: unknown }) => onData(event.data)),
    close: (port) => port.close(),
  });
  host.connect({ attach: (port) => own.attach(port), notify: (message) => own.fromHost(message) });
  const client = createClient(wireTransport(own));
  const events: EngineEvent[] = [];
  const waiters: { test: (event: EngineEvent) => boolean; resolve: () => void }[] = [];
  client.onEvent((event) => {
    events.push(event);
    for (const waiter of waiters.filter((w) => w.test(event))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  /** The next event (from now on) that passes `test`. */
  const next = (test: (event: EngineEvent) => boolean) => new Promise<void>((resolve) => waiters.push({ test, resolve }));
  host.start();

  try {
    const info = await client.api.engine.info();
    assert.equal(info.dbPath, dbPath);
    assert.equal(info.pid, forked[0]!.pid, 'the engine runs in its own process');

    // One process watches a library: the app. `cairn watch` is refused naming it; reading works.
    const watched = join(dir, 'watched');
    mkdirSync(watched);
    await client.api.folders.add({ path: watched });
    const watch = cairn(dbPath, ['watch']);
    assert.equal(watch.code, 1, watch.stderr);
    assert.match(watch.stderr, new RegExp(`${APP_DESCRIPTION} \\(pid ${info.pid}\\) is already watching this library`));
    assert.equal(cairn(dbPath, ['status']).code, 0);
    assert.equal(cairn(dbPath, ['search', 'anything']).code, 0);

    // A key given in the window goes to main's store: on basic_text, for this session only, said so.
    const stored = await client.api.settings.setWebKey({ provider: 'brave', key: 'BSA-kept-by-main-1234' });
    assert.equal(stored.storedIn, secrets.description);
    assert.match(stored.storedIn, /for this session only: no system keyring/);
    assert.equal(await secrets.get('web-search.brave'), 'BSA-kept-by-main-1234');
    assert.equal(told.length, 1);
    assert.equal(existsSync(secretsFile), false);
    for (const file of [dbPath, `${dbPath}-wal`]) {
      if (existsSync(file)) assert.ok(!readFileSync(file).includes('BSA-kept-by-main-1234'), `${file} holds no secret`);
    }

    // Killed in the middle of an import: restarted, main told, and the import completes.
    const corpus = writeCorpus(300);
    const started = next((e) => e.type === 'progress' && e.currentFile !== null && e.filesDone > 0);
    await client.api.library.add({ paths: [corpus] });
    await started;
    forked[0]!.kill();
    await next((e) => e.type === 'engine' && e.state === 'ready');
    const engineEvents = events.filter((e) => e.type === 'engine');
    assert.deepEqual(engineEvents.map((e) => e.type === 'engine' && [e.state, e.restarts]), [['stopped', 1], ['ready', 1]]);
    assert.equal(forked.length, 2);
    const restarted = await client.api.engine.info();
    assert.equal(restarted.pid, forked[1]!.pid);
    // Each indexing run ends with a progress event without a current file; the queue empties run by run.
    let runEnded = next((e) => e.type === 'progress' && e.currentFile === null);
    let status = await client.api.library.status();
    while (status.pendingJobs > 0 || (status.documents.indexed ?? 0) < 300) {
      await runEnded;
      runEnded = next((e) => e.type === 'progress' && e.currentFile === null);
      status = await client.api.library.status();
    }
    assert.equal(status.documents.indexed, 300);
    assert.equal(status.pendingJobs, 0);
    const readyAt = events.findIndex((e) => e.type === 'engine' && e.state === 'ready');
    assert.ok(events.slice(readyAt).some((e) => e.type === 'progress' && e.filesDone > 0), 'the new engine indexed what the killed one left queued');
    // The new engine holds the watch lock now.
    assert.match(cairn(dbPath, ['watch']).stderr, new RegExp(`${APP_DESCRIPTION} \\(pid ${restarted.pid}\\)`));
  } finally {
    await host.shutdown(20_000);
  }
  assert.equal(host.state, 'stopped');
  assert.equal(forked[1]!.child.exitCode, 0, 'stopped cleanly, not killed');
});
