// The one client any UI uses: `CairnApi` built from the method table over a Transport (a wire
// channel such as `window.cairn` or a MessagePort, or HTTP + Server-Sent Events). Results and
// events are validated on arrival; errors come back as CairnError with the engine's code.
import { methods, type CairnApi, type MethodName } from './api.ts';
import { CairnError } from './errors.ts';
import { EngineEvent } from './events.ts';
import { describeIssues, WireErrorCode, WireToUi, type WireRequest } from './wire.ts';

/** How requests and events travel; the client above it is the same for every transport. */
export interface Transport {
  /** Resolves to the raw result, or rejects with a CairnError. */
  request(method: MethodName, params: unknown): Promise<unknown>;
  /** Every event, raw (the client validates it). Returns a function that stops listening. */
  subscribe(listener: (event: unknown) => void): () => void;
  close?(): void;
}

export interface CairnClient {
  readonly api: CairnApi;
  /** Listens to every event the engine sends; returns a function that stops listening. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /** Told about messages that could not be used (a malformed event), for a log. */
  onProblem?: (message: string) => void;
  close(): void;
}

export function createClient(transport: Transport, options: { onProblem?: (message: string) => void } = {}): CairnClient {
  const api: Record<string, Record<string, (params?: unknown) => Promise<unknown>>> = {};
  for (const [name, spec] of Object.entries(methods)) {
    const [group, call] = name.split('.') as [string, string];
    (api[group] ??= {})[call] = async (params?: unknown) => {
      const raw = await transport.request(name as MethodName, params ?? {});
      const parsed = spec.result.safeParse(raw);
      if (!parsed.success) throw new CairnError(WireErrorCode.badResult, `The engine's answer to ${name} is not what the contract says: ${describeIssues(parsed.error)}`);
      return parsed.data;
    };
  }
  return {
    api: api as unknown as CairnApi,
    onEvent(listener) {
      return transport.subscribe((raw) => {
        const parsed = EngineEvent.safeParse(raw);
        if (parsed.success) listener(parsed.data);
        else options.onProblem?.(`An event was dropped: ${describeIssues(parsed.error)}`);
      });
    },
    close: () => transport.close?.(),
  };
}

/** A two-way message channel: a MessagePort, `window.cairn`, a worker's port. */
export interface WireChannel {
  send(message: WireRequest): void;
  onMessage(listener: (message: unknown) => void): () => void;
  /** Called once when the other side is gone for good (a closed port). */
  onClose?(listener: () => void): void;
}

/**
 * A Transport over a wire channel: numbers requests, pairs responses, passes events on. Requests
 * under way fail with 'engine-gone' when the channel closes or an `engine` event says the engine
 * stopped, so that no caller waits forever for an engine that died.
 */
export function wireTransport(channel: WireChannel, options: { onProblem?: (message: string) => void } = {}): Transport {
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; method: string }>();
  const listeners = new Set<(event: unknown) => void>();
  let closed: string | null = null;

  const failAll = (why: string) => {
    for (const [id, call] of pending) {
      pending.delete(id);
      call.reject(new CairnError(WireErrorCode.engineGone, `${why} before it answered ${call.method}; try again.`));
    }
  };

  const stop = channel.onMessage((raw) => {
    const parsed = WireToUi.safeParse(raw);
    if (!parsed.success) {
      options.onProblem?.(`A message from the engine was dropped: ${describeIssues(parsed.error)}`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'event') {
      if (message.event.type === 'engine' && message.event.state !== 'ready') failAll(`The engine stopped (${message.event.reason ?? 'no reason given'})`);
      for (const listener of listeners) listener(message.event);
      return;
    }
    if (message.id === null) {
      if ('error' in message) options.onProblem?.(`The engine refused a message: ${message.error.message}`);
      return;
    }
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if ('error' in message) call.reject(new CairnError(message.error.code, message.error.message));
    else call.resolve(message.result);
  });
  channel.onClose?.(() => {
    closed = 'The connection to the engine closed';
    failAll('The engine stopped');
  });

  return {
    request(method, params) {
      if (closed) return Promise.reject(new CairnError(WireErrorCode.engineGone, `${closed}.`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, method });
        try {
          channel.send({ type: 'request', id, method, params });
        } catch (error) {
          pending.delete(id);
          reject(new CairnError(WireErrorCode.engineGone, `Cannot reach the engine: ${(error as Error).message}`));
        }
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = 'The client was closed';
      stop();
      failAll('The client was closed');
    },
  };
}
