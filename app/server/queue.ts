// One request at a time per model, in order of arrival, with a bounded line: a local model runs
// one generation at a time anyway, and a client that floods the server is told to come back
// (429 with Retry-After) instead of piling up work no one may still be waiting for.
import { HttpError } from './http.ts';

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

  /**
   * Runs `job` when it is this request's turn. Throws HttpError 429 when the line is full, and
   * the signal's reason when it aborts while waiting (the request then never runs).
   */
  async run<T>(signal: AbortSignal, job: () => Promise<T>): Promise<T> {
    signal.throwIfAborted();
    if (this.busy) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new HttpError(429, 'model_busy', `The ${this.what} is busy with other requests (${this.size} running or waiting). Try again shortly.`, {
          headers: { 'Retry-After': String(this.retryAfterSeconds) },
        });
      }
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal.removeEventListener('abort', leave);
          resolve();
        };
        const leave = () => {
          const at = this.waiting.indexOf(turn);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(signal.reason);
        };
        this.waiting.push(turn);
        signal.addEventListener('abort', leave, { once: true });
      });
    }
    this.busy = true;
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy = false;
    }
  }
}
