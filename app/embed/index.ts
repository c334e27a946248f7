// Turns text into vectors for semantic search: the Embedder interface and its backends
// (a GGUF model run in-process by llama.cpp, or any OpenAI-compatible /v1/embeddings server).
import { CairnError } from '../contract/index.ts';
import { EmbedderSpecSchema, type Embedder, type EmbedderSpec } from './embedder.ts';
import { GgufEmbedder } from './gguf.ts';
import { OpenAiEmbedder } from './openai.ts';

export { EmbedderSpecSchema, normalize, type Embedder, type EmbedderSpec } from './embedder.ts';
export { GgufEmbedder } from './gguf.ts';
export { OpenAiEmbedder, type OpenAiEmbedderOptions } from './openai.ts';

/** Opens the embedder a spec describes (validated first: specs come back from the DB). */
export async function openEmbedder(spec: EmbedderSpec, secrets: { apiKey?: string } = {}): Promise<Embedder> {
  const parsed = EmbedderSpecSchema.safeParse(spec);
  if (!parsed.success) {
    throw new CairnError('embedder-bad-spec', `The embedder settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const valid = parsed.data;
  if (valid.type === 'gguf') return GgufEmbedder.open(valid);
  return OpenAiEmbedder.open(valid, { apiKey: secrets.apiKey });
}
