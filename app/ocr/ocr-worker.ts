// OcrWorker: the engine's side of the OCR worker thread. One page at a time, each with a time
// limit: a page that takes too long (or a renderer that crashes) costs only that page; the thread
// is ended and the next page starts a fresh one. Idle, the thread holds Tesseract's languages in
// memory (a few hundred MB): close() lets them go.
import { Worker } from 'node:worker_threads';
import type { OcrRequest, OcrResponse } from './protocol.ts';

export type OcrOutcome = OcrResponse extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class OcrWorker {
  readonly #script: URL;
  #worker: Worker | null = null;
  #nextId = 1;

  constructor(options: { workerScript?: URL } = {}) {
    this.#script = options.workerScript ?? new URL('./worker.ts', import.meta.url);
  }

  /** Renders and reads one page. Never rejects: a failure is an outcome with a reason. */
  readPage(request: Omit<OcrRequest, 'id'>, timeoutMs: number): Promise<OcrOutcome> {
    const worker = (this.#worker ??= new Worker(this.#script));
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const finish = (outcome: OcrOutcome, retire: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (retire) this.#retire(worker);
        resolve(outcome);
      };
      const onMessage = (response: OcrResponse) => {
        if (response.id !== id) return;
        const { id: _, ...outcome } = response;
        finish(outcome as OcrOutcome, false);
      };
      const onError = (error: Error) => finish({ ok: false, code: 'failed', reason: `OCR crashed: ${error.message.split('\n', 1)[0]}` }, true);
      const onExit = (code: number) => finish({ ok: false, code: 'failed', reason: `OCR stopped unexpectedly (exit code ${code})` }, true);
      const timer = setTimeout(() => finish({ ok: false, code: 'timeout', reason: `OCR of the page took longer than ${Math.round(timeoutMs / 1000)} s and was stopped` }, true), timeoutMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ id, ...request } satisfies OcrRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    await worker?.terminate();
  }

  #retire(worker: Worker): void {
    if (this.#worker === worker) this.#worker = null;
    void worker.terminate();
  }
}
