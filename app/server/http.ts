// The HTTP core under every route Cairn serves (web mode, the OpenAI-compatible API, MCP): a
// server on 127.0.0.1 (another address only when asked, with the Host names it may be addressed
// by), a Host check against DNS rebinding, a bearer-token gate, CORS only for origins the user
// lists, routing by method and path, JSON bodies with a size cap, Server-Sent Events, and errors
// as typed values that each route group formats its own way. Stack traces never leave the process.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import { CairnError } from '../contract/index.ts';

/** The only address Cairn listens on: nothing outside this machine can connect. */
export const LOOPBACK_HOST = '127.0.0.1';

/** Host headers a request may carry: a page on another site that rebinds its name to 127.0.0.1 carries its own. */
const LOCAL_HOST_HEADER = /^(?:127\.0\.0\.1|localhost)(?::\d{1,5})?$/i;

/** An error with its HTTP status, a stable code and a message for people (never a stack trace). */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  /** The request field at fault, when there is one (e.g. 'messages[2].role'). */
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, options: { param?: string | null; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = status;
    this.code = code;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Path parameters named in the route's path (':id'). */
  params: Record<string, string>;
  /** Aborts when the client goes away before the response is complete, or the server is closing. */
  signal: AbortSignal;
  /** Aborts when the server is closing (then, unlike when the client left, someone is still there to tell). */
  closing: AbortSignal;
  /** The body parsed as JSON: HttpError 413 over the size cap, 400 when it is not JSON. */
  readJson(): Promise<unknown>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** e.g. '/v1/models' or '/v1/models/:id' (a parameter is one path segment). */
  path: string;
  handle(context: RequestContext): Promise<void>;
  /** Who may call it, instead of the server's authorize ('public': anyone who passes the Host check). */
  authorize?: ((req: IncomingMessage) => boolean) | 'public';
  /** What a refused request is told, instead of the bearer-token message. */
  unauthorized?: (req: IncomingMessage) => HttpError;
  /**
   * Refuse requests a page on another site sent (an Origin or Sec-Fetch-Site from elsewhere): routes
   * a browser reaches with a cookie, against cross-site request forgery.
   */
  sameOrigin?: boolean;
  /** This route's error body, instead of the server's. */
  errorBody?: (error: HttpError) => unknown;
  /** Served to other machines (a container) when the server listens beyond loopback; always with the bearer token. */
  remote?: boolean;
  /** Pages on the origins the user allowed may call it (CORS). */
  cors?: boolean;
}

export interface HttpServerOptions {
  /** Default 127.0.0.1; another address only with allowedHosts (see listenAddress). */
  host?: string;
  /**
   * Host names (or addresses) requests may be addressed to besides 127.0.0.1 and localhost, e.g.
   * host.docker.internal: the opt-in that lets the server listen on another address. Requests
   * from other machines then reach only `remote` routes, with the bearer token.
   */
  allowedHosts?: string[];
  /** Origins (https://app.example) whose pages may call `cors` routes; none: CORS is off. */
  allowedOrigins?: string[];
  /** 0 (the default) for any free port. */
  port?: number;
  routes: Route[];
  /** Whether the request carries the right credentials (checked before anything else is looked at). */
  authorize(req: IncomingMessage): boolean;
  /** The response body for an error (each API has its own error shape). */
  errorBody(error: HttpError): unknown;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Told about failures that became a 500 (with the stack), for the server's log. */
  onInternalError?(error: unknown): void;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:22476 */
  readonly origin: string;
  readonly port: number;
  /** Stops accepting, aborts requests under way (generations stop), and resolves once every connection is closed. */
  close(): Promise<void>;
}

/**
 * Whether a browser sent the request from one of this server's own pages: no Origin (not a
 * cross-origin fetch) or a loopback one on the same port as the Host, and no Sec-Fetch-Site
 * saying another site. A page elsewhere cannot pass even with the user's cookie.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const port = /:(\d{1,5})$/.exec(req.headers.host ?? '')?.[1];
  return port !== undefined && (origin === `http://${LOOPBACK_HOST}:${port}` || origin === `http://localhost:${port}`);
}

/** Refuses any host but 127.0.0.1 ('localhost' is taken to mean it). */
export function loopbackOnly(host: string | undefined): string {
  return listenAddress(host, []);
}

/**
 * Where to listen: 127.0.0.1 unless another address is asked for together with the Host names
 * requests will use (an explicit opt-in: without them, nothing could pass the Host check anyway).
 */
export function listenAddress(host: string | undefined, allowedHosts: readonly string[]): string {
  if (host === undefined || host === LOOPBACK_HOST || host === 'localhost') return LOOPBACK_HOST;
  if (allowedHosts.length === 0) {
    throw new CairnError(
      'server-host',
      `Cairn listens on ${LOOPBACK_HOST} only, so that nothing outside this machine can reach your library (asked for ${host}). To let a container reach it, also name the host names it will use (--allow-host host.docker.internal); from another machine, forward the port over SSH.`,
    );
  }
  if (isIP(host) === 0) throw new CairnError('server-host', `The address to listen on must be an IP address such as 0.0.0.0 or 172.17.0.1 (got "${host}").`);
  return host;
}

/** Whether a connection comes from this machine. */
export function fromLoopback(address: string | undefined): boolean {
  return address !== undefined && (/^127\./.test(address) || address === '::1' || /^::ffff:127\./i.test(address));
}

/** The Host header's name, without its port (an IPv6 address keeps its brackets). */
function hostName(header: string): string {
  return header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.replace(/:\d{1,5}$/, '');
}

const PREFLIGHT_HEADERS = 'Authorization, Content-Type, Accept, Last-Event-ID, Mcp-Session-Id, Mcp-Protocol-Version';
const EXPOSED_HEADERS = 'Retry-After, Mcp-Session-Id, Cairn-Truncated-Inputs';

interface CompiledRoute {
  route: Route;
  segments: string[];
}

function compile(routes: Route[]): CompiledRoute[] {
  return routes.map((route) => ({ route, segments: route.path.split('/') }));
}

function matchPath(compiled: CompiledRoute, segments: string[]): Record<string, string> | null {
  if (compiled.segments.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const pattern = compiled.segments[i]!;
    const segment = segments[i]!;
    if (pattern.startsWith(':')) {
      if (!segment) return null;
      try {
        params[pattern.slice(1)] = decodeURIComponent(segment);
      } catch {
        return null;
      }
    } else if (pattern !== segment) {
      return null;
    }
  }
  return params;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const allowedHosts = (options.allowedHosts ?? []).map((h) => h.toLowerCase());
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const host = listenAddress(options.host, allowedHosts);
  const routes = compile(options.routes);
  const hostAllowed = (header: string | undefined) => LOCAL_HOST_HEADER.test(header ?? '') || (header !== undefined && allowedHosts.includes(hostName(header).toLowerCase()));
  /** Aborts every request under way when the server closes. */
  const closing = new AbortController();

  /** Open connections, with how many responses each has under way (a closing server ends each when it has none). */
  const connections = new Map<Socket, number>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    connections.set(socket, (connections.get(socket) ?? 0) + 1);
    res.on('close', () => {
      const left = (connections.get(socket) ?? 1) - 1;
      connections.set(socket, left);
      if (left === 0 && closing.signal.aborted) socket.end();
    });
    handle(req, res).catch((error: unknown) => {
      // A handler failed after it had started its response: nothing more can be said to the client.
      options.onInternalError?.(error);
      if (!res.writableEnded) res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort(new CairnError('client-gone', 'The client closed the connection'));
    });
    const signal = AbortSignal.any([gone.signal, closing.signal]);
    let errorBody = options.errorBody;
    try {
      if (!hostAllowed(req.headers.host)) {
        throw new HttpError(403, 'forbidden_host', `This server answers only requests addressed to ${[LOOPBACK_HOST, 'localhost', ...allowedHosts].join(', ')}.`);
      }
      const url = new URL(req.url ?? '/', `http://${LOOPBACK_HOST}`);
      const segments = (url.pathname.replace(/\/+$/, '') || '/').split('/');
      const matching = routes.flatMap((compiled) => {
        const params = matchPath(compiled, segments);
        return params ? [{ route: compiled.route, params }] : [];
      });
      const chosen = matching.find((m) => m.route.method === req.method);
      const route = chosen?.route ?? matching[0]?.route;
      if (route?.errorBody) errorBody = route.errorBody;
      const origin = req.headers.origin;
      const corsAllowed = origin !== undefined && allowedOrigins.has(origin) && matching.some((m) => m.route.cors);
      if (corsAllowed) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Vary', 'Origin');
        res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
        // A preflight is answered before authentication: the browser sends no credentials with it.
        if (req.method === 'OPTIONS') {
          const methods = [...new Set(matching.filter((m) => m.route.cors).map((m) => m.route.method))].join(', ');
          res.writeHead(204, { 'Access-Control-Allow-Methods': methods, 'Access-Control-Allow-Headers': PREFLIGHT_HEADERS, 'Access-Control-Max-Age': '600' });
          res.end();
          return;
        }
      }
      if ((route?.sameOrigin || route?.cors) && !corsAllowed && !sameOrigin(req)) {
        throw new HttpError(403, 'forbidden_origin', 'This server answers only its own pages and the origins it was told to allow: the request came from another site.');
      }
      const remote = !fromLoopback(req.socket.remoteAddress);
      if (remote && !route?.remote) {
        throw new HttpError(403, 'forbidden_remote', 'From other machines only the OpenAI-compatible API (/v1) and MCP (/mcp) are served; the window is for this machine only.');
      }
      // From elsewhere, only the bearer token: never a browser session.
      const authorized = remote ? options.authorize(req) : route?.authorize === 'public' || (route?.authorize ?? options.authorize)(req);
      if (!authorized) {
        if (route?.unauthorized) throw route.unauthorized(req);
        const hasToken = req.headers.authorization !== undefined;
        throw new HttpError(401, 'invalid_api_key', hasToken ? 'The API token is not right.' : 'Missing API token: send it as "Authorization: Bearer <token>" (cairn serve --api prints it).', {
          headers: { 'WWW-Authenticate': 'Bearer' },
        });
      }
      if (matching.length === 0) throw new HttpError(404, 'unknown_url', `Unknown request URL: ${req.method ?? 'GET'} ${url.pathname}.`);
      if (!chosen) {
        const allowed = [...new Set(matching.map((m) => m.route.method))].join(', ');
        throw new HttpError(405, 'method_not_allowed', `${url.pathname} accepts ${allowed}, not ${req.method ?? '?'}.`, { headers: { Allow: allowed } });
      }
      await chosen.route.handle({ req, res, url, params: chosen.params, signal, closing: closing.signal, readJson: () => readJson(req, options.maxBodyBytes) });
    } catch (error) {
      if (res.headersSent) throw error;
      if (gone.signal.aborted) return; // the client left: no one to tell
      let failure: HttpError;
      if (error instanceof HttpError) failure = error;
      else if (closing.signal.aborted) failure = new HttpError(503, 'server_closing', 'The server is shutting down.');
      else {
        options.onInternalError?.(error);
        failure = new HttpError(500, 'internal_error', 'The server failed to handle the request (see its log).');
      }
      sendJson(res, failure.status, errorBody(failure), failure.headers);
    } finally {
      // A body nobody read (an early error): drain it, so that the answer reaches the client.
      if (!req.readableEnded && !req.destroyed) req.resume();
    }
  }

  // Another address is served beside 127.0.0.1 (which this machine's own programs and the window
  // use), unless it already covers it (0.0.0.0, ::).
  const addresses = host === LOOPBACK_HOST || host === '0.0.0.0' || host === '::' ? [host] : [LOOPBACK_HOST, host];
  const servers = addresses.map(() => {
    const server = createServer(onRequest);
    server.on('connection', (socket: Socket) => {
      connections.set(socket, 0);
      socket.on('close', () => connections.delete(socket));
    });
    return server;
  });

  let port = options.port ?? 0;
  try {
    for (const [i, server] of servers.entries()) {
      await new Promise<void>((resolve, reject) => {
        const failed = (error: NodeJS.ErrnoException) => {
          reject(
            error.code === 'EADDRINUSE'
              ? new CairnError('server-port-in-use', `Port ${port} on ${addresses[i]} is in use by another program: choose another with --port.`, { cause: error })
              : error.code === 'EACCES'
                ? new CairnError('server-port-denied', `Port ${port} needs privileges this user does not have: choose one above 1024 with --port.`, { cause: error })
                : error.code === 'EADDRNOTAVAIL'
                  ? new CairnError('server-host', `${addresses[i]} is not an address of this machine.`, { cause: error })
                  : error,
          );
        };
        server.once('error', failed);
        // The same port on every address (the first one picks it when asked for any).
        server.listen(port, addresses[i], () => {
          server.off('error', failed);
          resolve();
        });
      });
      port = (server.address() as AddressInfo).port;
    }
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    origin: `http://${host}:${port}`,
    port,
    close() {
      closed ??= (async () => {
        const stopped = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
        closing.abort(new CairnError('server-closing', 'The server is shutting down'));
        // Connections with nothing under way end now; the others when their response ends (on the
        // abort); anything still open after a grace period is cut.
        for (const [socket, inFlight] of connections) if (inFlight === 0) socket.end();
        setTimeout(() => {
          for (const server of servers) server.closeAllConnections();
        }, 2_000).unref();
        await Promise.all(stopped);
      })();
      return closed;
    },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** A Server-Sent Events response: each `send` is one `data:` event. */
export class EventStream {
  private readonly res: ServerResponse;
  /** When something was last written (epoch ms; 0 before anything). */
  lastWrite = 0;

  constructor(res: ServerResponse) {
    this.res = res;
  }

  get started(): boolean {
    return this.res.headersSent;
  }

  /** Sends the headers (done by the first send if not before). */
  start(): void {
    if (this.res.headersSent) return;
    this.res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Proxies that buffer (nginx) would hold the stream back.
      'X-Accel-Buffering': 'no',
    });
  }

  /** One event; an object is sent as JSON, a string as it is (e.g. '[DONE]'). */
  send(data: unknown): void {
    this.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  }

  /** An SSE comment: clients skip it; it tells them (and proxies) that the stream is alive. */
  comment(text: string): void {
    this.write(`: ${text}\n\n`);
  }

  private write(text: string): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    this.start();
    this.res.write(text);
    this.lastWrite = Date.now();
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }
}

function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new HttpError(413, 'request_too_large', `The request body is larger than this server accepts (${maxBytes} bytes).`);
    const chunks: Buffer[] = [];
    let size = 0;
    // A declared length over the cap is refused before any of the body is read.
    let over = Number(req.headers['content-length']) > maxBytes;
    if (over) reject(tooLarge());
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) {
        // Drained so that the 413 reaches the client; a sender that never stops is cut off.
        if (size > maxBytes * 8) req.destroy();
        return;
      }
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (over) return;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        reject(new HttpError(400, 'invalid_json', `The request body is not valid JSON: ${(error as Error).message}`));
      }
    });
    req.on('error', reject);
  });
}
