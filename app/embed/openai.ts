// The remote backend: any server that speaks OpenAI's POST /v1/embeddings (llama-server, Ollama,
// LM Studio, vLLM, OpenAI itself).
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { CairnError } from '../contract/index.ts';
import { normalize, type EmbedderSpec, type EmbeddingBackend } from './embedder.ts';
import { estimateServerTokens, networkReason, serverMessage, truncateMessage } from '../net/index.ts';

export type OpenAiEmbedderSpec = Extract<EmbedderSpec, { type: 'openai' }>;

export interface OpenAiEmbedderOptions {
  apiKey?: string;
  /** Limit for one request, answer included, in ms. Default 30 s. */
  timeoutMs?: number;
  /** Waits before each retry, in ms: its length is the number of retries. Default [500, 2000] (3 tries). */
  retryDelaysMs?: number[];
  /** The longest Retry-After honoured, in ms. Default 10 s. */
  maxRetryAfterMs?: number;
}

/** Inputs per request: OpenAI accepts up to 2048, but local servers process a request at once and time out on big ones. */
const maxInputsPerRequest = 64;
/** When the spec names none: what most small embedding models (BERT-sized) accept. */
const defaultMaxTokens = 512;

const EmbeddingsResponse = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});

interface Connection {
  readonly baseUrl: string;
  readonly model: string;
  readonly apiKey: string | undefined;
  readonly timeoutMs: number;
  readonly retryDelaysMs: number[];
  readonly maxRetryAfterMs: number;
}

export class OpenAiEmbedder implements EmbeddingBackend {
  readonly key: string;
  readonly spec: OpenAiEmbedderSpec;
  readonly dimensions: number;
  readonly maxTokens: number;
  readonly #connection: Connection;
  #closed = false;

  private constructor(spec: OpenAiEmbedderSpec, connection: Connection, dimensions: number) {
    this.spec = spec;
    this.#connection = connection;
    this.key = `openai:${connection.baseUrl}:${spec.model}`;
    this.dimensions = dimensions;
    this.maxTokens = spec.maxTokens ?? defaultMaxTokens;
  }

  /** Without spec.dimensions, one small request finds them (so the server must be up); with them, nothing is sent until embed(). */
  static async open(spec: OpenAiEmbedderSpec, options: OpenAiEmbedderOptions = {}): Promise<OpenAiEmbedder> {
    const connection: Connection = {
      baseUrl: spec.baseUrl.replace(/\/+$/, ''),
      model: spec.model,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs ?? 30_000,
      retryDelaysMs: options.retryDelaysMs ?? [500, 2000],
      maxRetryAfterMs: options.maxRetryAfterMs ?? 10_000,
    };
    let dimensions = spec.dimensions;
    if (dimensions === undefined) {
      const [probe] = await requestEmbeddings(connection, ['dimension probe']);
      dimensions = probe!.length;
      if (dimensions === 0) throw new CairnError('embedder-bad-response', `The embedding server at ${connection.baseUrl} returned an empty vector`);
    }
    // The spec records the dimensions found, so re-opening it later (from the library) sends nothing.
    return new OpenAiEmbedder({ ...spec, dimensions }, connection, dimensions);
  }

  /** An estimate: the server's tokenizer is not at hand (see estimateServerTokens). */
  countTokens(text: string): number {
    return estimateServerTokens(text);
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (this.#closed) throw new CairnError('embedder-closed', 'The embedder was closed');
    // Empty strings are not sent: OpenAI refuses them, and there is nothing to embed.
    const vectors: Float32Array[] = texts.map(() => new Float32Array(this.dimensions));
    const toSend = texts.flatMap((text, i) => (text === '' ? [] : [i]));
    for (let start = 0; start < toSend.length; start += maxInputsPerRequest) {
      const positions = toSend.slice(start, start + maxInputsPerRequest);
      const embeddings = await requestEmbeddings(this.#connection, positions.map((i) => texts[i]!), signal);
      embeddings.forEach((embedding, j) => {
        if (embedding.length !== this.dimensions) {
          throw new CairnError(
            'embedder-bad-response',
            `The embedding server at ${this.#connection.baseUrl} returned vectors of ${embedding.length} numbers, expected ${this.dimensions} for ${this.spec.model}`,
          );
        }
        vectors[positions[j]!] = normalize(Float32Array.from(embedding));
      });
    }
    return vectors;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

type Attempt =
  | { ok: true; embeddings: number[][] }
  | { ok: false; error: CairnError; retry: boolean; retryAfterMs?: number };

/** One batch, retried on 429, 5xx and connection failures; embeddings in input order. */
async function requestEmbeddings(connection: Connection, inputs: string[], signal?: AbortSignal): Promise<number[][]> {
  for (let retries = 0; ; retries++) {
    const attempt = await postOnce(connection, inputs, signal);
    if (attempt.ok) return attempt.embeddings;
    const delay = connection.retryDelaysMs[retries];
    if (!attempt.retry || delay === undefined) throw attempt.error;
    await sleep(attempt.retryAfterMs ?? delay, undefined, signal ? { signal } : {});
  }
}

async function postOnce(connection: Connection, inputs: string[], signal?: AbortSignal): Promise<Attempt> {
  const { baseUrl } = connection;
  const timeout = AbortSignal.timeout(connection.timeoutMs);
  let response: Response;
  let body: string;
  try {
    response = await fetch(`${baseUrl}/embeddings`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(connection.apiKey ? { authorization: `Bearer ${connection.apiKey}` } : {}),
      },
      body: JSON.stringify({ model: connection.model, input: inputs }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    body = await response.text();
  } catch (error) {
    if (signal?.aborted) throw signal.reason; // the caller cancelled: not the server's fault
    if (timeout.aborted) {
      // Not retried: a server that sat on a batch this long would likely do it again, tripling the wait.
      return fail('embedder-unreachable', `Cannot reach the embedding server at ${baseUrl}: no answer within ${connection.timeoutMs / 1000} s`, false, error);
    }
    // Retried: a local server may be starting up or restarting.
    return fail('embedder-unreachable', `Cannot reach the embedding server at ${baseUrl}: ${networkReason(error)}`, true, error);
  }

  if (response.status === 401 || response.status === 403) {
    const hint = connection.apiKey ? '' : ' (none was given)';
    return fail('embedder-auth', `The embedding server rejected the API key${hint}: HTTP ${response.status} from ${baseUrl}`, false);
  }
  if (!response.ok) {
    const message = `The embedding server at ${baseUrl} answered HTTP ${response.status}${serverMessage(body)}`;
    const transient = response.status === 429 || response.status >= 500;
    return { ok: false, error: new CairnError('embedder-error', message), retry: transient, ...retryAfter(response, connection) };
  }

  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return fail('embedder-bad-response', `The embedding server at ${baseUrl} did not answer with JSON: ${truncateMessage(body)}`, false, error);
  }
  const parsed = EmbeddingsResponse.safeParse(json);
  if (!parsed.success) {
    return fail('embedder-bad-response', `The embedding server at ${baseUrl} answered in an unexpected shape: ${truncateMessage(z.prettifyError(parsed.error))}`, false);
  }
  // Servers may answer out of order (OpenAI says to rely on `index`): place each by its index.
  const embeddings: number[][] = new Array(inputs.length);
  for (const item of parsed.data.data) {
    if (item.index >= inputs.length || embeddings[item.index] !== undefined) {
      return fail('embedder-bad-response', `The embedding server at ${baseUrl} answered with a wrong or repeated index ${item.index}`, false);
    }
    embeddings[item.index] = item.embedding;
  }
  if (parsed.data.data.length !== inputs.length) {
    return fail('embedder-bad-response', `The embedding server at ${baseUrl} returned ${parsed.data.data.length} vectors for ${inputs.length} texts`, false);
  }
  return { ok: true, embeddings };
}

function fail(code: string, message: string, retry: boolean, cause?: unknown): Attempt {
  return { ok: false, error: new CairnError(code, message, { cause }), retry };
}

/** Retry-After in seconds or as an HTTP date, capped so that a server cannot stall an import for long. */
function retryAfter(response: Response, connection: Connection): { retryAfterMs?: number } {
  const header = response.headers.get('retry-after');
  if (header === null) return {};
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  if (!Number.isFinite(ms)) return {};
  return { retryAfterMs: Math.min(Math.max(ms, 0), connection.maxRetryAfterMs) };
}
