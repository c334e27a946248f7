// Downloads one GGUF file with node-llama-cpp's downloader (ipull: parallel ranged requests,
// resumable from its ".ipull" progress file), wrapped so that every way it can go wrong ends in a
// clear error instead of a long silent retry loop, and nothing unchecked is handed on.
//
// What the wrapper adds, and why (each found by trying the downloader against a local server):
// - a first request of its own: createModelDownloader cannot be cancelled and, on a refused
//   connection, retries for minutes (ipull: 150 tries, up to 5 s apart) before failing; the
//   probe turns a dead server, a 404 or a refused login into an error at once, and learns the
//   server's length for the size check;
// - a stall watchdog: on a dropped connection ipull retries the same way, so a download that
//   stops moving for stallTimeoutMs is cancelled, its progress file kept for a later resume;
// - a signal check after download(): when aborted, ModelDownloader.download() returns the path
//   as if done instead of throwing;
// - our own speed and ETA over the last seconds (ipull's average starts near zero and lags);
// - a size check against the server's length and a GGUF check at the end.
// Resuming is at ipull's granularity: whole 5 MB chunks; a chunk cut half way is fetched again.
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createModelDownloader } from 'node-llama-cpp';
import { CairnError, type DownloadProgress } from '../contract/index.ts';
import { checkGgufFile } from './gguf-file.ts';

export interface DownloadRequest {
  url: string;
  /** Directory the file is downloaded into (with its ".ipull" progress file while incomplete). */
  dir: string;
  fileName: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Cancel when no byte arrives for this long, in ms. Default 60 s. */
  stallTimeoutMs?: number;
  /** Extra request headers, e.g. an Authorization for gated repositories. */
  headers?: Record<string, string>;
}

/** The suffix of ipull's progress file beside an unfinished download. */
export const PROGRESS_SUFFIX = '.ipull';

/** Downloads, checks and returns the path of a whole GGUF file in `dir`. Errors are CairnErrors. */
export async function downloadGguf(request: DownloadRequest): Promise<{ path: string; sizeBytes: number }> {
  const { url, dir, fileName, signal } = request;
  const stallTimeoutMs = request.stallTimeoutMs ?? 60_000;
  const emit = (fields: Omit<DownloadProgress, 'type' | 'file'>) => request.onProgress?.({ type: 'model-download', file: fileName, ...fields });
  const cancelled = () => new CairnError('download-cancelled', `The download of ${fileName} was cancelled; pulling it again resumes it`);
  if (signal?.aborted) throw cancelled();

  emit({ receivedBytes: 0, totalBytes: null, bytesPerSecond: 0, etaSeconds: null, phase: 'connecting' });
  const serverLength = await probe(url, request.headers ?? {}, signal, Math.min(stallTimeoutMs, 30_000));

  const meter = new SpeedMeter();
  const controller = new AbortController();
  let stalled = false;
  let lastBytes = -1;
  let lastMoved = performance.now();
  const path = join(dir, fileName);
  let downloader: Awaited<ReturnType<typeof createModelDownloader>>;
  try {
    downloader = await createModelDownloader({
      modelUri: url,
      dirPath: dir,
      fileName,
      headers: request.headers ?? {},
      // Kept on cancel: the next pull of the same file resumes from it.
      deleteTempFileOnCancel: false,
      onProgress: ({ downloadedSize, totalSize }) => {
        const total = totalSize > 0 ? totalSize : serverLength;
        const speed = meter.add(downloadedSize);
        const eta = total !== null && speed > 0 ? Math.max(0, (total - downloadedSize) / speed) : null;
        emit({ receivedBytes: downloadedSize, totalBytes: total, bytesPerSecond: speed, etaSeconds: eta, phase: 'downloading' });
      },
    });
  } catch (error) {
    throw new CairnError('download-failed', `Cannot start the download of ${fileName} from ${url}: ${errorMessage(error)}`, { cause: error });
  }

  // The watchdog judges progress by the most bytes ever received: a retry that fetches a cut
  // chunk again from its start, only to be cut at the same place, is not progress.
  const watchdog = setInterval(() => {
    const now = downloader.downloadedSize;
    if (now > lastBytes) {
      lastBytes = now;
      lastMoved = performance.now();
    } else if (performance.now() - lastMoved >= stallTimeoutMs) {
      stalled = true;
      controller.abort();
    }
  }, Math.max(50, Math.min(1000, stallTimeoutMs / 4)));
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await downloader.download({ signal: controller.signal });
  } catch (error) {
    if (!controller.signal.aborted) throw new CairnError('download-failed', `The download of ${fileName} from ${url} failed: ${errorMessage(error)}`, { cause: error });
  } finally {
    clearInterval(watchdog);
    signal?.removeEventListener('abort', onAbort);
  }
  if (controller.signal.aborted) {
    await downloader.cancel({ deleteTempFile: false }).catch(() => {});
    if (stalled) {
      throw new CairnError(
        'download-stalled',
        `The download of ${fileName} stopped: nothing arrived from ${new URL(url).host} for ${Math.round(stallTimeoutMs / 1000)} s. Pulling it again resumes it.`,
      );
    }
    throw cancelled();
  }

  emit({ receivedBytes: downloader.downloadedSize, totalBytes: serverLength, bytesPerSecond: meter.speed(), etaSeconds: 0, phase: 'verifying' });
  let sizeBytes: number;
  try {
    sizeBytes = (await stat(path)).size;
  } catch (error) {
    throw new CairnError('download-failed', `The download of ${fileName} finished but left no file: ${errorMessage(error)}`, { cause: error });
  }
  if (serverLength !== null && sizeBytes !== serverLength) {
    await rm(path, { force: true });
    throw new CairnError('download-size-mismatch', `The download of ${fileName} has ${sizeBytes} bytes but the server announced ${serverLength}; it was deleted`);
  }
  const check = await checkGgufFile(path);
  if (!check.ok) {
    await rm(path, { force: true });
    const code = check.architecture === null && check.problem.startsWith('not a GGUF') ? 'download-not-gguf' : 'download-corrupt';
    throw new CairnError(code, `${url} did not give a whole GGUF model (${check.problem}); the download was deleted`);
  }
  emit({ receivedBytes: sizeBytes, totalBytes: sizeBytes, bytesPerSecond: meter.speed(), etaSeconds: 0, phase: 'done' });
  return { path, sizeBytes };
}

/**
 * One request before the download: fails fast and clearly where the downloader would retry for
 * minutes, and returns the server's length (null if it does not say). HEAD first; servers that
 * refuse HEAD get a one-byte ranged GET.
 */
async function probe(url: string, headers: Record<string, string>, signal: AbortSignal | undefined, timeoutMs: number): Promise<number | null> {
  const host = new URL(url).host;
  const ask = async (method: 'HEAD' | 'GET') => {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(url, {
        method,
        headers: { ...headers, ...(method === 'GET' ? { range: 'bytes=0-0' } : {}) },
        redirect: 'follow',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      await response.body?.cancel();
      return response;
    } catch (error) {
      if (signal?.aborted) throw new CairnError('download-cancelled', `The download from ${url} was cancelled`);
      if (timeout.aborted) throw new CairnError('download-unreachable', `${host} did not answer within ${Math.round(timeoutMs / 1000)} s`, { cause: error });
      throw new CairnError('download-unreachable', `Cannot reach ${host}: ${networkReason(error)}`, { cause: error });
    }
  };
  let response = await ask('HEAD');
  if (response.status === 405 || response.status === 501) response = await ask('GET');
  if (response.status === 404 || response.status === 410) throw new CairnError('download-not-found', `There is no file at ${url} (HTTP ${response.status})`);
  if (response.status === 401 || response.status === 403) {
    throw new CairnError('download-forbidden', `${host} refused the download (HTTP ${response.status}): the repository may be gated and need you to accept its licence and sign in`);
  }
  if (!response.ok) throw new CairnError('download-failed', `${host} answered HTTP ${response.status} for ${url}`);
  const range = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
  if (range) return Number(range[1]);
  const length = Number(response.headers.get('content-length'));
  return response.status === 200 && Number.isFinite(length) && length > 0 ? length : null;
}

/** Bytes per second over about the last five seconds. */
class SpeedMeter {
  readonly #samples: { at: number; bytes: number }[] = [];

  add(bytes: number): number {
    const at = performance.now();
    this.#samples.push({ at, bytes });
    while (this.#samples.length > 2 && at - this.#samples[0]!.at > 5000) this.#samples.shift();
    return this.speed();
  }

  speed(): number {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last.at - first.at < 200) return 0;
    return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.at - first.at));
  }
}

/** undici's "fetch failed" says nothing; the cause has the system error code. */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause instanceof Error && 'code' in cause ? String(cause.code) : undefined;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found (are you offline?)';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was closed';
  if (cause instanceof Error) return cause.message;
  return errorMessage(error);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
