// POST /v1/embeddings: texts, or token arrays as OpenAI reads them (cl100k_base tokens, what
// OpenAI's embedding models and Python LangChain use: they are decoded to text, then embedded by
// the library's model, whatever its own tokenizer). Requests that arrive while the model is busy
// are gathered and embedded together in one call, so a burst of clients is served rather than
// turned away; an input longer than the model takes is cut, and the response says so.
import { z } from 'zod';
import { CairnError } from '../contract/index.ts';
import type { Embedder } from '../embed/index.ts';
import { HttpError, sendJson, type RequestContext } from './http.ts';
import { parseBody } from './openai-request.ts';

/** Inputs one embeddings request may hold (OpenAI's limit). */
const MAX_EMBEDDING_INPUTS = 2048;
/** The last token id of cl100k_base (ordinary tokens end at 100255; special ones run 100257–100276). */
const CL100K_LAST_TOKEN = 100_276;

const EmbeddingsRequest = z.strictObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.unknown())]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.number().int().min(1).nullish(),
  user: z.string().optional(),
});

/** Input texts as the request gave them: a string, strings, a token array, or token arrays. */
async function inputTexts(input: string | unknown[]): Promise<string[]> {
  if (typeof input === 'string') {
    if (input === '') throw new HttpError(400, 'invalid_request', "'input' must not be empty.", { param: 'input' });
    return [input];
  }
  if (input.length === 0) throw new HttpError(400, 'invalid_request', "'input' must not be an empty array.", { param: 'input' });
  // One array of numbers is one input; an array of arrays is several.
  const items = input.every((x) => typeof x === 'number') ? [input as number[]] : input;
  if (items.length > MAX_EMBEDDING_INPUTS) throw new HttpError(400, 'invalid_request', `'input' may hold at most ${MAX_EMBEDDING_INPUTS} inputs.`, { param: 'input' });
  const texts: string[] = [];
  for (const [i, item] of items.entries()) {
    const param = items === input ? `input[${i}]` : 'input';
    if (typeof item === 'string') {
      if (item === '') throw new HttpError(400, 'invalid_request', `'${param}' must not be empty.`, { param });
      texts.push(item);
    } else if (Array.isArray(item)) {
      if (item.length === 0) throw new HttpError(400, 'invalid_request', `'${param}' must not be an empty token array.`, { param });
      const bad = item.findIndex((t) => typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > CL100K_LAST_TOKEN || t === 100_256);
      if (bad >= 0) throw new HttpError(400, 'invalid_request', `'${param}[${bad}]' is not a cl100k_base token id (token arrays are read as OpenAI's cl100k_base tokens).`, { param });
      texts.push((await cl100k()).decode(item as number[]));
    } else {
      throw new HttpError(400, 'invalid_request', `'${param}' must be a string or an array of token ids.`, { param });
    }
  }
  return texts;
}

let tokenizer: Promise<{ decode(tokens: number[]): string }> | undefined;

/** OpenAI's cl100k_base tokenizer, loaded on the first token array (its table is a megabyte). */
function cl100k(): Promise<{ decode(tokens: number[]): string }> {
  tokenizer ??= (async () => {
    const [{ Tiktoken }, ranks] = await Promise.all([import('js-tiktoken/lite'), import('js-tiktoken/ranks/cl100k_base')]);
    return new Tiktoken(ranks.default);
  })();
  return tokenizer;
}

interface Waiting {
  texts: string[];
  signal: AbortSignal;
  resolve(vectors: Float32Array[]): void;
  reject(error: unknown): void;
}

/**
 * Embeds the texts of many requests together: while one call runs, requests wait, and the next
 * call takes all of them (up to `maxBatch` texts). The line holds at most `maxWaitingTexts`
 * texts; past that a request gets 429.
 */
export class EmbeddingBatcher {
  private readonly embedder: Embedder;
  private readonly maxBatch: number;
  private readonly maxWaitingTexts: number;
  private readonly waiting: Waiting[] = [];
  private waitingTexts = 0;
  private running = false;

  constructor(embedder: Embedder, options: { maxBatch?: number; maxWaitingTexts?: number } = {}) {
    this.embedder = embedder;
    this.maxBatch = options.maxBatch ?? 256;
    this.maxWaitingTexts = options.maxWaitingTexts ?? 32_768;
  }

  embed(texts: string[], signal: AbortSignal): Promise<Float32Array[]> {
    signal.throwIfAborted();
    if (this.waitingTexts + texts.length > this.maxWaitingTexts) {
      throw new HttpError(429, 'model_busy', `The embedding model is busy (${this.waitingTexts} texts waiting). Try again shortly.`, { headers: { 'Retry-After': '5' } });
    }
    return new Promise<Float32Array[]>((resolve, reject) => {
      const entry: Waiting = { texts, signal, resolve, reject };
      this.waiting.push(entry);
      this.waitingTexts += texts.length;
      signal.addEventListener(
        'abort',
        () => {
          const at = this.waiting.indexOf(entry);
          if (at < 0) return; // already being embedded
          this.waiting.splice(at, 1);
          this.waitingTexts -= texts.length;
          reject(signal.reason);
        },
        { once: true },
      );
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const batch: Waiting[] = [];
        let size = 0;
        while (this.waiting.length > 0 && (batch.length === 0 || size + this.waiting[0]!.texts.length <= this.maxBatch)) {
          const next = this.waiting.shift()!;
          batch.push(next);
          size += next.texts.length;
        }
        this.waitingTexts -= size;
        // The call stops only when every request in it has gone.
        const everyoneLeft = new AbortController();
        let left = 0;
        for (const entry of batch) {
          if (entry.signal.aborted) left++;
          else entry.signal.addEventListener('abort', () => ++left === batch.length && everyoneLeft.abort(), { once: true });
        }
        if (left === batch.length) continue;
        try {
          const vectors = await this.embedder.embed(batch.flatMap((entry) => entry.texts), everyoneLeft.signal);
          let at = 0;
          for (const entry of batch) {
            entry.resolve(vectors.slice(at, at + entry.texts.length));
            at += entry.texts.length;
          }
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

export interface EmbeddingsRouteOptions {
  /** The embedder now, or why there is none. */
  embedder(): Embedder;
  /** Whether a request's model name means this embedder. */
  accepts(model: string, embedder: Embedder): boolean;
  onError?(error: unknown): void;
}

/** The handler of POST /v1/embeddings. */
export function embeddingsHandler(options: EmbeddingsRouteOptions): (context: RequestContext) => Promise<void> {
  const batchers = new WeakMap<Embedder, EmbeddingBatcher>();
  return async (context) => {
    const body = parseBody(EmbeddingsRequest, await context.readJson());
    const embedder = options.embedder();
    if (!options.accepts(body.model, embedder)) throw new HttpError(404, 'model_not_found', `The embedding model '${body.model}' does not exist here (GET /v1/models lists them).`, { param: 'model' });
    if (body.dimensions != null && body.dimensions !== embedder.dimensions) {
      throw new HttpError(400, 'invalid_request', `This embedding model gives ${embedder.dimensions} dimensions; it cannot give ${body.dimensions}.`, { param: 'dimensions' });
    }
    const texts = await inputTexts(body.input);
    let batcher = batchers.get(embedder);
    if (!batcher) batchers.set(embedder, (batcher = new EmbeddingBatcher(embedder)));
    let vectors: Float32Array[];
    try {
      vectors = await batcher.embed(texts, context.signal);
    } catch (error) {
      if (context.signal.aborted || error instanceof HttpError) throw error;
      options.onError?.(error);
      throw new HttpError(500, 'model_error', error instanceof CairnError ? error.message : `The embedding model failed: ${(error as Error).message}`);
    }
    const counts = texts.map((text) => embedder.countTokens(text));
    // A model that cuts long inputs itself says how many tokens it keeps; a server decides for itself.
    const truncated = embedder.cutsLongTexts ? counts.flatMap((tokens, index) => (tokens > embedder.maxTokens ? [{ index, tokens, kept: embedder.maxTokens }] : [])) : [];
    const tokens = counts.reduce((sum, n) => sum + Math.min(n, embedder.cutsLongTexts ? embedder.maxTokens : n), 0);
    const base64 = body.encoding_format === 'base64';
    sendJson(
      context.res,
      200,
      {
        object: 'list',
        data: vectors.map((v, index) => ({
          object: 'embedding',
          index,
          // base64: the little-endian float32 bytes, as OpenAI sends them.
          embedding: base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v),
        })),
        model: embedder.key,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
        ...(truncated.length ? { cairn: { truncated } } : {}),
      },
      truncated.length ? { 'Cairn-Truncated-Inputs': truncated.map((t) => t.index).join(',') } : {},
    );
  };
}
