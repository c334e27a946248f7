// The Embedder interface, the spec that re-creates one, and vector helpers shared by the backends.
import { z } from 'zod';

export interface Embedder {
  /**
   * Stable identity of the model: vectors from different keys never mix.
   * e.g. 'gguf:stories260K.gguf:1185376' or 'openai:http://127.0.0.1:8080/v1:nomic-embed-text'.
   */
  readonly key: string;
  /** Serialisable description to re-create this embedder later (stored in the library DB; no secrets in it). */
  readonly spec: EmbedderSpec;
  readonly dimensions: number;
  /** Most tokens one input may have (as counted by countTokens); the chunker keeps chunks under it. */
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

export type EmbedderSpec =
  | { type: 'gguf'; modelPath: string; contextSize?: number; threads?: number; gpu?: 'auto' | false }
  // No apiKey here: specs are stored in the library DB, secrets come separately.
  | { type: 'openai'; baseUrl: string; model: string; dimensions?: number; maxTokens?: number };

const GgufSpecSchema = z.object({
  type: z.literal('gguf'),
  modelPath: z.string().min(1),
  contextSize: z.number().int().min(16).optional(),
  threads: z.number().int().min(1).max(1024).optional(),
  gpu: z.union([z.literal('auto'), z.literal(false)]).optional(),
});

const OpenAiSpecSchema = z.object({
  type: z.literal('openai'),
  baseUrl: z.url({ protocol: /^https?$/ }),
  model: z.string().min(1),
  dimensions: z.number().int().positive().optional(),
  maxTokens: z.number().int().positive().optional(),
});

/** Validates specs read back from the DB. Unknown keys (an apiKey stored by mistake, say) are dropped. */
export const EmbedderSpecSchema: z.ZodType<EmbedderSpec> = z.discriminatedUnion('type', [
  GgufSpecSchema,
  OpenAiSpecSchema,
]);

/** Scales `v` in place to unit length and returns it; the zero vector stays zero. */
export function normalize(v: Float32Array): Float32Array {
  let sumOfSquares = 0;
  for (const x of v) sumOfSquares += x * x;
  if (sumOfSquares === 0) return v;
  const scale = 1 / Math.sqrt(sumOfSquares);
  for (let i = 0; i < v.length; i++) v[i]! *= scale;
  return v;
}
