// Cairn over HTTP on 127.0.0.1: web mode (web.ts: the renderer and the contract, for a browser),
// the opt-in OpenAI-compatible local API (api.ts) and MCP at /mcp (app/mcp), on a small HTTP core
// (http.ts) that can also serve containers on another address when asked.
import type { Service } from '../service/index.ts';
import { mcpRoutes, type McpLibrary } from '../mcp/index.ts';
import { apiRoutes, openAiErrorBody, type ApiEngine } from './api.ts';
import { HttpError, startHttpServer, type Route, type RunningServer } from './http.ts';
import { bearerMatches } from './token.ts';
import { WebAccess, webRoutes, type EventJournal } from './web.ts';

export { apiRoutes, EMBEDDING_ALIAS, MODEL_ALIAS, openAiErrorBody, type ApiEngine, type ApiRoutesOptions } from './api.ts';
export { EmbeddingBatcher } from './embeddings.ts';
export { ModelQueue, type QueuePlace } from './queue.ts';
export { prepareGroundedAnswer, questionAndHistory, toApiCitation, type ApiCitation, type GroundedInput, type GroundedPreparation } from './grounded.ts';
export { CONTENT_SECURITY_POLICY, EventJournal, SESSION_COOKIE, WebAccess, webRoutes, type WebRoutesOptions } from './web.ts';
export { ensureRenderer, projectRoot } from './renderer-files.ts';
export { EventStream, fromLoopback, HttpError, listenAddress, LOOPBACK_HOST, loopbackOnly, sameOrigin, sendJson, startHttpServer, type HttpServerOptions, type RequestContext, type Route, type RunningServer } from './http.ts';
export { API_TOKEN_SETTING, bearerMatches, newApiToken, resolveApiToken, tokensMatch } from './token.ts';

/** Largest request body the API accepts: long conversations fit, a runaway client does not. */
export const API_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The port `cairn serve --api` uses when none is given (CAIRN on a phone keypad). */
export const DEFAULT_API_PORT = 22476;

/** Who may reach a server besides this machine's own programs (see HttpServerOptions). */
export interface Exposure {
  /** 127.0.0.1 unless allowedHosts are given too. */
  host?: string;
  /** Host names requests may be addressed to besides 127.0.0.1 and localhost (e.g. host.docker.internal). */
  allowedHosts?: string[];
  /** Origins whose pages may call the API and MCP (CORS). */
  allowedOrigins?: string[];
}

export interface ApiServerOptions extends Exposure {
  /** The engine: the API's models and search; with a library, MCP at /mcp too. */
  engine: ApiEngine & Partial<McpLibrary>;
  /** The bearer token every request must carry. */
  token: string;
  /** 0 for any free port (tests). Default DEFAULT_API_PORT. */
  port?: number;
  maxBodyBytes?: number;
  /** Requests that may wait for a busy model before 429. Default 8. */
  maxWaiting?: number;
  /** Whether retrieval answers list their sources in the text when the request does not say (the local API setting). */
  appendSources?: () => boolean;
  /** How often a stream with nothing to send yet says it is alive. Default 3 s. */
  keepAliveMs?: number;
  /** Told about failures that became a 500, with their stack, for the server's log. */
  onError?(error: unknown): void;
}

function exposure(options: Exposure): Exposure {
  return {
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  };
}

export interface ApiServer extends RunningServer {
  /** The base URL OpenAI clients are given, e.g. http://127.0.0.1:22476/v1 */
  readonly baseUrl: string;
}

function isMcpLibrary(engine: ApiEngine & Partial<McpLibrary>): engine is ApiEngine & McpLibrary {
  return engine.library !== undefined && typeof engine.sources === 'function' && typeof engine.chatModelConfigured === 'function';
}

/** Starts the OpenAI-compatible API (and MCP at /mcp); close() stops it (requests under way are aborted). */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { token } = options;
  const server = await startHttpServer({
    ...exposure(options),
    port: options.port ?? DEFAULT_API_PORT,
    routes: [
      ...apiRoutes({
        engine: options.engine,
        ...(options.maxWaiting === undefined ? {} : { maxWaiting: options.maxWaiting }),
        ...(options.appendSources ? { appendSources: options.appendSources } : {}),
        ...(options.keepAliveMs === undefined ? {} : { keepAliveMs: options.keepAliveMs }),
        ...(options.onError ? { onError: options.onError } : {}),
      }),
      ...(isMcpLibrary(options.engine) ? mcpRoutes(options.engine, options.onError ? { onError: options.onError } : {}) : []),
    ],
    authorize: (req) => bearerMatches(req, token),
    errorBody: openAiErrorBody,
    maxBodyBytes: options.maxBodyBytes ?? API_MAX_BODY_BYTES,
    ...(options.onError ? { onInternalError: options.onError } : {}),
  });
  return { origin: server.origin, port: server.port, baseUrl: `${server.origin}/v1`, close: () => server.close() };
}

export interface WebServerOptions extends Exposure {
  service: Service;
  /** The built renderer (see ensureRenderer). */
  rendererDir: string;
  /** The API token: scripts send it as a bearer token; it also guards the OpenAI routes. Read at each request (it can be replaced). */
  apiToken: () => string;
  /** Whether the OpenAI-compatible routes and MCP answer (--api, or the local API setting); read at each request. */
  openAiApi: () => boolean;
  /** Whether retrieval answers list their sources in the text when the request does not say. */
  appendSources?: () => boolean;
  /** 0 for any free port. Default DEFAULT_API_PORT. */
  port?: number;
  maxBodyBytes?: number;
  /** Told about failures that became a 500, with their stack, for the server's log. */
  onError?(error: unknown): void;
  /** Events kept for clients that reconnect (tests make it small). */
  journal?: EventJournal;
}

export interface WebServer extends RunningServer {
  /** A new one-time address that signs a browser in (the printed URL). */
  loginUrl(): string;
}

/** Web mode: the renderer and the contract on 127.0.0.1, with the OpenAI routes beside them when asked. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const access = new WebAccess(options.apiToken);
  const engine = options.service.host.engine;
  const openAi: Route[] = apiRoutes({
    engine,
    ...(options.appendSources ? { appendSources: options.appendSources } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  }).map((route) => ({
    ...route,
    errorBody: openAiErrorBody,
    handle: async (context) => {
      if (!options.openAiApi()) throw new HttpError(404, 'api_off', 'The OpenAI-compatible API is off: start Cairn with `cairn serve --api`, or turn the local API on in Settings.');
      await route.handle(context);
    },
  }));
  const mcp = mcpRoutes(engine, { enabled: options.openAiApi, ...(options.onError ? { onError: options.onError } : {}) });
  const server = await startHttpServer({
    ...exposure(options),
    port: options.port ?? DEFAULT_API_PORT,
    // /mcp before the window's /:file, which would otherwise take GET /mcp for a file.
    routes: [...mcp, ...webRoutes({ service: options.service, access, rendererDir: options.rendererDir, ...(options.journal ? { journal: options.journal } : {}) }), ...openAi],
    authorize: (req) => bearerMatches(req, options.apiToken()),
    errorBody: (error) => ({ error: { code: error.code, message: error.message } }),
    maxBodyBytes: options.maxBodyBytes ?? API_MAX_BODY_BYTES,
    ...(options.onError ? { onInternalError: options.onError } : {}),
  });
  return { ...server, origin: server.origin, port: server.port, close: () => server.close(), loginUrl: () => `${server.origin}/?token=${access.newLogin()}` };
}
