// Whether a file is a whole GGUF model: the magic bytes, a header llama.cpp's reader can parse,
// and as many bytes as its tensors need (a cut-short download has a good header but too few).
import { stat } from 'node:fs/promises';
import { GgufInsights, readGgufFileInfo } from 'node-llama-cpp';
import { getLlamaRuntime } from '../../native/llama.ts';
import { hasGgufMagic } from './local-chat-model.ts';

export type GgufCheck =
  | { ok: true; sizeBytes: number; architecture: string | null; /** Bytes the header and tensors take. */ expectedBytes: number }
  | { ok: false; sizeBytes: number; architecture: string | null; problem: string };

/** Metadata not needed to check a file, and the bulk of most headers (a 150k-token vocabulary is megabytes). */
const skippedKeys = ['tokenizer.ggml.tokens', 'tokenizer.ggml.scores', 'tokenizer.ggml.token_type', 'tokenizer.ggml.merges', 'tokenizer.chat_template'];

export async function checkGgufFile(path: string, signal?: AbortSignal): Promise<GgufCheck> {
  let sizeBytes: number;
  try {
    sizeBytes = (await stat(path)).size;
  } catch (error) {
    return { ok: false, sizeBytes: 0, architecture: null, problem: `cannot be read: ${(error as Error).message}` };
  }
  if (!(await hasGgufMagic(path, sizeBytes))) return { ok: false, sizeBytes, architecture: null, problem: 'not a GGUF file (it does not start with "GGUF")' };
  let architecture: string | null = null;
  try {
    const info = await readGgufFileInfo(path, { sourceType: 'filesystem', ignoreKeys: skippedKeys, logWarnings: false, ...(signal ? { signal } : {}) });
    architecture = info.metadata.general?.architecture ?? null;
    if (info.splicedParts > 1) return { ok: false, sizeBytes, architecture, problem: 'one part of a split GGUF model: Cairn needs the model in a single file' };
    // The tensor sizes depend on ggml's block sizes, which only the native library knows.
    const insights = await GgufInsights.from(info, await getLlamaRuntime({ gpu: false }));
    const expectedBytes = (info.infoEndOffset ?? 0) + insights.modelSize;
    if (sizeBytes < expectedBytes) {
      return { ok: false, sizeBytes, architecture, problem: `cut short: ${sizeBytes} of the ${expectedBytes} bytes its header describes` };
    }
    return { ok: true, sizeBytes, architecture, expectedBytes };
  } catch (error) {
    signal?.throwIfAborted();
    return { ok: false, sizeBytes, architecture, problem: `a damaged GGUF header: ${(error as Error).message}` };
  }
}
