// Cairn over HTTP on 127.0.0.1: web mode (web.ts: the renderer and the contract, for a browser)
// and the opt-in OpenAI-compatible local API (api.ts), on a small HTTP core (http.ts).
import type { Service } from '../service/index.ts';
import { apiRoutes, openAiErrorBody, type ApiEngine } from './api.ts';
import { HttpError, startHttpServer, type Route, type RunningServer } from './http.ts';
import { bearerMatches } from './token.ts';
import { WebAccess, webRoutes, type EventJournal } from './web.ts';

export { apiRoutes, EMBEDDING_ALIAS, MODEL_ALIAS, openAiErrorBody, sourcesMarkdown, type ApiEngine, type ApiRoutesOptions } from './api.ts';
export { EmbeddingBatcher } from './embeddings.ts';
export { ModelQueue, type QueuePlace } from './queue.ts';
export { prepareGroundedAnswer, questionAndHistory, toApiCitation, type ApiCitation, type GroundedInput, type GroundedPreparation } from './grounded.ts';
export { CONTENT_SECURITY_POLICY, EventJournal, SESSION_COOKIE, WebAccess, webRoutes, type WebRoutesOptions } from './web.ts';
export { ensureRenderer, projectRoot } from './renderer-files.ts';
export { EventStream, HttpError, LOOPBACK_HOST, loopbackOnly, sameOrigin, sendJson, startHttpServer, type HttpServerOptions, type RequestContext, type Route, type RunningServer } from './http.ts';
export { API_TOKEN_SETTING, bearerMatches, newApiToken, resolveApiToken, tokensMatch } from './token.ts';

/** Largest request body the API accepts: long conversations fit, a runaway client does not. */
export const API_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The port `cairn serve --api` uses when none is given (CAIRN on a phone keypad). */
export const DEFAULT_API_PORT = 22476;

export interface ApiServerOptions {
  engine: ApiEngine;
  /** The bearer token every request must carry. */
  token: string;
  /** 0 for any free port (tests). Default DEFAULT_API_PORT. */
  port?: number;
  /** Only 127.0.0.1 (or 'localhost') is accepted. */
  host?: string;
  maxBodyBytes?: number;
  /** Requests that may wait for a busy model before 429. Default 8. */
  maxWaiting?: number;
  /** Told about failures that became a 500, with their stack, for the server's log. */
  onError?(error: unknown): void;
}

export interface ApiServer extends RunningServer {
  /** The base URL OpenAI clients are given, e.g. http://127.0.0.1:22476/v1 */
  readonly baseUrl: string;
}

/** Starts the OpenAI-compatible API; close() stops it (requests under way are aborted). */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { token } = options;
  const server = await startHttpServer({
    ...(options.host === undefined ? {} : { host: options.host }),
    port: options.port ?? DEFAULT_API_PORT,
    routes: apiRoutes({
      engine: options.engine,
      ...(options.maxWaiting === undefined ? {} : { maxWaiting: options.maxWaiting }),
      ...(options.onError ? { onError: options.onError } : {}),
    }),
    authorize: (req) => bearerMatches(req, token),
    errorBody: openAiErrorBody,
    maxBodyBytes: options.maxBodyBytes ?? API_MAX_BODY_BYTES,
    ...(options.onError ? { onInternalError: options.onError } : {}),
  });
  return { origin: server.origin, port: server.port, baseUrl: `${server.origin}/v1`, close: () => server.close() };
}

export interface WebServerOptions {
  service: Service;
  /** The built renderer (see ensureRenderer). */
  rendererDir: string;
  /** The API token: scripts send it as a bearer token; it also guards the OpenAI routes. Read at each request (it can be replaced). */
  apiToken: () => string;
  /** Whether the OpenAI-compatible routes answer (--api, or the local API setting); read at each request. */
  openAiApi: () => boolean;
  /** 0 for any free port. Default DEFAULT_API_PORT. */
  port?: number;
  host?: string;
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
  const openAi: Route[] = apiRoutes({ engine, ...(options.onError ? { onError: options.onError } : {}) }).map((route) => ({
    ...route,
    errorBody: openAiErrorBody,
    handle: async (context) => {
      if (!options.openAiApi()) throw new HttpError(404, 'api_off', 'The OpenAI-compatible API is off: start Cairn with `cairn serve --api`, or turn the local API on in Settings.');
      await route.handle(context);
    },
  }));
  const server = await startHttpServer({
    ...(options.host === undefined ? {} : { host: options.host }),
    port: options.port ?? DEFAULT_API_PORT,
    routes: [...webRoutes({ service: options.service, access, rendererDir: options.rendererDir, ...(options.journal ? { journal: options.journal } : {}) }), ...openAi],
    authorize: (req) => bearerMatches(req, options.apiToken()),
    errorBody: (error) => ({ error: { code: error.code, message: error.message } }),
    maxBodyBytes: options.maxBodyBytes ?? API_MAX_BODY_BYTES,
    ...(options.onError ? { onInternalError: options.onError } : {}),
  });
  return { ...server, origin: server.origin, port: server.port, close: () => server.close(), loginUrl: () => `${server.origin}/?token=${access.newLogin()}` };
}
