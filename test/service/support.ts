// Test support for the served contract: a client over a real worker_threads MessagePort, and a
// recorder of the events it receives that waits for the one a test needs.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { createClient, wireTransport, type CairnClient, type WireChannel } from '../../app/contract/client.ts';
import type { EngineEvent } from '../../app/contract/index.ts';
import { nodePortChannel, serveChannel, Service, type ServiceOptions } from '../../app/service/index.ts';

/** The client side of a MessagePort: what main's preload does with the port it is handed. */
export function portChannel(port: MessagePort): WireChannel {
  return {
    send: (message) => port.postMessage(message),
    onMessage: (listener) => {
      port.on('message', listener);
      return () => port.off('message', listener);
    },
    onClose: (listener) => port.once('close', listener),
  };
}

export class EventLog {
  readonly events: EngineEvent[] = [];
  private readonly waiters: { test: (event: EngineEvent) => boolean; resolve: (event: EngineEvent) => void }[] = [];

  constructor(subscribe: (listener: (event: EngineEvent) => void) => () => void) {
    subscribe((event) => {
      this.events.push(event);
      for (const waiter of [...this.waiters]) {
        if (!waiter.test(event)) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    });
  }

  /** The first event (already received or still to come) that passes `test`. */
  waitFor<T extends EngineEvent>(test: (event: EngineEvent) => event is T): Promise<T>;
  waitFor(test: (event: EngineEvent) => boolean): Promise<EngineEvent>;
  waitFor(test: (event: EngineEvent) => boolean): Promise<EngineEvent> {
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  /** The first event from the `from`-th on (0-based) that passes `test`, received or still to come. */
  after(from: number, test: (event: EngineEvent) => boolean): Promise<EngineEvent> {
    const seen = this.events.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  /** Re-checks `done` after each event that passes `test` until it holds (no timing: driven by events). */
  async until(test: (event: EngineEvent) => boolean, done: () => Promise<boolean>): Promise<void> {
    for (;;) {
      const mark = this.events.length;
      if (await done()) return;
      await this.after(mark, test);
    }
  }

  /** Waits for an event that comes after those received so far. */
  next(test: (event: EngineEvent) => boolean): Promise<EngineEvent> {
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }
}

/** The final progress event of an indexing run. */
export const indexingDone = (event: EngineEvent): boolean => event.type === 'progress' && event.currentFile === null;

export interface Connected {
  service: Service;
  client: CairnClient;
  log: EventLog;
  problems: string[];
  close(): Promise<void>;
}

/** A service in this process, served on one end of a real MessageChannel, with a client on the other. */
export async function connectService(options: ServiceOptions): Promise<Connected> {
  const internal: unknown[] = [];
  const service = await Service.open({ live: false, onInternalError: (error) => internal.push(error), ...options });
  const { port1, port2 } = new MessageChannel();
  const stop = serveChannel(nodePortChannel(port2), service);
  const problems: string[] = [];
  const client = createClient(wireTransport(portChannel(port1), { onProblem: (p) => problems.push(p) }), { onProblem: (p) => problems.push(p) });
  const log = new EventLog((listener) => client.onEvent(listener));
  return {
    service,
    client,
    log,
    problems,
    close: async () => {
      client.close();
      stop();
      port1.close();
      await service.close();
      if (internal.length) throw new Error(`internal errors: ${internal.map(String).join('; ')}`);
    },
  };
}
