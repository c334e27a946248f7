// Main's engine host against a fake utilityProcess: every window (and main itself) gets a port to
// each engine, an engine that dies is restarted and the windows are told (stopped, then ready
// again with the count), one that cannot open its library is not restarted, a crash loop ends,
// quitting stops the engine cleanly, and the engine's secret requests are answered.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { APP_DESCRIPTION, EngineHost, engineArgs, type EngineHostOptions, type SecretKeeper } from '../../main/engine-host.ts';
import { FakeEngineProcess, FakePort, FakeTarget, until } from './fakes.ts';

function hostWith(options: Partial<EngineHostOptions<FakePort>> = {}) {
  const forked: FakeEngineProcess[] = [];
  const failures: string[] = [];
  const host = new EngineHost<FakePort>({
    fork: () => {
      const child = new FakeEngineProcess();
      forked.push(child);
      return child;
    },
    newChannel: () => ({ port1: new FakePort(), port2: new FakePort() }),
    restartDelayMs: () => 0,
    onFailed: (reason) => failures.push(reason),
    ...options,
  });
  return { host, forked, failures, last: () => forked.at(-1)! };
}

const ready = { type: 'ready', pid: 4242, dbPath: '/tmp/library.db' };

describe('the engine host', () => {
  test('starts the engine with the app as its description and hands each target a port', () => {
    const { host, forked } = hostWith();
    const window = new FakeTarget();
    const own = new FakeTarget();
    host.connect(own);
    host.start();
    host.connect(window);
    assert.equal(forked.length, 1);
    const child = forked[0]!;
    assert.equal(child.connected().length, 2, 'one port for main, one for the window');
    assert.equal(own.ports.length, 1);
    assert.equal(window.ports.length, 1);
    // The two ends of each channel went to different sides.
    assert.notEqual(child.connected()[0], own.ports[0]);
    // A reloaded page connects again and gets a fresh port.
    host.connect(window);
    assert.equal(window.ports.length, 2);
    assert.equal(child.connected().length, 3);
    assert.deepEqual(engineArgs({ secretsDescription: 'the macOS Keychain' }), ['--description', APP_DESCRIPTION, '--host-secrets', 'the macOS Keychain']);
    assert.equal(APP_DESCRIPTION, 'the Cairn app');
  });

  test('an engine that dies is restarted: targets are told it stopped, get new ports, and are told when it is ready again', async () => {
    const { host, forked, failures, last } = hostWith();
    const window = new FakeTarget();
    host.connect(window);
    host.start();
    last().say(ready);
    assert.equal(host.state, 'ready');
    assert.deepEqual(window.events, [], 'no event for the first start');

    forked[0]!.exit(139);
    assert.deepEqual(window.events, [{ type: 'engine', state: 'stopped', restarts: 1, reason: 'The engine process exited unexpectedly (code 139). Restarting it.' }]);
    await until('a new engine is forked', () => forked.length === 2);
    assert.equal(window.ports.length, 2, 'a port to the new engine at once (requests wait there until it is ready)');
    assert.equal(forked[1]!.connected()[0] !== undefined, true);
    last().say(ready);
    assert.deepEqual(window.events.at(-1), { type: 'engine', state: 'ready', restarts: 1, reason: null });
    assert.equal(host.restarts, 1);
    assert.deepEqual(failures, []);

    // The old process saying anything now is ignored.
    forked[0]!.emit('message', { type: 'failed', error: { code: 'x', message: 'stale' } });
    assert.equal(host.state, 'ready');
  });

  test('an engine that cannot open the library is not restarted: targets are told why, and later ones too', async () => {
    const { host, forked, failures, last } = hostWith();
    const window = new FakeTarget();
    host.connect(window);
    host.start();
    last().say({ type: 'failed', error: { code: 'library-corrupt', message: 'The library is damaged: run cairn doctor --repair.' } });
    last().exit(1);
    assert.equal(host.state, 'failed');
    assert.deepEqual(window.events, [{ type: 'engine', state: 'failed', restarts: 0, reason: 'The library is damaged: run cairn doctor --repair.' }]);
    assert.deepEqual(failures, ['The library is damaged: run cairn doctor --repair.']);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(forked.length, 1, 'not restarted');
    const late = new FakeTarget();
    host.connect(late);
    assert.deepEqual(late.events.map((e) => e.state), ['failed']);
    assert.equal(late.ports.length, 0);
  });

  test('a crash loop ends: after five deaths in two minutes it gives up and says so', async () => {
    let now = 0;
    const { host, forked, failures, last } = hostWith({ now: () => now });
    const window = new FakeTarget();
    host.connect(window);
    host.start();
    for (let death = 1; death <= 5; death++) {
      last().say(ready);
      now += 10_000;
      last().exit(134);
      if (death < 5) await until(`restart ${death}`, () => forked.length === death + 1);
    }
    assert.equal(host.state, 'failed');
    assert.equal(forked.length, 5);
    assert.equal(failures.length, 1);
    assert.match(failures[0]!, /stopped 5 times in 2 minutes and is not restarted again/);
    assert.equal(window.events.at(-1)?.state, 'failed');

    // Deaths far apart are not a loop.
    let later = 0;
    const spaced = hostWith({ now: () => later });
    spaced.host.connect(new FakeTarget());
    spaced.host.start();
    for (let death = 1; death <= 6; death++) {
      spaced.last().say(ready);
      later += 10 * 60_000;
      spaced.last().exit(134);
      await until(`spaced restart ${death}`, () => spaced.forked.length === death + 1);
    }
    assert.equal(spaced.host.restarts, 6);
    assert.deepEqual(spaced.failures, []);
  });

  test('shutdown asks the engine to stop, waits for it, and restarts nothing; one that does not stop is killed', async () => {
    const { host, forked, last } = hostWith();
    const window = new FakeTarget();
    host.connect(window);
    host.start();
    last().say(ready);
    const stopping = host.shutdown();
    assert.deepEqual(last().posted.at(-1)?.message, { type: 'shutdown' });
    last().say({ type: 'stopped' });
    last().exit(0);
    await stopping;
    assert.equal(host.state, 'stopped');
    assert.deepEqual(window.events, [], 'a clean stop is no crash');
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(forked.length, 1);

    // Asked to stop before it said ready (the app quit at once): its late `ready` changes nothing.
    const early = hostWith();
    early.host.start();
    const stoppingEarly = early.host.shutdown();
    early.last().say(ready);
    early.last().exit(0);
    await stoppingEarly;
    assert.equal(early.host.state, 'stopped');
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(early.forked.length, 1, 'not taken for a crash');

    const stuck = hostWith();
    stuck.host.start();
    stuck.last().say(ready);
    await stuck.host.shutdown(5);
    assert.equal(stuck.last().killed, true);
    assert.equal(stuck.forked.length, 1);
  });

  test("the engine's secret requests are answered from main's store, and failures are said", async () => {
    const kept = new Map<string, string>();
    const secrets: SecretKeeper = {
      get: async (key) => kept.get(key) ?? null,
      set: async (key, value) => {
        if (key === 'broken') throw new Error('the keyring is locked');
        kept.set(key, value);
      },
      delete: async (key) => {
        kept.delete(key);
      },
    };
    const { host, last } = hostWith({ secrets });
    host.start();
    last().say(ready);
    const answers = () => last().posted.filter((p) => p.message.type === 'secret-result').map((p) => p.message);
    last().say({ type: 'secret', id: 1, op: 'set', key: 'mail:imap://me@host', value: 'hunter2' });
    await until('set answered', () => answers().length === 1);
    last().say({ type: 'secret', id: 2, op: 'get', key: 'mail:imap://me@host' });
    last().say({ type: 'secret', id: 3, op: 'get', key: 'nothing' });
    last().say({ type: 'secret', id: 4, op: 'set', key: 'broken', value: 'x' });
    await until('all answered', () => answers().length === 4);
    assert.deepEqual(answers(), [
      { type: 'secret-result', id: 1, value: null, error: null },
      { type: 'secret-result', id: 2, value: 'hunter2', error: null },
      { type: 'secret-result', id: 3, value: null, error: null },
      { type: 'secret-result', id: 4, value: null, error: { code: 'secret-store', message: 'The secret could not be stored: the keyring is locked' } },
    ]);
  });
});
