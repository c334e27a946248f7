// The keyword thread: BM25 top-k on a worker thread with its own read-only connection to the
// library (keyword-worker.ts), so that a hybrid search ranks by keywords while the engine's
// thread embeds the query and searches the vectors, and costs the slower of the two instead of
// their sum. It only ever helps: until it has started, and for good once it has failed (died,
// thrown, answered with an error), searches rank keywords on the engine's thread as before.
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SqlCondition } from '../store/index.ts';
import type { KeywordHit } from './keyword-search.ts';

export interface KeywordWorkerData {
  path: string;
}

export interface KeywordRequest {
  id: number;
  terms: string[];
  k: number;
  titleWeight: number;
  where?: SqlCondition;
}

export type KeywordReply =
  | { ready: true; warmUps: number }
  | { failed: string }
  | { id: number; ids: Float64Array; scores: Float64Array }
  | { id: number; error: string };

/** How long an answer of spareCore() holds (reading the load takes ~50 µs; the kernel updates it every 5 s). */
const LOAD_CHECKED_FOR_MS = 1_000;
let loadChecked = { at: -Infinity, spare: true };

/**
 * Whether the machine has a core to spare for a second thread now: its 1-minute load average is
 * below its number of cores. On a machine already busy, two threads each wait for a core and a
 * search waits for the later of them: then one thread is faster. (Windows reports no load.)
 */
export function spareCore(): boolean {
  const now = performance.now();
  if (now - loadChecked.at > LOAD_CHECKED_FOR_MS) loadChecked = { at: now, spare: loadavg()[0]! < availableParallelism() };
  return loadChecked.spare;
}

interface Pending {
  resolve: (hits: KeywordHit[]) => void;
  reject: (error: Error) => void;
}

export class KeywordThread {
  readonly #worker: Worker;
  readonly #onFailure: (reason: string) => void;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #ready = false;
  /** How many searches it made to warm up before it said it was ready (see keyword-worker.ts). */
  #warmUps = 0;
  #settle!: (ready: boolean) => void;
  /** Settles once it is ready (true) or will never be (false). */
  readonly started = new Promise<boolean>((resolve) => (this.#settle = resolve));
  /** Why it answers no more (failed or closed); null while it may. */
  #ended: string | null = null;

  /**
   * Starts the thread on the library at `path` (already open, so migrated, in this process).
   * `onFailure` hears once why it stopped answering, unless close() stopped it.
   */
  constructor(path: string, onFailure: (reason: string) => void, script = new URL('./keyword-worker.ts', import.meta.url)) {
    this.#onFailure = onFailure;
    this.#worker = new Worker(script, { workerData: { path } satisfies KeywordWorkerData });
    // Never what keeps the process alive, except while a search waits on it.
    this.#worker.unref();
    this.#worker.on('message', (reply: KeywordReply) => this.#receive(reply));
    this.#worker.on('error', (error) => this.#fail(`it threw ${error.message.split('\n', 1)[0]}`));
    this.#worker.on('messageerror', (error) => this.#fail(`a reply could not be read (${error.message})`));
    this.#worker.on('exit', (code) => this.#fail(`it exited (code ${code})`));
  }

  /** Whether it takes searches now: started, and not failed or closed. */
  get ready(): boolean {
    return this.#ready && this.#ended === null;
  }

  /** How many warm-up searches it made before it became ready (0 until then). */
  get warmUps(): number {
    return this.#warmUps;
  }

  /** Whether it will never take a search (failed or closed). */
  get ended(): boolean {
    return this.#ended !== null;
  }

  /** The best `k` chunks by BM25 as KeywordRanking.hits finds them; rejects if the thread fails meanwhile. */
  search(terms: string[], k: number, titleWeight: number, where?: SqlCondition): Promise<KeywordHit[]> {
    if (!this.ready) return Promise.reject(new Error(`The keyword thread is not ready: ${this.#ended ?? 'starting'}`));
    const id = this.#nextId++;
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, terms, k, titleWeight, ...(where ? { where } : {}) } satisfies KeywordRequest);
    });
  }

  async close(): Promise<void> {
    if (this.#ended === null) this.#end('closed');
    await this.#worker.terminate();
  }

  #receive(reply: KeywordReply): void {
    if ('ready' in reply) {
      this.#ready = true;
      this.#warmUps = reply.warmUps;
      this.#settle(true);
      return;
    }
    if ('failed' in reply) return this.#fail(`it could not open the library: ${reply.failed}`);
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if ('error' in reply) {
      pending.reject(new Error(reply.error));
      return this.#fail(`a search failed: ${reply.error}`);
    }
    const hits: KeywordHit[] = new Array(reply.ids.length);
    for (let i = 0; i < hits.length; i++) hits[i] = { chunkId: reply.ids[i]!, score: reply.scores[i]! };
    pending.resolve(hits);
  }

  #fail(reason: string): void {
    if (this.#ended !== null) return;
    this.#end(reason);
    void this.#worker.terminate();
    this.#onFailure(reason);
  }

  #end(reason: string): void {
    this.#ended = reason;
    this.#settle(false);
    this.#worker.unref();
    for (const pending of this.#pending.values()) pending.reject(new Error(`The keyword thread stopped: ${reason}`));
    this.#pending.clear();
  }
}
