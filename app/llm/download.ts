// Downloads one GGUF file over HTTP(S), resumable to the byte, and hands on only a whole,
// checked file.
//
// Why not node-llama-cpp's createModelDownloader (ipull), which was tried first against a local
// server: (1) cancelling while it retries a dropped connection does not stop it: download()
// never settles and requests go on in the background, still writing the progress file a later
// pull would resume from; (2) a refused connection or a dropped one is retried for minutes
// (150 tries, up to 5 s apart) before any error; (3) it resumes in whole 5 MB chunks. This is
// the small alternative: one connection, `Range: bytes=<have>-` with If-Range to resume, a few
// retries of its own, a watchdog for stalls, and errors that say what happened.
//
// While downloading, `<file>.part` holds the bytes and `<file>.part.json` where they came from
// (URL, length, validator), so a resume never splices bytes of a different file. The bytes are
// hashed (SHA-256) as they are written; a resume first hashes the part already on disk, so the
// hash is always the whole file's.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { CairnError, type DownloadProgress } from '../contract/index.ts';
import { checkGgufFile } from './gguf-file.ts';
import { networkReason } from '../net/index.ts';

export interface DownloadRequest {
  url: string;
  /** Directory the file is downloaded into (with its `.part` files while incomplete). */
  dir: string;
  fileName: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Give up when nothing arrives for this long, in ms (the part is kept). Default 60 s. */
  stallTimeoutMs?: number;
  /** Waits before each automatic resume after a dropped connection; its length is the number of retries. Default [1 s, 3 s, 10 s]. */
  retryDelaysMs?: number[];
  /** Extra request headers, e.g. an Authorization for gated repositories. */
  headers?: Record<string, string>;
}

/** Suffix of an unfinished download's data; its description has `.part.json`. */
export const PART_SUFFIX = '.part';

const PartInfo = z.object({ url: z.string(), totalBytes: z.number().nullable(), validator: z.string().nullable() });
type PartInfo = z.infer<typeof PartInfo>;

/** A whole, checked GGUF file in the download directory. */
export interface DownloadedFile {
  path: string;
  sizeBytes: number;
  /** SHA-256 of the whole file (lower-case hex). */
  sha256: string;
}

/** Downloads, checks and returns a whole GGUF file in `dir`. Errors are CairnErrors. */
export async function downloadGguf(request: DownloadRequest): Promise<DownloadedFile> {
  const { url, dir, fileName, signal } = request;
  const stallTimeoutMs = request.stallTimeoutMs ?? 60_000;
  const retryDelays = request.retryDelaysMs ?? [1000, 3000, 10_000];
  const partPath = join(dir, fileName + PART_SUFFIX);
  const infoPath = `${partPath}.json`;
  const finalPath = join(dir, fileName);
  const host = new URL(url).host;
  const meter = new SpeedMeter();
  let totalBytes: number | null = null;
  /** The part's hash, carried from one attempt to the next. */
  const hashed = new PartHash(partPath);
  const emit = (phase: DownloadProgress['phase'], receivedBytes: number) => {
    const bytesPerSecond = meter.speed();
    const etaSeconds = phase === 'downloading' ? (totalBytes !== null && bytesPerSecond > 0 ? Math.max(0, (totalBytes - receivedBytes) / bytesPerSecond) : null) : phase === 'connecting' ? null : 0;
    request.onProgress?.({ type: 'model-download', file: fileName, receivedBytes, totalBytes, bytesPerSecond, etaSeconds, phase });
  };

  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw cancelled(fileName);
    let have = await resumableBytes(partPath, infoPath, url);
    emit('connecting', have);
    const previous = have > 0 ? await readPartInfo(infoPath) : null;
    // A part left by an earlier pull (or an attempt cut mid-write) is hashed from disk, streaming.
    await hashed.of(have, signal).catch((error: unknown) => {
      throw signal?.aborted ? cancelled(fileName) : error;
    });

    // One controller per attempt, aborted by the caller, by the watchdog, or when done.
    const controller = new AbortController();
    let stalled = false;
    let watchdog: NodeJS.Timeout | undefined;
    const feedWatchdog = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        stalled = true;
        controller.abort();
      }, stallTimeoutMs);
    };
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    feedWatchdog();
    try {
      let response: Response;
      try {
        response = await fetch(url, {
          headers: {
            ...request.headers,
            ...(have > 0 ? { range: `bytes=${have}-`, ...(previous?.validator ? { 'if-range': previous.validator } : {}) } : {}),
          },
          redirect: 'follow',
          signal: controller.signal,
        });
      } catch (error) {
        if (signal?.aborted) throw cancelled(fileName);
        if (stalled) throw stalledError(fileName, host, stallTimeoutMs);
        throw new CairnError('download-unreachable', `Cannot reach ${host}: ${networkReason(error)}`, { cause: error });
      }
      feedWatchdog();

      if (response.status === 416 && have > 0 && previous?.totalBytes === have) {
        // The part was already whole (a crash before it was checked).
        await response.body?.cancel();
        totalBytes = have;
      } else {
        const start = await startingPoint(response, have, url, fileName);
        totalBytes = start.totalBytes;
        if (start.offset === 0 && have > 0) {
          // The server sent the whole file again.
          have = 0;
          await hashed.of(0);
        }
        const validator = response.headers.get('etag') ?? response.headers.get('last-modified');
        await writeFile(infoPath, JSON.stringify({ url, totalBytes, validator } satisfies PartInfo));
        emit('downloading', have);
        have = await receive(response, partPath, have, hashed, (received) => {
          feedWatchdog();
          meter.add(received);
          emit('downloading', received);
        });
      }
    } catch (error) {
      if (signal?.aborted) throw cancelled(fileName);
      if (stalled) throw stalledError(fileName, host, stallTimeoutMs);
      if (error instanceof CairnError) {
        if (error.code === 'download-failed' && have > 0) await discard(partPath, infoPath);
        throw error;
      }
      // The connection dropped mid-way: resume from what arrived, a few times, then give up (the part is kept).
      const delay = retryDelays[attempt];
      if (delay === undefined) {
        throw new CairnError('download-interrupted', `The download of ${fileName} from ${host} was cut off (${networkReason(error)}); pulling it again resumes it`, { cause: error });
      }
      await sleep(delay, undefined, signal ? { signal } : {}).catch(() => {});
      continue;
    } finally {
      clearTimeout(watchdog);
      signal?.removeEventListener('abort', onAbort);
    }

    // A whole response: check the length, then that it is a whole GGUF file.
    emit('verifying', have);
    const sizeBytes = (await stat(partPath)).size;
    await hashed.of(sizeBytes); // as it is, unless something else wrote to the part meanwhile
    if (totalBytes !== null && sizeBytes !== totalBytes) {
      await discard(partPath, infoPath);
      throw new CairnError('download-size-mismatch', `The download of ${fileName} has ${sizeBytes} bytes but the server announced ${totalBytes}; it was deleted`);
    }
    const check = await checkGgufFile(partPath);
    if (!check.ok) {
      await discard(partPath, infoPath);
      const code = check.problem.startsWith('not a GGUF') ? 'download-not-gguf' : 'download-corrupt';
      throw new CairnError(code, `${url} did not give a whole GGUF model (${check.problem}); the download was deleted`);
    }
    await rename(partPath, finalPath);
    await rm(infoPath, { force: true });
    emit('done', sizeBytes);
    return { path: finalPath, sizeBytes, sha256: hashed.digest() };
  }
}

/** Bytes of an earlier attempt that can be resumed: only if it was a download of the same URL. */
async function resumableBytes(partPath: string, infoPath: string, url: string): Promise<number> {
  const info = await readPartInfo(infoPath);
  let size = 0;
  try {
    size = (await stat(partPath)).size;
  } catch {
    // No part yet.
  }
  if (size > 0 && info?.url === url && (info.totalBytes === null || size <= info.totalBytes)) return size;
  await discard(partPath, infoPath);
  return 0;
}

/** Where an unfinished download came from and how long it will be (null if unreadable). */
export async function readPartInfo(infoPath: string): Promise<PartInfo | null> {
  try {
    const parsed = PartInfo.safeParse(JSON.parse(await readFile(infoPath, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Where the response's bytes go in the file, and the whole file's length; or why it cannot be used. */
async function startingPoint(response: Response, have: number, url: string, fileName: string): Promise<{ offset: number; totalBytes: number | null }> {
  const host = new URL(url).host;
  const fail = async (code: string, message: string) => {
    await response.body?.cancel();
    return new CairnError(code, message);
  };
  if (response.status === 404 || response.status === 410) throw await fail('download-not-found', `There is no file at ${url} (HTTP ${response.status})`);
  if (response.status === 401 || response.status === 403) {
    throw await fail('download-forbidden', `${host} refused the download of ${fileName} (HTTP ${response.status}): the repository may be gated and need you to accept its licence and sign in`);
  }
  if (response.status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
    if (!range || Number(range[1]) !== have) throw await fail('download-failed', `${host} answered the resume of ${fileName} with the wrong part (${response.headers.get('content-range') ?? 'no Content-Range'})`);
    return { offset: have, totalBytes: range[3] === '*' ? null : Number(range[3]) };
  }
  if (response.status === 416) {
    // The part on disk is longer than the file now is: it cannot be resumed.
    throw await fail('download-failed', `${host} no longer has the part of ${fileName} that was downloaded before; it was deleted, pull again to start over`);
  }
  if (response.status === 200) {
    const length = Number(response.headers.get('content-length'));
    return { offset: 0, totalBytes: Number.isFinite(length) && length > 0 && !response.headers.get('content-encoding') ? length : null };
  }
  throw await fail('download-failed', `${host} answered HTTP ${response.status} for ${url}`);
}

/** A running SHA-256 of the part's first `bytes` bytes. */
class PartHash {
  readonly #path: string;
  #hash = createHash('sha256');
  bytes = 0;

  constructor(path: string) {
    this.#path = path;
  }

  /** Makes this the hash of the part's first `bytes` bytes: kept when it already is, else read from disk as a stream (a part can be gigabytes). */
  async of(bytes: number, signal?: AbortSignal): Promise<void> {
    if (bytes === this.bytes) return;
    this.#hash = createHash('sha256');
    this.bytes = 0;
    if (bytes === 0) return;
    for await (const chunk of createReadStream(this.#path, { start: 0, end: bytes - 1, ...(signal ? { signal } : {}) })) this.add(chunk as Buffer);
  }

  add(bytes: Uint8Array): void {
    this.#hash.update(bytes);
    this.bytes += bytes.length;
  }

  digest(): string {
    return this.#hash.copy().digest('hex');
  }
}

/**
 * Writes the body at `from` onwards, adding each piece written to `hashed` (which must hold the
 * hash of the bytes before `from`); returns the bytes in the file when the body ends. Throws if the connection drops.
 */
async function receive(response: Response, partPath: string, from: number, hashed: PartHash, onBytes: (received: number) => void): Promise<number> {
  const file = await open(partPath, from === 0 ? 'w' : 'r+');
  let position = from;
  try {
    if (!response.body) return position;
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await file.write(value, 0, value.length, position);
        position += value.length;
        hashed.add(value);
        onBytes(position);
      }
    } finally {
      reader.releaseLock();
    }
    return position;
  } finally {
    await file.close();
  }
}

async function discard(partPath: string, infoPath: string): Promise<void> {
  await rm(partPath, { force: true });
  await rm(infoPath, { force: true });
}

function cancelled(fileName: string): CairnError {
  return new CairnError('download-cancelled', `The download of ${fileName} was cancelled; pulling it again resumes it`);
}

function stalledError(fileName: string, host: string, stallTimeoutMs: number): CairnError {
  return new CairnError('download-stalled', `The download of ${fileName} stopped: nothing arrived from ${host} for ${Math.round(stallTimeoutMs / 1000)} s. Pulling it again resumes it.`);
}

/** Bytes per second over about the last five seconds. */
class SpeedMeter {
  readonly #samples: { at: number; bytes: number }[] = [];

  add(bytes: number): void {
    const at = performance.now();
    this.#samples.push({ at, bytes });
    while (this.#samples.length > 2 && at - this.#samples[0]!.at > 5000) this.#samples.shift();
  }

  speed(): number {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last.at - first.at < 200) return 0;
    return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.at - first.at));
  }
}
