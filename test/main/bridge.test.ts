// `window.cairn` as the preload builds it, over a fake ipcRenderer and real (Node) MessagePorts:
// it asks main for a port, sends what waited once the port comes, keeps working across an engine
// restart (requests wait for the new port instead of vanishing), answers everything with the
// reason once the engine failed for good, and hands desktop.* requests to main. The contract's
// client runs on top of it unchanged.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MessageChannel, type MessagePort as NodeMessagePort } from 'node:worker_threads';
import { DESKTOP_METHOD_PREFIX } from '../../app/contract/api.ts';
import { createClient, wireTransport } from '../../app/contract/client.ts';
import { CairnError } from '../../app/contract/index.ts';
import { createBridge, type PreloadIpc } from '../../main/bridge.ts';
import { IPC } from '../../main/ipc-channels.ts';
import { until } from './fakes.ts';

/** ipcRenderer as the preload sees it; the test plays main. */
class FakeIpc implements PreloadIpc {
  readonly sent: string[] = [];
  readonly invoked: { channel: string; message: unknown }[] = [];
  answer: (message: unknown) => Promise<unknown> = async () => null;
  readonly #listeners = new Map<string, (event: { ports: readonly MessagePort[] }, message?: unknown) => void>();
  on(channel: string, listener: (event: { ports: readonly MessagePort[] }, message?: unknown) => void): this {
    this.#listeners.set(channel, listener);
    return this;
  }
  send(channel: string): void {
    this.sent.push(channel);
  }
  invoke(channel: string, message: unknown): Promise<unknown> {
    this.invoked.push({ channel, message });
    return this.answer(message);
  }
  /** main → preload */
  emit(channel: string, ports: NodeMessagePort[], message?: unknown): void {
    // Node's MessagePort stands in for the DOM one: postMessage, onmessage, close.
    this.#listeners.get(channel)?.({ ports: ports as unknown as MessagePort[] }, message);
  }
}

/** An engine on the other end of a port: answers every request with its method name and the engine's number. */
function fakeEngine(number: number) {
  const { port1, port2 } = new MessageChannel();
  const seen: string[] = [];
  port1.on('message', (request: { id: number; method: string }) => {
    seen.push(request.method);
    port1.postMessage({ type: 'response', id: request.id, result: { version: `engine ${number}`, dbPath: '/lib.db', pid: number } });
  });
  return { port: port2, seen, close: () => port1.close() };
}

/** webUtils.getPathForFile for tests that drop nothing. */
const noPaths = (): string => '';

const engineEvent = (state: 'stopped' | 'ready' | 'failed', reason: string | null) => ({ type: 'event', event: { type: 'engine', state, restarts: 1, reason } });

describe('window.cairn', () => {
  test('exposes exactly send, onMessage and pathForFile, and asks main for a port when the page starts', () => {
    const ipc = new FakeIpc();
    const paths = new Map<unknown, string>();
    const bridge = createBridge(ipc, (file) => paths.get(file) ?? '');
    assert.deepEqual(Object.keys(bridge).sort(), ['onMessage', 'pathForFile', 'send']);
    const dropped = new File(['x'], 'report.pdf');
    paths.set(dropped, '/home/me/report.pdf');
    assert.equal(bridge.pathForFile(dropped), '/home/me/report.pdf', "a dropped file's path, from webUtils");
    assert.deepEqual(ipc.sent, [IPC.connect]);
    assert.equal(IPC.desktopMethodPrefix, DESKTOP_METHOD_PREFIX);
  });

  test('requests wait for the port, survive an engine restart, and fail with the reason once the engine failed', async () => {
    const ipc = new FakeIpc();
    const client = createClient(wireTransport(createBridge(ipc, noPaths)));
    const events: unknown[] = [];
    client.onEvent((event) => events.push(event));

    const early = client.api.engine.info(); // before main handed a port
    const first = fakeEngine(1);
    ipc.emit(IPC.port, [first.port]);
    assert.equal((await early).version, 'engine 1');

    // The engine dies: main says so, pending requests fail, later ones wait for the next engine.
    ipc.emit(IPC.engine, [], engineEvent('stopped', 'The engine process exited unexpectedly (code 139). Restarting it.'));
    first.close();
    const waiting = client.api.engine.info();
    const second = fakeEngine(2);
    ipc.emit(IPC.port, [second.port]);
    ipc.emit(IPC.engine, [], engineEvent('ready', null));
    assert.equal((await waiting).version, 'engine 2');
    assert.deepEqual(first.seen, ['engine.info'], 'nothing was posted into the dead port');
    assert.deepEqual(events.map((e) => (e as { state: string }).state), ['stopped', 'ready']);

    // It fails for good: what waits and what comes later is answered at once with the reason.
    ipc.emit(IPC.engine, [], engineEvent('stopped', 'exited'));
    const stranded = client.api.engine.info();
    ipc.emit(IPC.engine, [], engineEvent('failed', 'The library is damaged.'));
    for (const call of [stranded, client.api.library.status()]) {
      await assert.rejects(call, (error: unknown) => error instanceof CairnError && error.code === 'engine-gone' && /The library is damaged/.test(error.message));
    }
    second.close();
  });

  test('desktop.* requests go to main, not to the engine, and come back as responses', async () => {
    const ipc = new FakeIpc();
    ipc.answer = async (message) => ({ type: 'response', id: (message as { id: number }).id, result: { available: true, platform: 'linux' } });
    const client = createClient(wireTransport(createBridge(ipc, noPaths)));
    const engine = fakeEngine(1);
    ipc.emit(IPC.port, [engine.port]);
    assert.deepEqual(await client.api.desktop.info(), { available: true, platform: 'linux' });
    assert.equal(ipc.invoked.length, 1);
    assert.equal(ipc.invoked[0]!.channel, IPC.desktop);
    assert.deepEqual(ipc.invoked[0]!.message, { type: 'request', id: 1, method: 'desktop.info', params: {} });
    await client.api.engine.info();
    await until('the engine saw its request', () => engine.seen.length === 1);
    assert.deepEqual(engine.seen, ['engine.info'], 'the engine never sees desktop.*');

    ipc.answer = async () => {
      throw new Error('no handler');
    };
    await assert.rejects(client.api.desktop.openExternal({ url: 'https://example.com/' }), /The desktop app could not answer: no handler/);
    engine.close();
  });
});
