// Benchmark sizes. CAIRN_BENCH_SCALE=small is a smoke test of about a minute; the default (full)
// runs at the sizes the 100k targets are stated for and takes several minutes; huge adds the
// 1M-chunk library to (b) and (r) (an hour or so: run it on a quiet machine).
import { join } from 'node:path';
import { modelsDir } from '../support/shared.ts';

export interface BenchScale {
  name: 'small' | 'full' | 'huge';
  /** (a) files for the ingestion-throughput run. */
  throughputFiles: number;
  /** (b) library sizes (chunks) at which search latency is measured, ascending. */
  searchChunks: number[];
  /** (b) queries timed per mode and size. */
  searchQueries: number;
  /** (c, d) small documents ingested for peak memory, then re-scanned. */
  memoryDocuments: number;
  /** (r) chunks ingested before RSS is read and searched. */
  memoryChunks: number;
}

const scales: Record<BenchScale['name'], BenchScale> = {
  small: { name: 'small', throughputFiles: 40, searchChunks: [2_000, 10_000], searchQueries: 50, memoryDocuments: 1_000, memoryChunks: 10_000 },
  full: { name: 'full', throughputFiles: 300, searchChunks: [10_000, 100_000], searchQueries: 200, memoryDocuments: 10_000, memoryChunks: 100_000 },
  huge: { name: 'huge', throughputFiles: 300, searchChunks: [10_000, 100_000, 1_000_000], searchQueries: 200, memoryDocuments: 10_000, memoryChunks: 1_000_000 },
};

export function benchScale(): BenchScale {
  const name = process.env.CAIRN_BENCH_SCALE ?? 'full';
  if (name !== 'small' && name !== 'full' && name !== 'huge') throw new Error(`CAIRN_BENCH_SCALE must be small, full or huge, not ${name}`);
  return scales[name];
}

/** The tiny GGUF model the ingestion benches embed with (plumbing cost, not semantic quality). */
export const benchModelPath = process.env.CAIRN_BENCH_GGUF ?? join(modelsDir, 'stories260K.gguf');
