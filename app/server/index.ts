// Cairn over HTTP on 127.0.0.1: the opt-in OpenAI-compatible local API (api.ts) on a small HTTP
// core (http.ts) that web mode's routes will share, behind a bearer token.
import { apiRoutes, openAiErrorBody, type ApiEngine } from './api.ts';
import { startHttpServer, type RunningServer } from './http.ts';
import { bearerMatches } from './token.ts';

export { apiRoutes, MODEL_ALIAS, openAiErrorBody, type ApiEngine, type ApiRoutesOptions } from './api.ts';
export { prepareGroundedAnswer, questionAndHistory, toApiCitation, type ApiCitation, type GroundedInput, type GroundedPreparation } from './grounded.ts';
export { EventStream, HttpError, LOOPBACK_HOST, loopbackOnly, sendJson, startHttpServer, type HttpServerOptions, type RequestContext, type Route, type RunningServer } from './http.ts';
export { ModelQueue } from './queue.ts';
export { API_TOKEN_SETTING, bearerMatches, newApiToken, resolveApiToken } from './token.ts';

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
