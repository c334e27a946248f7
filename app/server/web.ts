// Web mode: the contract over HTTP for the renderer in a browser (and scripts). Requests are
// POST /api/<method> with the params as JSON, answered {result} or {error}; events are
// Server-Sent Events on GET /api/events, each with an id, so that a client that reconnects with
// Last-Event-ID gets what it missed (from a bounded journal; past it, a `gap` event says to
// reload). The page itself is the built renderer, under a strict Content-Security-Policy.
//
// Access: the URL `cairn serve` prints carries a one-time login token; opening it sets an
// HttpOnly, SameSite=Strict session cookie and redirects to `/`, so the token leaves the address
// bar and a copy of the URL seen later is worthless. Scripts send the API token as a bearer
// token instead. Requests from other sites (Origin, Sec-Fetch-Site) and to other host names
// (DNS rebinding) are refused.
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CairnError, type EngineEvent } from '../contract/index.ts';
import type { Service } from '../service/index.ts';
import { openDocumentFile, type OpenedFile } from '../service/document-content.ts';
import { HttpError, sendJson, type Route } from './http.ts';
import { bearerMatches, tokensMatch } from './token.ts';

export const SESSION_COOKIE = 'cairn_session';

/** Events kept for clients that reconnect: about a minute of a busy import, far more when quiet. */
const JOURNAL_SIZE = 2000;
const KEEPALIVE_MS = 15_000;

/** What the page may do: its own scripts, styles and API, nothing else. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  // The PDF viewer's pdf.js worker, a file of the build (pdf.js needs no eval).
  "worker-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Who may use web mode: the holders of a session cookie (from a login link) or of the API token. */
export class WebAccess {
  private readonly session = randomBytes(32).toString('base64url');
  private readonly logins = new Set<string>();
  private readonly apiToken: () => string;

  constructor(apiToken: () => string) {
    this.apiToken = apiToken;
  }

  /** A new one-time login token for the printed URL. */
  newLogin(): string {
    const token = randomBytes(24).toString('base64url');
    this.logins.add(token);
    return token;
  }

  /** Spends a login token; whether it was a valid, unused one. */
  redeem(token: string): boolean {
    for (const login of this.logins) {
      if (tokensMatch(token, login)) {
        this.logins.delete(login);
        return true;
      }
    }
    return false;
  }

  sessionCookie(): string {
    return `${SESSION_COOKIE}=${this.session}; HttpOnly; SameSite=Strict; Path=/`;
  }

  allows(req: IncomingMessage): boolean {
    const cookie = readCookie(req, SESSION_COOKIE);
    if (cookie !== null && tokensMatch(cookie, this.session)) return true;
    return bearerMatches(req, this.apiToken());
  }
}

function readCookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
}

/** The last events, numbered, for clients that reconnect. */
export class EventJournal {
  private readonly size: number;
  private readonly entries: { id: number; event: EngineEvent }[] = [];
  private nextId = 1;
  private readonly listeners = new Set<(id: number, event: EngineEvent) => void>();

  constructor(size = JOURNAL_SIZE) {
    this.size = size;
  }

  append(event: EngineEvent): void {
    const id = this.nextId++;
    this.entries.push({ id, event });
    if (this.entries.length > this.size) this.entries.shift();
    for (const listener of this.listeners) listener(id, event);
  }

  /** The id of the newest event (0 before any). */
  get lastId(): number {
    return this.nextId - 1;
  }

  /** Events after `id`, or null when some of them are no longer kept. */
  since(id: number): { id: number; event: EngineEvent }[] | null {
    if (id >= this.lastId) return [];
    const oldest = this.entries[0]?.id ?? this.nextId;
    if (id + 1 < oldest) return null;
    return this.entries.filter((e) => e.id > id);
  }

  listen(listener: (id: number, event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface WebRoutesOptions {
  service: Service;
  access: WebAccess;
  /** The built renderer (index.html and its assets). */
  rendererDir: string;
  journal?: EventJournal;
}

export function webRoutes(options: WebRoutesOptions): Route[] {
  const { service, access } = options;
  const journal = options.journal ?? new EventJournal();
  service.onEvent((event) => journal.append(event));
  const root = resolve(options.rendererDir);
  const allows = (req: IncomingMessage) => access.allows(req);
  const apiError = (error: HttpError) => ({ error: { code: error.code, message: error.message } });
  const notSignedIn = () => new HttpError(401, 'not-signed-in', 'Not signed in: open the address `cairn serve` printed (or send the API token as "Authorization: Bearer <token>").');
  const api = { authorize: allows, unauthorized: notSignedIn, sameOrigin: true, errorBody: apiError } as const;

  async function sendFile(res: ServerResponse, relative: string): Promise<void> {
    const path = resolve(root, relative);
    if (!path.startsWith(root + sep)) throw new HttpError(404, 'not-found', 'No such file.');
    let body: Buffer;
    try {
      if (!(await stat(path)).isFile()) throw new Error('not a file');
      body = await readFile(path);
    } catch {
      throw new HttpError(404, 'not-found', `No such file: /${relative}`);
    }
    res.writeHead(200, {
      ...PAGE_HEADERS,
      'Content-Type': MIME[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(body.length),
      // Built assets carry a content hash in their name; the page itself must always be fresh.
      'Cache-Control': relative.startsWith(`assets${sep}`) || relative.startsWith('assets/') ? 'private, max-age=31536000, immutable' : 'no-store',
    });
    res.end(body);
  }

  function page(res: ServerResponse, status: number, title: string, text: string): void {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cairn</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
    res.writeHead(status, { ...PAGE_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  }

  return [
    {
      method: 'GET',
      path: '/',
      authorize: 'public',
      sameOrigin: true,
      errorBody: apiError,
      handle: async ({ req, res, url }) => {
        const token = url.searchParams.get('token');
        if (token !== null) {
          if (!access.redeem(token)) {
            page(res, 401, 'This link has been used', 'Each address <code>cairn serve</code> prints opens Cairn once. Start <code>cairn serve</code> again for a new one.');
            return;
          }
          res.writeHead(303, { ...PAGE_HEADERS, 'Set-Cookie': access.sessionCookie(), Location: '/', 'Cache-Control': 'no-store' });
          res.end();
          return;
        }
        if (!allows(req)) {
          page(res, 401, 'Not signed in', 'Open the address <code>cairn serve</code> printed in your terminal.');
          return;
        }
        await sendFile(res, 'index.html');
      },
    },
    { method: 'GET', path: '/assets/:file', ...api, handle: ({ res, params }) => sendFile(res, join('assets', params.file!)) },
    // pdf.js's character maps, standard fonts and image decoders, fetched by the PDF viewer.
    {
      method: 'GET',
      path: '/pdfjs/:dir/:file',
      ...api,
      handle: ({ res, params }) => {
        if (!PDFJS_FOLDERS.has(params.dir!)) throw new HttpError(404, 'not-found', 'No such file.');
        return sendFile(res, join('pdfjs', params.dir!, params.file!));
      },
    },
    // A document's original PDF for the viewer, by document id, with range requests (pdf.js asks for
    // the parts it needs, so a large file is never read whole).
    { method: 'GET', path: '/api/documents/:id/file', ...api, handle: ({ req, res, params, signal }) => sendDocumentFile(service, req, res, params.id!, signal) },
    { method: 'GET', path: '/:file', ...api, handle: ({ res, params }) => sendFile(res, params.file!) },
    {
      method: 'POST',
      path: '/api/:method',
      ...api,
      handle: async ({ res, params, readJson, req }) => {
        if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
          // Also keeps plain HTML forms (which cannot send JSON) out.
          throw new HttpError(415, 'bad-message', 'Send the params as JSON (Content-Type: application/json).');
        }
        const outcome = await service.dispatcher.call(params.method!, await readJson());
        if ('result' in outcome) sendJson(res, 200, { result: outcome.result });
        else sendJson(res, statusOf(outcome.error.code), { error: outcome.error });
      },
    },
    {
      method: 'GET',
      path: '/api/events',
      ...api,
      handle: ({ req, res, url, signal }) => streamEvents(journal, req, res, url, signal),
    },
  ];
}

const PDFJS_FOLDERS = new Set(['cmaps', 'standard_fonts', 'wasm']);

/** How a document's file may be answered: only as data to fetch, never as a page of this site. */
const FILE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Accept-Ranges': 'bytes',
};

/**
 * The byte range a Range header asks for within a file of `size` bytes: null for the whole file
 * (no header, one that does not parse, or several ranges), 'unsatisfiable' when it lies outside.
 */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  const m = header === undefined ? null : /^\s*bytes=(\d*)-(\d*)\s*$/.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || end < start ? 'unsatisfiable' : { start, end };
}

async function sendDocumentFile(service: Service, req: IncomingMessage, res: ServerResponse, rawId: string, signal: AbortSignal): Promise<void> {
  const id = /^[1-9]\d{0,15}$/.test(rawId) ? Number(rawId) : null;
  if (id === null) throw new HttpError(404, 'not-found', `No document ${rawId.slice(0, 40)}.`);
  let file: OpenedFile;
  try {
    file = await openDocumentFile(service.host.engine.library, id);
  } catch (error) {
    if (!(error instanceof CairnError)) throw error;
    const status = error.code === 'not-found' || error.code === 'file-gone' ? 404 : 403;
    throw new HttpError(status, error.code, error.message);
  }
  try {
    const range = byteRange(req.headers.range, file.size);
    const disposition = `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`;
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...FILE_HEADERS, 'Content-Range': `bytes */${file.size}`, 'Content-Length': '0' });
      res.end();
      return;
    }
    const { start, end } = range ?? { start: 0, end: file.size - 1 };
    res.writeHead(range ? 206 : 200, {
      ...FILE_HEADERS,
      'Content-Type': file.mime,
      'Content-Disposition': disposition,
      'Content-Length': String(Math.max(0, end - start + 1)),
      ...(range ? { 'Content-Range': `bytes ${start}-${end}/${file.size}` } : {}),
    });
    if (end < start) {
      res.end();
      return;
    }
    await pipeline(file.handle.createReadStream({ start, end, autoClose: false }), res, { signal }).catch((error: unknown) => {
      // The client took what it needed and went (pdf.js cancels a whole-file request once it knows ranges work).
      if (!signal.aborted) throw error;
    });
  } finally {
    await file.handle.close();
  }
}

function statusOf(code: string): number {
  if (code === 'unknown-method' || code === 'not-found') return 404;
  if (code === 'internal' || code === 'bad-result') return 500;
  return 400;
}

/** One SSE connection: what was missed since Last-Event-ID, then every new event, until the client goes. */
async function streamEvents(journal: EventJournal, req: IncomingMessage, res: ServerResponse, url: URL, signal: AbortSignal): Promise<void> {
  const asked = req.headers['last-event-id'] ?? url.searchParams.get('lastEventId') ?? undefined;
  const last = asked === undefined ? journal.lastId : Number(asked);
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  const write = (text: string) => {
    if (!res.writableEnded && !res.destroyed) res.write(text);
  };
  const send = (id: number, event: EngineEvent) => write(`id: ${id}\ndata: ${JSON.stringify(event)}\n\n`);
  // Reconnect after 1 s if the connection drops (the browser's EventSource does this by itself).
  write('retry: 1000\n\n');
  const missed = Number.isInteger(last) && last >= 0 ? journal.since(last) : null;
  if (missed === null) write(`id: ${journal.lastId}\nevent: gap\ndata: {}\n\n`);
  else for (const entry of missed) send(entry.id, entry.event);
  const stop = journal.listen(send);
  const keepalive = setInterval(() => write(': keep-alive\n\n'), KEEPALIVE_MS);
  await new Promise<void>((done) => {
    if (signal.aborted) done();
    signal.addEventListener('abort', () => done(), { once: true });
    res.on('close', () => done());
  });
  clearInterval(keepalive);
  stop();
  if (!res.writableEnded) res.end();
}
