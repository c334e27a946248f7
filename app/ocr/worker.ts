// Entry point of the OCR worker thread: renders a page of a document and reads it with Tesseract.
// The document (and Tesseract with its languages) stays loaded between pages of the same file.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { PageSource } from './page-image.ts';
import { TesseractReader } from './recognize.ts';
import type { OcrRequest, OcrResponse } from './protocol.ts';

const tesseract = new TesseractReader();
let open: { hash: string; source: PageSource } | null = null;

async function serve(request: OcrRequest): Promise<OcrResponse> {
  const started = performance.now();
  try {
    if (open?.hash !== request.hash) {
      await open?.source.close();
      open = null;
      const bytes = 'path' in request.source ? new Uint8Array(await readFile(request.source.path)) : request.source.bytes;
      // A file that changed since it was indexed is not read: its new content gets its own job.
      if (createHash('sha256').update(bytes).digest('hex') !== request.hash) {
        return { id: request.id, ok: false, code: 'changed', reason: 'The file changed since it was indexed' };
      }
      open = { hash: request.hash, source: new PageSource(bytes) };
    }
    const image = await open.source.page(request.page);
    const text = await tesseract.read(image.png, request.languages);
    return { id: request.id, ok: true, result: { ...text, width: image.width, height: image.height, ms: Math.round(performance.now() - started) } };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { id: request.id, ok: false, code: 'changed', reason: 'The file is gone' };
    return { id: request.id, ok: false, code: 'failed', reason: `The page could not be read: ${(error as Error).message?.split('\n', 1)[0] ?? String(error)}` };
  }
}

parentPort!.on('message', (request: OcrRequest) => {
  void serve(request).then((response) => parentPort!.postMessage(response));
});
