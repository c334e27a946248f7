// Fetches one web page for reading: manual redirects (counted, loops detected, http(s) only), a
// per-page timeout, a size cap past which reading stops, a content-type check, no cookies, and a
// plain User-Agent. Never throws: a page that cannot be read comes back with the reason.

export const USER_AGENT = 'Cairn/0.1 (+local assistant)';

export interface FetchLimits {
  /** Whole request, body included. */
  timeoutMs: number;
  /** Bytes read at most; an HTML or text page is read up to here, a PDF past it is skipped. */
  maxBytes: number;
  maxRedirects: number;
}

export const defaultFetchLimits: FetchLimits = { timeoutMs: 5_000, maxBytes: 2 * 1024 * 1024, maxRedirects: 5 };

export type PageFormat = 'html' | 'pdf' | 'text';

export type SkipCode = 'timeout' | 'deadline' | 'too-large' | 'redirects' | 'redirect-loop' | 'unsupported' | 'http-error' | 'unreachable' | 'bad-url' | 'no-text';

export type FetchedPage =
  | { ok: true; url: string; format: PageFormat; contentType: string; charset: string | null; bytes: Uint8Array; truncated: boolean }
  | { ok: false; url: string; code: SkipCode; reason: string };

const formats: Record<string, PageFormat> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/pdf': 'pdf',
  'text/plain': 'text',
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function httpUrl(raw: string, base?: string): URL | null {
  try {
    const url = new URL(raw, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** The page at `url`, read within the limits; `signal` is the caller's overall deadline. */
export async function fetchPage(url: string, limits: FetchLimits = defaultFetchLimits, signal?: AbortSignal): Promise<FetchedPage> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const seen = new Set<string>();
  let current = httpUrl(url);
  if (!current) return { ok: false, url, code: 'bad-url', reason: 'not an http(s) address' };
  try {
    for (let redirects = 0; ; redirects++) {
      seen.add(current.href);
      const response = await fetch(current, {
        redirect: 'manual',
        credentials: 'omit',
        signal: combined,
        headers: { 'User-Agent': USER_AGENT, Accept: 'text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8' },
      });
      if (REDIRECTS.has(response.status)) {
        await response.body?.cancel().catch(() => {});
        const next = httpUrl(response.headers.get('location') ?? '', current.href);
        if (!next) return { ok: false, url: current.href, code: 'bad-url', reason: `redirect to an address that is not http(s)` };
        if (seen.has(next.href)) return { ok: false, url: current.href, code: 'redirect-loop', reason: `redirect loop back to ${next.href}` };
        if (redirects + 1 > limits.maxRedirects) return { ok: false, url: current.href, code: 'redirects', reason: `more than ${limits.maxRedirects} redirects` };
        current = next;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        return { ok: false, url: current.href, code: 'http-error', reason: `HTTP ${response.status}` };
      }
      const header = response.headers.get('content-type') ?? '';
      const contentType = header.split(';', 1)[0]!.trim().toLowerCase();
      const charset = /;\s*charset\s*=\s*"?([\w.:-]+)/i.exec(header)?.[1] ?? null;
      const format = formats[contentType];
      if (!format) {
        await response.body?.cancel().catch(() => {});
        return { ok: false, url: current.href, code: 'unsupported', reason: `not a web page or PDF (${contentType || 'no content type'})` };
      }
      const declared = Number(response.headers.get('content-length'));
      if (format === 'pdf' && declared > limits.maxBytes) {
        await response.body?.cancel().catch(() => {});
        return { ok: false, url: current.href, code: 'too-large', reason: `PDF larger than ${megabytes(limits.maxBytes)}` };
      }
      const { bytes, truncated } = await readCapped(response, limits.maxBytes);
      if (truncated && format === 'pdf') return { ok: false, url: current.href, code: 'too-large', reason: `PDF larger than ${megabytes(limits.maxBytes)}` };
      return { ok: true, url: current.href, format, contentType, charset, bytes, truncated };
    }
  } catch (error) {
    const where = current.href;
    if (signal?.aborted) return { ok: false, url: where, code: 'deadline', reason: 'the overall web deadline passed before it was read' };
    if (timeout.aborted) return { ok: false, url: where, code: 'timeout', reason: `no complete answer within ${(limits.timeoutMs / 1000).toFixed(1)} s` };
    const cause = (error as { cause?: { code?: string } }).cause;
    return { ok: false, url: where, code: 'unreachable', reason: `cannot be reached (${cause?.code ?? (error as Error).message})` };
  }
}

/** The body up to `max` bytes; reading stops (and the connection is dropped) past it. */
async function readCapped(response: Response, max: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!response.body) return { bytes: new Uint8Array(), truncated: false };
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = max - size;
    if (value.byteLength > room) {
      parts.push(value.subarray(0, room));
      size += room;
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    parts.push(value);
    size += value.byteLength;
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return { bytes, truncated };
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MB`;
}
