// ExtractorPool: runs the readers in worker threads, so extraction never blocks the engine's
// thread and a reader that hangs or blows up is stopped (the worker is terminated and replaced)
// and costs only its own file.
import { Worker } from 'node:worker_threads';
import { CairnError } from '../contract/index.ts';
import { failed, shortMessage } from './results.ts';
import { defaultExtractLimits, type ChildInput, type ExtractLimits, type ExtractResult, type FileExtraction } from './types.ts';
import { transferChildren, type JobMessage, type JobRequest } from './worker-jobs.ts';

export interface ExtractorPoolOptions {
  /** Worker threads, and so files extracted at once (default 1). */
  workers?: number;
  limits?: Partial<ExtractLimits>;
  /** Heap limit of each worker; a reader that needs more fails with 'damaged' (default 2048 MB). */
  memoryLimitMb?: number;
  /** Tests only: a worker entry to run instead of ./worker.ts, to make readers hang or crash. */
  workerScript?: URL;
}

type Job = { type: 'file'; path: string } | { type: 'child'; child: ChildInput };

interface Pending {
  job: Job;
  resolve: (result: FileExtraction) => void;
  reject: (error: Error) => void;
}

interface Running extends Pending {
  id: number;
  timer: NodeJS.Timeout;
  hash: string | null;
  size: number;
}

interface Slot {
  worker: Worker;
  running: Running | null;
}

export class ExtractorPool {
  readonly #limits: ExtractLimits;
  readonly #workers: number;
  readonly #memoryLimitMb: number;
  readonly #script: URL;
  #slots: Slot[] = [];
  #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: ExtractorPoolOptions = {}) {
    this.#limits = { ...defaultExtractLimits, ...options.limits };
    this.#workers = Math.max(1, Math.floor(options.workers ?? 1));
    this.#memoryLimitMb = options.memoryLimitMb ?? 2048;
    this.#script = options.workerScript ?? new URL('./worker.ts', import.meta.url);
  }

  /** Reads and extracts a file in a worker. Rejects only once the pool is closed. */
  extractFile(path: string): Promise<FileExtraction> {
    return this.#submit({ type: 'file', path });
  }

  /**
   * Extracts a child document (attachment, mbox message) in a worker. Bytes that fill a buffer of
   * their own are moved to the worker, not copied, leaving `child.bytes` empty: read what you need
   * from them first (the result's `size` and `hash` describe them).
   */
  extractChild(child: ChildInput): Promise<FileExtraction> {
    if (child.problem) return Promise.resolve({ ok: false, ...child.problem, hash: null, size: 0 });
    return this.#submit({ type: 'child', child: { ...child } });
  }

  /** Stops all workers; jobs still queued or running reject with CairnError 'extract-pool-closed'. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = new CairnError('extract-pool-closed', 'The extractor pool was closed');
    for (const pending of this.#queue.splice(0)) pending.reject(error);
    const slots = this.#slots.splice(0);
    for (const slot of slots) {
      if (slot.running) {
        clearTimeout(slot.running.timer);
        slot.running.reject(error);
        slot.running = null;
      }
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #submit(job: Job): Promise<FileExtraction> {
    if (this.#closed) return Promise.reject(new CairnError('extract-pool-closed', 'The extractor pool is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      let slot = this.#slots.find((s) => s.running === null);
      if (!slot && this.#slots.length < this.#workers) slot = this.#startWorker();
      if (!slot) return;
      this.#run(slot, this.#queue.shift()!);
    }
  }

  #run(slot: Slot, pending: Pending): void {
    const id = this.#nextId++;
    const timer = setTimeout(() => this.#timedOut(slot), this.#limits.timeoutMs);
    slot.running = { ...pending, id, timer, hash: null, size: 0 };
    slot.worker.ref();
    const { maxBytes } = this.#limits;
    try {
      if (pending.job.type === 'file') {
        slot.worker.postMessage({ id, type: 'file', path: pending.job.path, maxBytes } satisfies JobRequest);
      } else {
        const child = pending.job.child;
        const transfer = transferChildren([child]);
        slot.worker.postMessage({ id, type: 'child', child, maxBytes } satisfies JobRequest, transfer);
      }
    } catch (error) {
      // The job could not be sent (e.g. bytes that cannot be cloned); the worker is still fine.
      clearTimeout(timer);
      slot.running = null;
      slot.worker.unref();
      pending.resolve({ ...failed('unreadable', `Could not hand the file to a worker: ${shortMessage(error)}`), hash: null, size: 0 });
    }
  }

  #startWorker(): Slot {
    const worker = new Worker(this.#script, { resourceLimits: { maxOldGenerationSizeMb: this.#memoryLimitMb } });
    const slot: Slot = { worker, running: null };
    worker.on('message', (message: JobMessage) => this.#message(slot, message));
    worker.on('error', (error: Error & { code?: string }) => {
      const reason = error.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `Extraction ran out of memory (limit ${this.#memoryLimitMb} MB)`
        : `Extraction crashed: ${shortMessage(error)}`;
      this.#lose(slot, failed('damaged', reason));
    });
    worker.on('messageerror', (error) => this.#lose(slot, failed('damaged', `Extraction result was unreadable: ${shortMessage(error)}`)));
    worker.on('exit', (code) => this.#lose(slot, failed('damaged', `Extraction stopped unexpectedly (exit code ${code})`)));
    worker.unref(); // an idle pool does not keep the process alive; a running job does (#run)
    this.#slots.push(slot);
    return slot;
  }

  #message(slot: Slot, message: JobMessage): void {
    const running = slot.running;
    if (!running || running.id !== message.id) return;
    if (message.type === 'read') {
      running.hash = message.hash;
      running.size = message.size;
      return;
    }
    clearTimeout(running.timer);
    slot.running = null;
    slot.worker.unref();
    running.resolve(message.result);
    this.#pump();
  }

  #timedOut(slot: Slot): void {
    this.#lose(slot, failed('timeout', `Extraction took longer than ${formatDuration(this.#limits.timeoutMs)} and was stopped`));
  }

  /** Retires a worker that crashed, hung or quit, settling its job with `result`; the next job starts a fresh one. */
  #lose(slot: Slot, result: ExtractResult): void {
    const index = this.#slots.indexOf(slot);
    if (index === -1) return; // already retired (terminate() also fires 'exit')
    this.#slots.splice(index, 1);
    void slot.worker.terminate();
    const running = slot.running;
    slot.running = null;
    if (running) {
      clearTimeout(running.timer);
      running.resolve({ ...result, hash: running.hash, size: running.size });
    }
    this.#pump();
  }
}

function formatDuration(ms: number): string {
  return ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
