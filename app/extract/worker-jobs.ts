// The worker side of ExtractorPool: the messages both sides exchange, and the loop that serves
// jobs. worker.ts serves them with extractBytes; tests serve them with readers that misbehave.
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { readFileForExtraction, sizeLimit } from './read-file.ts';
import { failed, shortMessage } from './results.ts';
import type { ChildInput, ExtractInput, ExtractResult, FileExtraction } from './types.ts';

export type JobRequest =
  | { id: number; type: 'file'; path: string; maxBytes: number }
  | { id: number; type: 'child'; child: ChildInput; maxBytes: number };

/** 'read' comes first, once the bytes are in, so a job that then times out still has its hash. */
export type JobMessage =
  | { id: number; type: 'read'; hash: string; size: number }
  | { id: number; type: 'done'; result: FileExtraction };

export type Extract = (input: ExtractInput) => Promise<ExtractResult>;

export function serveExtractJobs(extract: Extract): void {
  const port = parentPort;
  if (!port) throw new Error('serveExtractJobs runs in a worker thread');
  port.on('message', (job: JobRequest) => {
    void runJob(job, extract, (message) => port.postMessage(message)).then((result) => {
      const transfer = result.ok ? transferChildren(result.doc.children) : [];
      port.postMessage({ id: job.id, type: 'done', result } satisfies JobMessage, transfer);
    });
  });
}

async function runJob(job: JobRequest, extract: Extract, post: (message: JobMessage) => void): Promise<FileExtraction> {
  let input: ExtractInput;
  if (job.type === 'file') {
    const read = await readFileForExtraction(job.path, job.maxBytes);
    if ('result' in read) return { ...read.result, hash: null, size: read.size };
    input = { bytes: read.bytes, name: job.path };
  } else {
    const limit = sizeLimit(job.child.bytes.byteLength, job.maxBytes);
    if (limit) return { ...limit, hash: null, size: job.child.bytes.byteLength };
    input = { bytes: job.child.bytes, name: job.child.name, ...(job.child.mime ? { mime: job.child.mime } : {}) };
  }
  const hash = createHash('sha256').update(input.bytes).digest('hex');
  const size = input.bytes.byteLength;
  post({ id: job.id, type: 'read', hash, size });
  try {
    return { ...(await extract(input)), hash, size };
  } catch (error) {
    return { ...failed('damaged', `Extraction failed: ${shortMessage(error)}`), hash, size };
  }
}

/**
 * Gives each child's bytes a buffer of its own and lists those buffers for transfer, so they move
 * to the other thread instead of being copied. Views into a larger or shared buffer (Node's Buffer
 * pool, a parser's input) are copied once here; whole buffers move as they are.
 */
export function transferChildren(children: ChildInput[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const child of children) {
    const { bytes } = child;
    const whole = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    if (!whole || buffers.has(bytes.buffer as ArrayBuffer)) child.bytes = new Uint8Array(bytes);
    buffers.add(child.bytes.buffer as ArrayBuffer);
  }
  return [...buffers];
}
