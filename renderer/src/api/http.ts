// The HTTP transport (a browser against `cairn serve`): requests are POST /api/<method> with the
// params as JSON (the session cookie goes along), events come from one EventSource on
// /api/events, which reconnects by itself and resumes after the last event it saw.
import type { Transport } from '../../../app/contract/client.ts';
import { CairnError } from '../../../app/contract/errors.ts';

export function httpTransport(base = ''): Transport {
  const listeners = new Set<(event: unknown) => void>();
  let source: EventSource | null = null;

  const deliver = (event: unknown) => {
    for (const listener of listeners) listener(event);
  };

  const open = () => {
    source = new EventSource(`${base}/api/events`);
    source.onmessage = (message) => {
      try {
        deliver(JSON.parse(message.data as string));
      } catch {
        // Not JSON: dropped (the client validates what it gets anyway).
      }
    };
    // Events were missed beyond what the server keeps: say so as the engine being ready again, so
    // that views fetch their state afresh.
    source.addEventListener('gap', () => deliver({ type: 'engine', state: 'ready', restarts: 0, reason: 'Reconnected: some updates were missed.' }));
  };

  return {
    async request(method, params) {
      let response: Response;
      try {
        response = await fetch(`${base}/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(params ?? {}),
          credentials: 'same-origin',
        });
      } catch (error) {
        throw new CairnError('engine-gone', `Cairn is not answering (${(error as Error).message}); is \`cairn serve\` still running?`);
      }
      const body = (await response.json().catch(() => null)) as { result?: unknown; error?: { code: string; message: string } } | null;
      if (body?.error) throw new CairnError(body.error.code, body.error.message);
      if (!response.ok || !body || !('result' in body)) throw new CairnError('bad-result', `Cairn answered ${method} with HTTP ${response.status}.`);
      return body.result;
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!source) open();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          source?.close();
          source = null;
        }
      };
    },
    close() {
      source?.close();
      source = null;
      listeners.clear();
    },
  };
}
