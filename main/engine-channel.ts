// One end of the wire to the engine that outlives the engine process: the window's preload and
// main's own connection each hold one. Main hands it a new MessagePort whenever an engine starts;
// what is sent while there is none (before the first port, during a restart) waits and goes out
// on the next one, and when main says the engine failed for good, everything is answered at once
// with 'engine-gone' and the reason. Imports nothing: the sandboxed preload bundles it.
import type { CairnBridge, WireRequest } from '../app/contract/wire.ts';

/** How to use one kind of port (a DOM MessagePort in the preload, a MessagePortMain in main). */
export interface PortOps<P> {
  post(port: P, message: unknown): void;
  /** Starts delivering the port's messages (their `data`). */
  listen(port: P, onData: (data: unknown) => void): void;
  close(port: P): void;
}

type EngineState = 'ready' | 'stopped' | 'failed';

/** The engine state a message from main announces, if it is an `engine` event. */
function engineState(message: unknown): { state: EngineState; reason: string | null } | null {
  const event = (message as { type?: unknown; event?: { type?: unknown; state?: unknown; reason?: unknown } } | null)?.event;
  if ((message as { type?: unknown } | null)?.type !== 'event' || event?.type !== 'engine') return null;
  const state = event.state;
  if (state !== 'ready' && state !== 'stopped' && state !== 'failed') return null;
  return { state, reason: typeof event.reason === 'string' ? event.reason : null };
}

export class EngineChannel<P> implements CairnBridge {
  readonly #ops: PortOps<P>;
  #port: P | null = null;
  #waiting: WireRequest[] = [];
  /** Why the engine will not come back, once main said so. */
  #failed: string | null = null;
  readonly #listeners = new Set<(message: unknown) => void>();

  constructor(ops: PortOps<P>) {
    this.#ops = ops;
  }

  /** A port to a (new) engine process: requests that waited go out on it. */
  attach(port: P): void {
    this.#drop();
    this.#port = port;
    this.#failed = null;
    this.#ops.listen(port, (data) => {
      if (this.#port === port) this.#deliver(data);
    });
    for (const message of this.#waiting.splice(0)) this.#ops.post(port, message);
  }

  /**
   * A message from main itself (an `engine` event), passed on to the listeners. A stopped engine's
   * port is dropped, so that requests wait for the next one instead of vanishing into a dead
   * port; a failed engine answers every request with the reason.
   */
  fromHost(message: unknown): void {
    const engine = engineState(message);
    if (engine?.state === 'stopped' || engine?.state === 'failed') this.#drop();
    if (engine?.state === 'failed') {
      this.#failed = engine.reason ?? 'The engine could not start.';
      for (const request of this.#waiting.splice(0)) this.#refuse(request);
    }
    this.#deliver(message);
  }

  send(message: WireRequest): void {
    if (this.#port !== null) this.#ops.post(this.#port, message);
    else if (this.#failed !== null) queueMicrotask(() => this.#refuse(message));
    else this.#waiting.push(message);
  }

  onMessage(listener: (message: unknown) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Answers a request as the engine would if it could (for those main answers itself, or refuses). */
  deliver(message: unknown): void {
    this.#deliver(message);
  }

  #refuse(request: WireRequest): void {
    this.#deliver({ type: 'response', id: request.id, error: { code: 'engine-gone', message: `The engine is not running: ${this.#failed}` } });
  }

  #drop(): void {
    if (this.#port === null) return;
    const port = this.#port;
    this.#port = null;
    try {
      this.#ops.close(port);
    } catch {
      // Already closed with its process.
    }
  }

  #deliver(message: unknown): void {
    for (const listener of this.#listeners) {
      try {
        listener(message);
      } catch {
        // One listener's failure must not keep the message from the others.
      }
    }
  }
}
