// The GGUF backend: an embedding model run in this process by llama.cpp (through node-llama-cpp).
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Llama, LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import { CairnError } from '../contract/index.ts';
import { defaultThreads, getLlamaRuntime } from '../../native/llama.ts';
import { normalize, type Embedder, type EmbedderSpec } from './embedder.ts';

export type GgufEmbedderSpec = Extract<EmbedderSpec, { type: 'gguf' }>;

/** Context used when the spec names none: enough for typical chunks, small in memory. */
const defaultContextSize = 512;

export class GgufEmbedder implements Embedder {
  readonly key: string;
  readonly spec: GgufEmbedderSpec;
  readonly dimensions: number;
  readonly maxTokens: number;
  readonly cutsLongTexts = true;
  readonly #model: LlamaModel;
  readonly #context: LlamaEmbeddingContext;
  #closing: Promise<void> | undefined;

  private constructor(spec: GgufEmbedderSpec, key: string, model: LlamaModel, context: LlamaEmbeddingContext, contextSize: number) {
    this.spec = spec;
    this.key = key;
    this.#model = model;
    this.#context = context;
    this.dimensions = model.embeddingVectorSize;
    // What the runtime gives, never a catalog's or model card's figure: `contextSize` is at most the
    // context the GGUF says it runs at (nomic-embed-text-v1.5: 2,048, not its card's 8,192), and an
    // input must fit one batch of that size (node-llama-cpp may pad the context itself up to a
    // multiple of 256, never the batch). node-llama-cpp rejects inputs of contextSize tokens or
    // more, counting the BOS/EOS it adds; calculateInputLength([]) is exactly the number of those.
    this.maxTokens = contextSize - 1 - context.calculateInputLength([]);
  }

  static async open(spec: GgufEmbedderSpec): Promise<GgufEmbedder> {
    // The file size is in the key so that a different file under the same name never shares vectors.
    const fileSize = await modelFileSize(spec.modelPath);
    const model = await loadModel(spec);
    try {
      // llama.cpp runs a model at most at the context its GGUF states (it has no rope scaling to stretch it here).
      const trained = model.trainContextSize > 0 ? model.trainContextSize : Infinity;
      const contextSize = Math.min(spec.contextSize ?? defaultContextSize, trained);
      const context = await model.createEmbeddingContext({
        contextSize,
        // The whole input in one batch: pooled embeddings (mean/CLS) are computed per batch, and
        // non-causal models (BERT-like) refuse inputs split across batches.
        batchSize: contextSize,
        // Always explicit: node-llama-cpp's default thread count spin-waits and was ~50x slower on a busy 2-core machine.
        threads: spec.threads ?? defaultThreads(),
      });
      const key = `gguf:${basename(spec.modelPath)}:${fileSize}`;
      return new GgufEmbedder({ ...spec }, key, model, context, contextSize);
    } catch (error) {
      await model.dispose();
      throw new CairnError('embedder-load-failed', `Cannot start the embedding model ${spec.modelPath}: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** Text tokens only (no BOS/EOS), the same count that maxTokens bounds. */
  countTokens(text: string): number {
    return this.#model.tokenize(text).length;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (this.#closing) throw new CairnError('embedder-closed', 'The embedding model was closed');
    // One text at a time through the same context: node-llama-cpp's embedding context has a single
    // sequence and reads the embedding of sequence 0, so texts cannot share one evaluation.
    const vectors: Float32Array[] = [];
    for (const text of texts) {
      signal?.throwIfAborted();
      vectors.push(await this.#embedOne(text));
    }
    return vectors;
  }

  async #embedOne(text: string): Promise<Float32Array> {
    // Tokenised here (not by getEmbeddingFor) so that over-long texts are cut to fit instead of throwing.
    const tokens = this.#model.tokenize(text).slice(0, this.maxTokens);
    if (tokens.length === 0) return new Float32Array(this.dimensions);
    const { vector } = await this.#context.getEmbeddingFor(tokens);
    if (vector.length !== this.dimensions) {
      throw new CairnError('embedder-bad-response', `The embedding model returned ${vector.length} numbers, expected ${this.dimensions}`);
    }
    // llama.cpp does not normalise embeddings (norms of ~16 were seen); cosine and dot must agree.
    return normalize(Float32Array.from(vector));
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#context.dispose();
      await this.#model.dispose();
    })();
    return this.#closing;
  }
}

async function modelFileSize(modelPath: string): Promise<number> {
  try {
    const info = await stat(modelPath);
    if (!info.isFile()) throw new Error('not a file');
    return info.size;
  } catch (error) {
    throw new CairnError('embedder-model-missing', `The embedding model file ${modelPath} cannot be read: ${errorMessage(error)}`, { cause: error });
  }
}

/** Loads on the GPU when asked and possible; a model that fails there (e.g. VRAM taken by the chat model) is retried on the CPU. */
async function loadModel(spec: GgufEmbedderSpec): Promise<LlamaModel> {
  const load = async (llama: Llama) => llama.loadModel({ modelPath: spec.modelPath });
  let llama: Llama;
  try {
    llama = await getLlamaRuntime({ gpu: spec.gpu ?? 'auto' });
  } catch (error) {
    throw new CairnError('embedder-load-failed', `llama.cpp could not be loaded: ${errorMessage(error)}`, { cause: error });
  }
  try {
    return await load(llama);
  } catch (error) {
    if (llama.gpu !== false) {
      try {
        return await load(await getLlamaRuntime({ gpu: false }));
      } catch {
        // Report the first failure: the GPU attempt is what the user asked for.
      }
    }
    throw new CairnError('embedder-load-failed', `Cannot load the embedding model ${spec.modelPath}: ${errorMessage(error)}`, { cause: error });
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
