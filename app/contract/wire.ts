// The messages on any channel between a UI and the engine (a MessagePort, Electron's IPC, the
// HTTP body of POST /api), and the bridge the Electron preload exposes as `window.cairn`.
// Every message is validated on arrival; one that does not parse is answered with an error,
// never thrown at the process that got it.
import { z } from 'zod';
import { ErrorBody } from './errors.ts';
import { EngineEvent } from './events.ts';

/** UI → engine: call `method` (a name of the method table) with `params`; `id` pairs the response. */
export const WireRequest = z.object({
  type: z.literal('request'),
  id: z.number().int().min(0),
  method: z.string().min(1),
  params: z.unknown().optional(),
});
export type WireRequest = z.infer<typeof WireRequest>;

/**
 * Engine → UI: the result or the error of request `id`. `id` is null only for a message so
 * malformed that it had no readable id.
 */
export const WireResponse = z.union([
  z.object({ type: z.literal('response'), id: z.number().int().min(0), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: z.number().int().min(0).nullable(), error: ErrorBody }),
]);
export type WireResponse = z.infer<typeof WireResponse>;

/** Engine → UI: something changed by itself. */
export const WireEvent = z.object({ type: z.literal('event'), event: EngineEvent });
export type WireEvent = z.infer<typeof WireEvent>;

/** What arrives at a UI. */
export const WireToUi = z.union([WireResponse, WireEvent]);
export type WireToUi = WireResponse | WireEvent;

/**
 * What the Electron preload exposes on `window.cairn` (with contextBridge, and nothing else): a
 * channel to the engine over the MessagePort main hands it. `send` posts a WireRequest;
 * `onMessage` receives every WireResponse and WireEvent (plus `engine` events main adds when the
 * engine process stops and is ready again) and returns a function that stops listening.
 */
export interface CairnBridge {
  send(message: WireRequest): void;
  onMessage(listener: (message: unknown) => void): () => void;
  /** The path of a file dropped on the window (Electron's webUtils.getPathForFile; '' for one with no path). Desktop app only. */
  pathForFile?(file: File): string;
}

/** Error codes of the wire itself (a handler's own errors have their own codes). */
export const WireErrorCode = {
  /** Not a request at all, or not one this engine understands. */
  badMessage: 'bad-message',
  unknownMethod: 'unknown-method',
  /** The params do not match the method's schema. */
  badParams: 'bad-params',
  /** The engine produced a result that does not match the method's schema (a bug, told plainly). */
  badResult: 'bad-result',
  /** The engine stopped (or the channel closed) before it answered. */
  engineGone: 'engine-gone',
  internal: 'internal',
} as const;

/** A zod error as one line for people: 'params.paths: Too small…; …'. */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return `${prefix}${path ? `${prefix ? '.' : ''}${path}: ` : prefix ? ': ' : ''}${issue.message}`;
    })
    .join('; ');
}

// ---- the engine process and its host ---------------------------------------------------------
// The engine runs in its own process (Electron's utilityProcess) or a worker thread. Its host
// (Electron main, a test) talks to it on the process's parent port with these few messages;
// everything else goes over the MessagePorts it hands over, as WireRequest/WireResponse/WireEvent.

/** Host → engine process. `connect` carries a MessagePort (in the message's ports, or as `port` in a worker). */
export const HostToEngine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('connect') }),
  /** Stop answers and downloads (kept, resumable), close the library, exit. */
  z.object({ type: z.literal('shutdown') }),
  /** The answer to the engine's `secret` request `id`: the value for `get` (null: none), null for `set` and `delete`, or why it failed. */
  z.object({ type: z.literal('secret-result'), id: z.number().int().min(0), value: z.string().nullable(), error: ErrorBody.nullable() }),
]);
export type HostToEngine = z.infer<typeof HostToEngine>;

/** Engine process → host. */
export const EngineToHost = z.discriminatedUnion('type', [
  /** The library is open: ports handed over are served (ports sent before this are served too). */
  z.object({ type: z.literal('ready'), pid: z.number(), dbPath: z.string() }),
  /** The library could not be opened: the process exits with this error (restarting will not help). */
  z.object({ type: z.literal('failed'), error: ErrorBody }),
  /** Shut down cleanly (after `shutdown`). */
  z.object({ type: z.literal('stopped') }),
  /**
   * The engine's secret store asks its host (started with `--host-secrets`: the desktop app keeps
   * mail passwords and API keys with Electron's safeStorage, which only main can use). Answered by
   * a `secret-result` with the same id.
   */
  z.object({ type: z.literal('secret'), id: z.number().int().min(0), op: z.enum(['get', 'set', 'delete']), key: z.string(), value: z.string().optional() }),
]);
export type EngineToHost = z.infer<typeof EngineToHost>;
