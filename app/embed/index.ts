// Turns text into vectors for semantic search: the Embedder interface and its backends
// (a GGUF model run in-process by llama.cpp, or any OpenAI-compatible /v1/embeddings server).
import { CairnError } from '../contract/index.ts';
import { EmbedderSpecSchema, PrefixedEmbedder, type Embedder, type EmbedderSpec, type EmbeddingBackend } from './embedder.ts';
import { GgufEmbedder } from './gguf.ts';
import { OpenAiEmbedder } from './openai.ts';

export { EmbedderSpecSchema, normalize, PrefixedEmbedder, type Embedder, type EmbedderSpec, type EmbeddingBackend, type Prefixes } from './embedder.ts';
export { GgufEmbedder } from './gguf.ts';
export { OpenAiEmbedder, type OpenAiEmbedderOptions } from './openai.ts';

/**
 * Opens the embedder a spec describes (validated first: specs come back from the DB), with the
 * prefixes the spec names and no others: a catalog model's are filled in by whoever chooses it.
 */
export async function openEmbedder(spec: EmbedderSpec, secrets: { apiKey?: string } = {}): Promise<Embedder> {
  const parsed = EmbedderSpecSchema.safeParse(spec);
  if (!parsed.success) {
    throw new CairnError('embedder-bad-spec', `The embedder settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const valid = parsed.data;
  const backend: EmbeddingBackend = valid.type === 'gguf' ? await GgufEmbedder.open(valid) : await OpenAiEmbedder.open(valid, { apiKey: secrets.apiKey });
  try {
    return new PrefixedEmbedder(backend);
  } catch (error) {
    await backend.close();
    throw error;
  }
}
