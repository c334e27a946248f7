// Fetches one web page for reading: only from public addresses (every hop's host resolved and
// checked, the connection pinned to the checked addresses: app/web/addresses.ts), manual redirects
// (counted, loops detected, http(s) only), a per-page timeout, a size cap past which reading stops,
// a content-type check, no cookies, and a plain User-Agent. Never throws: a page that cannot be read
// comes back with the reason.
import type { LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip } from 'node:zlib';
import { checkDestination, pinnedLookup, publicAddressesOnly, systemResolve, type AddressPolicy, type Resolve } from './addresses.ts';

export const USER_AGENT = 'Cairn/0.1 (+local assistant)';

export interface FetchLimits {
  /** Whole request, body included. */
  timeoutMs: number;
  /** Bytes read at most; an HTML or text page is read up to here, a PDF past it is skipped. */
  maxBytes: number;
  maxRedirects: number;
}

export const defaultFetchLimits: FetchLimits = { timeoutMs: 5_000, maxBytes: 2 * 1024 * 1024, maxRedirects: 5 };

export interface FetchOptions {
  limits?: Partial<FetchLimits>;
  /** The caller's overall deadline. */
  signal?: AbortSignal;
  /** Which addresses pages may be read from: public ones only, unless a test gives its own policy. */
  addressPolicy?: AddressPolicy;
  /** How host names are resolved: the system resolver, unless a test gives its own. */
  resolve?: Resolve;
}

export type PageFormat = 'html' | 'pdf' | 'text';

export type SkipCode =
  | 'timeout'
  | 'deadline'
  | 'too-large'
  | 'redirects'
  | 'redirect-loop'
  | 'unsupported'
  | 'http-error'
  | 'unreachable'
  | 'bad-url'
  | 'refused'
  | 'no-text';

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

const HEADERS = {
  'User-Agent': USER_AGENT,
  Accept: 'text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8',
  'Accept-Encoding': 'gzip, br',
};

function httpUrl(raw: string, base?: string): URL | null {
  try {
    const url = new URL(raw, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** The page at `url`, read within the limits, from public addresses only. */
export async function fetchPage(url: string, options: FetchOptions = {}): Promise<FetchedPage> {
  const limits = { ...defaultFetchLimits, ...options.limits };
  const { signal } = options;
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const seen = new Set<string>();
  let current = httpUrl(url);
  if (!current) return { ok: false, url, code: 'bad-url', reason: 'not an http(s) address' };
  try {
    for (let redirects = 0; ; redirects++) {
      seen.add(current.href);
      const destination = await abortable(checkDestination(current, options.addressPolicy ?? publicAddressesOnly, options.resolve ?? systemResolve), combined);
      if (!destination.ok) {
        return { ok: false, url: current.href, code: 'refused', reason: `${redirects > 0 ? `redirect to ${current.href} ` : ''}refused: ${destination.reason}` };
      }
      const response = await get(current, destination.addresses, combined);
      const status = response.statusCode ?? 0;
      if (REDIRECTS.has(status)) {
        response.destroy();
        const next = httpUrl(response.headers.location ?? '', current.href);
        if (!next) return { ok: false, url: current.href, code: 'bad-url', reason: `redirect to an address that is not http(s)` };
        if (seen.has(next.href)) return { ok: false, url: current.href, code: 'redirect-loop', reason: `redirect loop back to ${next.href}` };
        if (redirects + 1 > limits.maxRedirects) return { ok: false, url: current.href, code: 'redirects', reason: `more than ${limits.maxRedirects} redirects` };
        current = next;
        continue;
      }
      if (status < 200 || status > 299) {
        response.destroy();
        return { ok: false, url: current.href, code: 'http-error', reason: `HTTP ${status}` };
      }
      const header = response.headers['content-type'] ?? '';
      const contentType = header.split(';', 1)[0]!.trim().toLowerCase();
      const charset = /;\s*charset\s*=\s*"?([\w.:-]+)/i.exec(header)?.[1] ?? null;
      const format = formats[contentType];
      if (!format) {
        response.destroy();
        return { ok: false, url: current.href, code: 'unsupported', reason: `not a web page or PDF (${contentType || 'no content type'})` };
      }
      const declared = Number(response.headers['content-length']);
      if (format === 'pdf' && declared > limits.maxBytes) {
        response.destroy();
        return { ok: false, url: current.href, code: 'too-large', reason: `PDF larger than ${megabytes(limits.maxBytes)}` };
      }
      const body = decoded(response);
      if (!body) {
        response.destroy();
        return { ok: false, url: current.href, code: 'unsupported', reason: `compressed in a way Cairn does not read (${response.headers['content-encoding']})` };
      }
      const { bytes, truncated } = await readCapped(body, limits.maxBytes).finally(() => response.destroy());
      if (truncated && format === 'pdf') return { ok: false, url: current.href, code: 'too-large', reason: `PDF larger than ${megabytes(limits.maxBytes)}` };
      return { ok: true, url: current.href, format, contentType, charset, bytes, truncated };
    }
  } catch (error) {
    const where = current.href;
    if (signal?.aborted) return { ok: false, url: where, code: 'deadline', reason: 'the overall web deadline passed before it was read' };
    if (timeout.aborted) return { ok: false, url: where, code: 'timeout', reason: `no complete answer within ${(limits.timeoutMs / 1000).toFixed(1)} s` };
    const code = (error as { code?: string }).code;
    if (code && /CERT|SSL|TLS/.test(code)) return { ok: false, url: where, code: 'unreachable', reason: `its certificate is not trusted (${code})` };
    return { ok: false, url: where, code: 'unreachable', reason: `cannot be reached (${code ?? (error as Error).message})` };
  }
}

/**
 * One GET, connected only to `addresses` (already checked): the lookup answers them whatever the
 * name, and an IP address in the URL is connected to as it is. TLS still checks the certificate
 * against the URL's name (SNI and Host too). A fresh connection each time (no pooled sockets).
 */
function get(url: URL, addresses: LookupAddress[], signal: AbortSignal): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, lookup: pinnedLookup(addresses), signal, headers: HEADERS }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** The body as sent, or decompressed; null for an encoding we did not ask for. */
function decoded(response: IncomingMessage): Readable | null {
  const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return response;
  const decompress = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'br' ? createBrotliDecompress() : null;
  return decompress && pipeline(response, decompress, () => {});
}

/** The promise, or a rejection as soon as `signal` aborts (a system DNS lookup cannot be stopped). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/** The body up to `max` bytes (decompressed); reading stops (and the connection is dropped) past it. */
async function readCapped(body: Readable, max: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const parts: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = max - size;
    if (chunk.byteLength > room) {
      parts.push(chunk.subarray(0, room));
      size += room;
      truncated = true;
      break;
    }
    parts.push(chunk);
    size += chunk.byteLength;
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
