// The engine process, from main: started in a utilityProcess (so that indexing and answers never
// block a window), handed one MessagePort for each window and one for main itself, restarted when
// it dies, and stopped cleanly when the app quits. Nothing queued is lost by a restart: the job
// queue is in the library, and the next engine resumes it by itself.
//
// The protocol is the contract's HostToEngine / EngineToHost (app/contract/wire.ts; see
// main/README.md). Electron stays outside: `fork` and `newChannel` are given (utilityProcess and
// MessageChannelMain in the app, fakes in tests).
import type { ErrorBody } from '../app/contract/errors.ts';
import type { EngineStateEvent } from '../app/contract/events.ts';
import { EngineToHost, type HostToEngine, type WireEvent } from '../app/contract/wire.ts';

/** What the engine process says it is to other processes: `cairn watch` is refused naming it while the app runs. */
export const APP_DESCRIPTION = 'the Cairn app';

/**
 * The engine process's arguments (app/service/engine-process.ts): it watches the library as the
 * app, and asks main for secrets (`secretsDescription` says where main keeps them, for people).
 * The library is the default one (or $CAIRN_DB), as for the `cairn` command.
 */
export function engineArgs(options: { secretsDescription: string; dbPath?: string }): string[] {
  return [...(options.dbPath ? ['--db', options.dbPath] : []), '--description', APP_DESCRIPTION, '--host-secrets', options.secretsDescription];
}

/** What the host needs of a utilityProcess. */
export interface EngineProcess<P> {
  postMessage(message: HostToEngine, transfer?: P[]): void;
  kill(): boolean;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/** Something that talks to the engine: a window (through its preload), or main itself. */
export interface EngineTarget<P> {
  /** A port to the engine just started (the first, or one after a restart). */
  attach(port: P): void;
  /** An `engine` event from main (stopped, ready again, failed). */
  notify(message: WireEvent): void;
}

/** Where the engine's secrets are kept (main's safeStorage store). */
export interface SecretKeeper {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface EngineHostOptions<P> {
  /** Starts an engine process (utilityProcess.fork of dist/engine.js with its arguments). */
  fork(): EngineProcess<P>;
  newChannel(): { port1: P; port2: P };
  /** Answers the engine's `secret` requests (the engine is started with --host-secrets). */
  secrets?: SecretKeeper;
  /** Wait before the n-th restart in a row (1-based). Default: at once, then 1 s, 3 s, 10 s. */
  restartDelayMs?: (attempt: number) => number;
  /** Gives up after this many unexpected exits within `crashWindowMs` (default 5 in 2 minutes). */
  maxCrashes?: number;
  crashWindowMs?: number;
  now?: () => number;
  /** Told once when the engine will not run: it could not open the library, or kept stopping. */
  onFailed?: (reason: string) => void;
}

type State = 'idle' | 'starting' | 'ready' | 'restarting' | 'failed' | 'stopping' | 'stopped';

const DELAYS = [0, 1000, 3000, 10_000];

export class EngineHost<P> {
  readonly #options: EngineHostOptions<P>;
  readonly #targets = new Set<EngineTarget<P>>();
  #child: EngineProcess<P> | null = null;
  #state: State = 'idle';
  #restarts = 0;
  #crashes: number[] = [];
  #failedReason: string | null = null;
  #restartTimer: NodeJS.Timeout | null = null;
  #stopped: (() => void) | null = null;

  constructor(options: EngineHostOptions<P>) {
    this.#options = options;
  }

  get state(): State {
    return this.#state;
  }

  /** How many times the engine was restarted after dying. */
  get restarts(): number {
    return this.#restarts;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#spawn();
  }

  /**
   * Connects a window or main itself: it gets a port now (when an engine runs) and a new one
   * after every restart. Connecting again (a reloaded page) hands a fresh port. Returns a function
   * that disconnects.
   */
  connect(target: EngineTarget<P>): () => void {
    this.#targets.add(target);
    if (this.#child && (this.#state === 'starting' || this.#state === 'ready')) this.#handPort(this.#child, target);
    else if (this.#state === 'failed') target.notify(this.#event('failed', this.#failedReason));
    return () => {
      this.#targets.delete(target);
    };
  }

  /**
   * Asks the engine to stop (answers kept, downloads resumable, the library closed) and waits for
   * it to exit; kills it after `timeoutMs`. Nothing is restarted afterwards.
   */
  async shutdown(timeoutMs = 10_000): Promise<void> {
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
    const child = this.#child;
    if (!child || this.#state === 'stopping' || this.#state === 'stopped') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    const exited = new Promise<void>((resolve) => (this.#stopped = resolve));
    try {
      child.postMessage({ type: 'shutdown' });
    } catch {
      // Gone already: its exit is on its way.
    }
    const timer = setTimeout(() => child.kill(), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  #spawn(): void {
    this.#state = this.#restarts > 0 ? 'restarting' : 'starting';
    const child = this.#options.fork();
    this.#child = child;
    child.on('message', (message) => this.#fromEngine(child, message));
    child.on('exit', (code) => this.#exited(child, code));
    for (const target of this.#targets) this.#handPort(child, target);
  }

  #handPort(child: EngineProcess<P>, target: EngineTarget<P>): void {
    const { port1, port2 } = this.#options.newChannel();
    try {
      child.postMessage({ type: 'connect' }, [port1]);
    } catch {
      return; // the process is gone: its exit hands out new ports
    }
    target.attach(port2);
  }

  #fromEngine(child: EngineProcess<P>, raw: unknown): void {
    if (child !== this.#child) return;
    const parsed = EngineToHost.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    switch (message.type) {
      case 'ready': {
        if (this.#state !== 'starting' && this.#state !== 'restarting') break; // already asked to stop
        const again = this.#state === 'restarting';
        this.#state = 'ready';
        if (again) this.#notifyAll(this.#event('ready', null));
        break;
      }
      case 'failed':
        // The library cannot be opened (damaged, not a library, no permission): restarting would not help.
        this.#fail(message.error.message);
        break;
      case 'stopped':
        break; // its exit follows
      case 'secret':
        void this.#answerSecret(child, message);
        break;
    }
  }

  async #answerSecret(child: EngineProcess<P>, request: Extract<EngineToHost, { type: 'secret' }>): Promise<void> {
    let value: string | null = null;
    let error: ErrorBody | null = null;
    const secrets = this.#options.secrets;
    try {
      if (!secrets) throw new Error('The desktop app keeps no secrets for the engine.');
      if (request.op === 'get') value = await secrets.get(request.key);
      else if (request.op === 'set') await secrets.set(request.key, request.value ?? '');
      else await secrets.delete(request.key);
    } catch (failure) {
      error = { code: 'secret-store', message: `The secret could not be ${request.op === 'get' ? 'read' : request.op === 'set' ? 'stored' : 'deleted'}: ${(failure as Error).message}` };
    }
    if (child !== this.#child) return;
    try {
      child.postMessage({ type: 'secret-result', id: request.id, value, error });
    } catch {
      // It died meanwhile; the next engine asks again.
    }
  }

  #exited(child: EngineProcess<P>, code: number): void {
    if (child !== this.#child) return;
    this.#child = null;
    if (this.#state === 'stopping') {
      this.#state = 'stopped';
      this.#stopped?.();
      return;
    }
    if (this.#state === 'failed') return;
    const now = (this.#options.now ?? Date.now)();
    const windowMs = this.#options.crashWindowMs ?? 120_000;
    this.#crashes = [...this.#crashes.filter((t) => now - t < windowMs), now];
    const why = `The engine process exited unexpectedly (code ${code}).`;
    const maxCrashes = this.#options.maxCrashes ?? 5;
    if (this.#crashes.length >= maxCrashes) {
      this.#fail(`${why} It stopped ${this.#crashes.length} times in ${Math.round(windowMs / 60_000)} minutes and is not restarted again: quit Cairn and start it again; \`cairn doctor\` checks the library.`);
      return;
    }
    this.#restarts++;
    this.#state = 'restarting';
    this.#notifyAll(this.#event('stopped', `${why} Restarting it.`));
    const attempt = this.#crashes.length;
    const delay = this.#options.restartDelayMs?.(attempt) ?? DELAYS[Math.min(attempt, DELAYS.length) - 1] ?? 0;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (this.#state === 'restarting') this.#spawn();
    }, delay);
  }

  #fail(reason: string): void {
    if (this.#state === 'failed') return;
    this.#state = 'failed';
    this.#failedReason = reason;
    this.#notifyAll(this.#event('failed', reason));
    this.#options.onFailed?.(reason);
  }

  #event(state: EngineStateEvent['state'], reason: string | null): WireEvent {
    return { type: 'event', event: { type: 'engine', state, restarts: this.#restarts, reason } };
  }

  #notifyAll(message: WireEvent): void {
    for (const target of this.#targets) {
      try {
        target.notify(message);
      } catch {
        // A window closing meanwhile.
      }
    }
  }
}
