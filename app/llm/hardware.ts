// The machine as llama.cpp sees it (backend, GPUs, VRAM, threads) plus RAM: for `cairn doctor`,
// the model recommendation and the UI.
import os from 'node:os';
import { describeLlama } from '../../native/llama.ts';
import type { HardwareReport } from '../contract/index.ts';

/** Never throws: a llama.cpp that cannot load is reported (ok false), with RAM still filled in. */
export async function describeHardware(): Promise<HardwareReport> {
  const llama = await describeLlama();
  return {
    ok: llama.ok,
    backend: llama.backend,
    devices: llama.devices,
    vramTotalBytes: llama.vramTotalBytes,
    vramFreeBytes: llama.vramFreeBytes,
    ramTotalBytes: os.totalmem(),
    ramFreeBytes: os.freemem(),
    cpuThreads: llama.cpuThreads,
    cpuCores: os.availableParallelism(),
    ...(llama.error === undefined ? {} : { error: llama.error }),
    ...(llama.warning === undefined ? {} : { warning: llama.warning }),
  };
}
