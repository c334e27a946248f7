// Chooses and loads the llama.cpp build (GPU or CPU) through node-llama-cpp, and describes it for `cairn doctor`.
import os from 'node:os';
import { getLlama, LlamaLogLevel, type Llama, type LlamaOptions } from 'node-llama-cpp';

export type LlamaGpuChoice = 'auto' | false;

export interface LlamaReport {
  ok: boolean;
  backend: 'cuda' | 'metal' | 'vulkan' | 'cpu';
  /** GPU device names; empty on the CPU backend. */
  devices: string[];
  vramTotalBytes: number | null;
  vramFreeBytes: number | null;
  /** What defaultThreads() gives on this machine. */
  cpuThreads: number;
  /** Why llama.cpp could not be loaded at all (ok is false). */
  error?: string;
  /** Set when a GPU build failed to load and the CPU build was used instead (ok stays true). */
  warning?: string;
}

/**
 * CPU threads for inference: one core is left to the UI, SQLite and extraction, and at most 4 are
 * used because ggml's worker threads spin-wait: on a busy machine more threads than free cores made
 * inference ~50x slower (measured on 2 cores), while small models gain little beyond 4.
 */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

// Never build from source or download anything at run time: only binaries already installed
// (the prebuilt @node-llama-cpp/* packages) may be used. llama.cpp's own warnings (e.g. "load:
// bad special token") would otherwise go to the console of every CLI command, so only errors
// are passed on, to stderr, keeping stdout clean for output that scripts read.
const loadOptions = {
  build: 'never',
  skipDownload: true,
  progressLogs: false,
  logLevel: LlamaLogLevel.error,
  logger: (level, message) => {
    if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) {
      process.stderr.write(`[llama.cpp] ${message.trimEnd()}\n`);
    }
  },
} satisfies LlamaOptions;

const runtimes = new Map<LlamaGpuChoice, Promise<Llama>>();
let gpuFallbackReason: string | undefined;

/**
 * The process-wide llama.cpp runtime for this GPU choice, loaded once and shared: do not dispose
 * it. With gpu 'auto', node-llama-cpp tries CUDA/Metal/Vulkan then CPU; if that still fails
 * (a GPU build that loads but cannot initialise), the CPU build is used instead.
 */
export function getLlamaRuntime(options: { gpu?: LlamaGpuChoice } = {}): Promise<Llama> {
  const gpu = options.gpu ?? 'auto';
  let runtime = runtimes.get(gpu);
  if (runtime === undefined) {
    runtime = loadRuntime(gpu).then((llama) => {
      llama.onDispose.createListener(() => runtimes.delete(gpu));
      return llama;
    });
    // A failed load is not remembered, so a later call (e.g. after installing a driver) retries.
    runtime.catch(() => runtimes.delete(gpu));
    runtimes.set(gpu, runtime);
  }
  return runtime;
}

async function loadRuntime(gpu: LlamaGpuChoice): Promise<Llama> {
  if (gpu === false) return getLlama({ ...loadOptions, gpu: false });
  try {
    return await getLlama({ ...loadOptions, gpu: 'auto' });
  } catch (error) {
    gpuFallbackReason = `the GPU build of llama.cpp failed to load, using the CPU: ${errorMessage(error)}`;
    return getLlama({ ...loadOptions, gpu: false });
  }
}

/** What `cairn doctor` prints about llama.cpp. Never throws. */
export async function describeLlama(): Promise<LlamaReport> {
  const cpuThreads = defaultThreads();
  try {
    const llama = await getLlamaRuntime({ gpu: 'auto' });
    const backend = llama.gpu === false ? 'cpu' : llama.gpu;
    const vram = backend === 'cpu' ? null : await llama.getVramState();
    return {
      ok: true,
      backend,
      devices: backend === 'cpu' ? [] : await llama.getGpuDeviceNames(),
      vramTotalBytes: vram?.total ?? null,
      vramFreeBytes: vram?.free ?? null,
      cpuThreads,
      ...(gpuFallbackReason === undefined ? {} : { warning: gpuFallbackReason }),
    };
  } catch (error) {
    return {
      ok: false,
      backend: 'cpu',
      devices: [],
      vramTotalBytes: null,
      vramFreeBytes: null,
      cpuThreads,
      error: `llama.cpp could not be loaded: ${errorMessage(error)}`,
    };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
