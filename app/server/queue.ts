// One request at a time per model, in order of arrival, with a bounded line: a local model runs
// one generation at a time anyway, and a client that floods the server is told to come back
// (429 with Retry-After) instead of piling up work no one may still be waiting for. A place in
// line is taken at once, so that a streamed answer can start (headers, keep-alives) while it waits.
import { HttpError } from './http.ts';

/** A place in line: `turn` resolves when it is this request's turn (or rejects when its signal aborts first). */
export interface QueuePlace {
  readonly turn: Promise<void>;
  /** Ends the turn (the next request goes), or leaves the line before it came. Idempotent. */
  release(): void;
}

export class ModelQueue {
  /** Requests allowed to wait while one runs. */
  readonly maxWaiting: number;
  /** What Retry-After says when the line is full, in seconds. */
  readonly retryAfterSeconds: number;
  private readonly what: string;
  private busy = false;
  private readonly waiting: Array<() => void> = [];

  constructor(what: string, options: { maxWaiting: number; retryAfterSeconds?: number }) {
    this.what = what;
    this.maxWaiting = options.maxWaiting;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }

  /** Requests running or waiting. */
  get size(): number {
    return (this.busy ? 1 : 0) + this.waiting.length;
  }

  /** Takes a place in line now: HttpError 429 when the line is full, the signal's reason when it has aborted. */
  join(signal: AbortSignal): QueuePlace {
    signal.throwIfAborted();
    if (this.busy && this.waiting.length >= this.maxWaiting) {
      throw new HttpError(429, 'model_busy', `The ${this.what} is busy with other requests (${this.size} running or waiting). Try again shortly.`, {
        headers: { 'Retry-After': String(this.retryAfterSeconds) },
      });
    }
    let state: 'waiting' | 'running' | 'done' = 'waiting';
    let started!: () => void;
    let failed!: (reason: unknown) => void;
    const turn = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    turn.catch(() => {}); // a place given up before its turn is not an unhandled rejection
    const leave = () => {
      const at = this.waiting.indexOf(start);
      if (at >= 0) this.waiting.splice(at, 1);
      signal.removeEventListener('abort', onAbort);
      state = 'done';
    };
    const start = () => {
      signal.removeEventListener('abort', onAbort);
      state = 'running';
      started();
    };
    const onAbort = () => {
      if (state !== 'waiting') return;
      leave();
      failed(signal.reason);
    };
    if (this.busy) {
      this.waiting.push(start);
      signal.addEventListener('abort', onAbort, { once: true });
    } else {
      this.busy = true;
      start();
    }
    return {
      turn,
      release: () => {
        if (state === 'waiting') leave();
        if (state !== 'running') return;
        state = 'done';
        const next = this.waiting.shift();
        if (next) next();
        else this.busy = false;
      },
    };
  }

  /**
   * Runs `job` when it is this request's turn. Throws HttpError 429 when the line is full, and
   * the signal's reason when it aborts while waiting (the request then never runs).
   */
  async run<T>(signal: AbortSignal, job: () => Promise<T>): Promise<T> {
    const place = this.join(signal);
    try {
      await place.turn;
      return await job();
    } finally {
      place.release();
    }
  }
}
