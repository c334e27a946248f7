// The Embedder interface (documents and queries with the model's prefixes), the backends' own
// interface, the spec that re-creates one, and vector helpers shared by the backends.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CairnError } from '../contract/index.ts';

/**
 * A model that turns texts into vectors exactly as given: what each backend provides (a GGUF file
 * run by llama.cpp, an OpenAI-compatible server). The rest of Cairn uses it through an Embedder.
 */
export interface EmbeddingBackend {
  /** The model's identity, e.g. 'gguf:stories260K.gguf:1185376' or 'openai:http://127.0.0.1:8080/v1:nomic-embed-text'. */
  readonly key: string;
  readonly spec: EmbedderSpec;
  readonly dimensions: number;
  /** Most tokens one input may have (as counted by countTokens). */
  readonly maxTokens: number;
  /** Whether embed() itself cuts a text over maxTokens (its countTokens is then exact); otherwise a server decides. */
  readonly cutsLongTexts?: boolean;
  /** Token count with this model's tokenizer (approximate for remote models: see each backend). */
  countTokens(text: string): number;
  /**
   * One L2-normalised vector per text, same order. Batches internally as suits the backend.
   * An empty string has nothing to embed and gets the zero vector. Texts over maxTokens are
   * truncated (GGUF) or left to the server (OpenAI-compatible).
   */
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/**
 * What a model wants before a search query and before a document (e.g. nomic-embed-text's
 * "search_query: " and "search_document: "); '' for none. Retrieval models are trained with them:
 * left out, queries land further from the passages that answer them.
 */
export interface Prefixes {
  query: string;
  document: string;
}

/**
 * An embedding model as Cairn uses it: documents and queries are embedded by different calls, so
 * that each gets the prefix the model was trained with, and no caller can forget it.
 */
export interface Embedder {
  /**
   * Names the vector set: the model's key, and its prefixes when it has any (they change the
   * vectors). Vectors from different keys never mix.
   */
  readonly key: string;
  /** Serialisable description to re-create this embedder later (stored in the library DB; no secrets in it). */
  readonly spec: EmbedderSpec;
  readonly dimensions: number;
  readonly prefixes: Prefixes;
  /**
   * Most tokens a document's text may have (as counted by countTokens): the model's input less its
   * document prefix. The chunker keeps chunks under it.
   */
  readonly maxTokens: number;
  countTokens(text: string): number;
  /** Documents (chunks, web pages): one vector per text, each embedded with the document prefix. */
  embed(documents: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** A search query, embedded with the query prefix. */
  embedQuery(query: string, signal?: AbortSignal): Promise<Float32Array>;
  /** The model underneath, for texts to embed exactly as given (the local API's clients' own text). */
  readonly raw: EmbeddingBackend;
  close(): Promise<void>;
}

/** Prefixes, up to this many characters each: real ones are a few words. */
const maxPrefixLength = 500;

export type EmbedderSpec =
  | ({ type: 'gguf'; modelPath: string; contextSize?: number; threads?: number; gpu?: 'auto' | false } & SpecPrefixes)
  // No apiKey here: specs are stored in the library DB, secrets come separately.
  | ({ type: 'openai'; baseUrl: string; model: string; dimensions?: number; maxTokens?: number } & SpecPrefixes);

/** A spec's prefixes: none when absent ('' says none too, and keeps a catalog model's from being filled in). */
interface SpecPrefixes {
  queryPrefix?: string;
  documentPrefix?: string;
}

const prefixFields = {
  queryPrefix: z.string().max(maxPrefixLength).optional(),
  documentPrefix: z.string().max(maxPrefixLength).optional(),
};

const GgufSpecSchema = z.object({
  type: z.literal('gguf'),
  modelPath: z.string().min(1),
  contextSize: z.number().int().min(16).optional(),
  threads: z.number().int().min(1).max(1024).optional(),
  gpu: z.union([z.literal('auto'), z.literal(false)]).optional(),
  ...prefixFields,
});

const OpenAiSpecSchema = z.object({
  type: z.literal('openai'),
  baseUrl: z.url({ protocol: /^https?$/ }),
  model: z.string().min(1),
  dimensions: z.number().int().positive().optional(),
  maxTokens: z.number().int().positive().optional(),
  ...prefixFields,
});

/** Validates specs read back from the DB. Unknown keys (an apiKey stored by mistake, say) are dropped. */
export const EmbedderSpecSchema: z.ZodType<EmbedderSpec> = z.discriminatedUnion('type', [
  GgufSpecSchema,
  OpenAiSpecSchema,
]);

/** A backend asked for documents and queries with the prefixes its spec names. */
export class PrefixedEmbedder implements Embedder {
  readonly key: string;
  readonly spec: EmbedderSpec;
  readonly dimensions: number;
  readonly prefixes: Prefixes;
  readonly maxTokens: number;
  readonly raw: EmbeddingBackend;

  constructor(backend: EmbeddingBackend) {
    this.raw = backend;
    this.spec = backend.spec;
    this.dimensions = backend.dimensions;
    this.prefixes = { query: backend.spec.queryPrefix ?? '', document: backend.spec.documentPrefix ?? '' };
    this.key = prefixedKey(backend.key, this.prefixes);
    this.maxTokens = backend.maxTokens - backend.countTokens(this.prefixes.document);
    if (this.maxTokens < 1) {
      throw new CairnError('embedder-bad-spec', `The document prefix leaves no room for text: the model takes ${backend.maxTokens} tokens in all.`);
    }
  }

  countTokens(text: string): number {
    return this.raw.countTokens(text);
  }

  // An empty text stays empty (the zero vector): a prefix alone says nothing about it.
  embed(documents: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    return this.raw.embed(documents.map((text) => text && this.prefixes.document + text), signal);
  }

  async embedQuery(query: string, signal?: AbortSignal): Promise<Float32Array> {
    const [vector] = await this.raw.embed([query && this.prefixes.query + query], signal);
    return vector!;
  }

  close(): Promise<void> {
    return this.raw.close();
  }
}

/**
 * The model's key, unchanged without prefixes (libraries embedded before prefixes keep their
 * vectors); with them, a short hash of both is added: vectors made with other prefixes never mix.
 */
function prefixedKey(modelKey: string, prefixes: Prefixes): string {
  if (prefixes.query === '' && prefixes.document === '') return modelKey;
  const hash = createHash('sha256').update(JSON.stringify([prefixes.query, prefixes.document])).digest('hex').slice(0, 12);
  return `${modelKey}:prefixes-${hash}`;
}

/** Scales `v` in place to unit length and returns it; the zero vector stays zero. */
export function normalize(v: Float32Array): Float32Array {
  let sumOfSquares = 0;
  for (const x of v) sumOfSquares += x * x;
  if (sumOfSquares === 0) return v;
  const scale = 1 / Math.sqrt(sumOfSquares);
  for (let i = 0; i < v.length; i++) v[i]! *= scale;
  return v;
}
