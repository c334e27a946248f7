// Model-related types of the contract: the machine as llama.cpp sees it, the model catalog, the
// model files on disk and download progress. No Node imports: the renderer compiles against it.
import { z } from 'zod';

/** What llama.cpp chose on this machine, and the memory models must fit in. */
export const HardwareReport = z.object({
  /** Whether llama.cpp could be loaded at all. */
  ok: z.boolean(),
  backend: z.enum(['cuda', 'metal', 'vulkan', 'cpu']),
  /** GPU device names; empty on the CPU backend. */
  devices: z.array(z.string()),
  vramTotalBytes: z.number().nullable(),
  vramFreeBytes: z.number().nullable(),
  ramTotalBytes: z.number(),
  ramFreeBytes: z.number(),
  /** Threads a local model runs on (one core is left to the rest of the app). */
  cpuThreads: z.number().int(),
  cpuCores: z.number().int(),
  /** Why llama.cpp could not be loaded (ok is false). */
  error: z.string().optional(),
  /** E.g. the GPU build failed to load and the CPU is used instead. */
  warning: z.string().optional(),
});
export type HardwareReport = z.infer<typeof HardwareReport>;

export const ModelRole = z.enum(['chat', 'embedding']);
export type ModelRole = z.infer<typeof ModelRole>;

/** One recommended model of the catalog (resources/models.json). Sizes are approximate. */
export const CatalogModel = z.object({
  /** Stable short name used on the command line, e.g. "qwen3-4b". */
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  name: z.string(),
  role: ModelRole,
  /** The file's name once downloaded. */
  file: z.string().regex(/^[^/\\]+\.gguf$/),
  url: z.url({ protocol: /^https$/ }),
  /** The file's SHA-256 (lower-case hex) when it is known: a download that differs is not used unless the user accepts it. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 is 64 lower-case hexadecimal digits').optional(),
  /** The repository the file comes from, e.g. "Qwen/Qwen3-4B-GGUF". */
  sourceRepo: z.string(),
  license: z.string(),
  /** Approximate download size. */
  sizeBytes: z.number().int().positive(),
  /** Approximate memory to run it on the CPU (weights and a default context). */
  ramBytes: z.number().int().positive(),
  /** Approximate VRAM to run it fully on a GPU (weights and a default context). */
  vramBytes: z.number().int().positive(),
  /**
   * Tokens llama.cpp runs it at (its GGUF's context length), which may be less than its model card
   * says. Informative only: what a loaded model can take is always read from the runtime.
   */
  contextLength: z.number().int().positive(),
  /** Embedding models: the vector size. */
  dimensions: z.number().int().positive().optional(),
  /** Languages it is good at (ISO 639-1); ["multi"] for broadly multilingual models. */
  languages: z.array(z.string()).min(1),
  /** Chat models that think before answering (their thinking is kept apart). */
  reasoning: z.boolean().default(false),
  /** Embedding models that expect a prefix on queries / documents (e.g. "search_query: "). */
  queryPrefix: z.string().optional(),
  documentPrefix: z.string().optional(),
  notes: z.string(),
});
export type CatalogModel = z.infer<typeof CatalogModel>;

/**
 * Whether a catalog model suits this machine, judged as the recommendation is (total memory, VRAM
 * only on a GPU backend): gpu: it runs wholly on the GPU; cpu: it fits in RAM (on the CPU, or
 * partly on the GPU); too-large: it does not fit (it may still load, slowly, swapping).
 */
export const ModelFit = z.enum(['gpu', 'cpu', 'too-large']);
export type ModelFit = z.infer<typeof ModelFit>;

export const ModelRecommendation = z.object({
  /** Null when the machine has too little memory for any local chat model. */
  chat: CatalogModel.nullable(),
  embedding: CatalogModel,
  /** A line for people on why these were chosen. */
  reason: z.string(),
});
export type ModelRecommendation = z.infer<typeof ModelRecommendation>;

/** Where a downloaded model came from and what its bytes hash to, recorded when its download completed. */
export const ModelProvenance = z.object({
  url: z.string(),
  /** SHA-256 of the whole file as downloaded (lower-case hex). */
  sha256: z.string(),
  /**
   * pinned: it matched the SHA-256 known for it (the catalog's, or one given with the pull);
   * recorded: none was known, this is the download's own; accepted: it did not match
   * expectedSha256 and the user chose to keep it.
   */
  check: z.enum(['pinned', 'recorded', 'accepted']),
  /** The SHA-256 it was checked against (null when none was known). */
  expectedSha256: z.string().nullable(),
  /** When the download completed (ms since the epoch). */
  downloadedAt: z.number(),
});
export type ModelProvenance = z.infer<typeof ModelProvenance>;

/** A model file in the models directory. */
export const ModelInfo = z.object({
  /** The file name, e.g. "Qwen3-4B-Q4_K_M.gguf". */
  name: z.string(),
  path: z.string(),
  sizeBytes: z.number(),
  /**
   * ready: a whole GGUF file; partial: a download that stopped (pull again to resume);
   * invalid: a file that cannot be used (see problem): not a whole GGUF model, or a download
   * whose SHA-256 is not the one known for it (set aside until the user accepts it).
   */
  status: z.enum(['ready', 'partial', 'invalid']),
  problem: z.string().nullable(),
  /** The catalog entry with the same file name, if any. */
  catalogId: z.string().nullable(),
  role: ModelRole.nullable(),
  /** From the GGUF header, e.g. "llama", "qwen3", "bert"; null when unreadable. */
  architecture: z.string().nullable(),
  modifiedAt: z.number(),
  /** Recorded when Cairn downloaded it; null for a file imported or put there by hand. */
  provenance: ModelProvenance.nullable(),
  /**
   * A partial download (also after a restart): where it comes from and its whole size when the
   * server said, so that it can be shown and resumed (pull its catalog id, or this URL, again).
   */
  download: z.object({ url: z.string(), totalBytes: z.number().nullable() }).optional(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

/** Progress of a model download; speed and ETA over the last few seconds. */
export const DownloadProgress = z.object({
  type: z.literal('model-download'),
  file: z.string(),
  receivedBytes: z.number(),
  /** Null until the server has said. */
  totalBytes: z.number().nullable(),
  bytesPerSecond: z.number(),
  /** Null while the speed is not yet known. */
  etaSeconds: z.number().nullable(),
  phase: z.enum(['connecting', 'downloading', 'verifying', 'done']),
});
export type DownloadProgress = z.infer<typeof DownloadProgress>;
