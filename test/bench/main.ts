// `npm run bench`: runs each benchmark in its own Node process (so one's memory high-water mark
// or page cache never flatters or spoils another's), then prints every figure against its
// target. Slowness never fails the run; a bench that crashes does.
// CAIRN_BENCH_SCALE=small for a smoke test of about a minute; CAIRN_BENCH_ONLY=a,b to pick.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printFigures, type Figure } from './report.ts';
import { benchModelPath, benchScale } from './scale.ts';

const benches = [
  { id: 'a', file: 'ingest-throughput.ts', title: '(a) ingestion throughput: pipeline vs bare embedder' },
  { id: 'b', file: 'search-latency.ts', title: '(b) search latency and vector recall' },
  { id: 'c', file: 'large-folder.ts', title: '(c) peak memory while ingesting small documents; (d) re-scan of the unchanged folder' },
  { id: 'm', file: 'mail-sync.ts', title: '(m) IMAP initial sync from a local Dovecot: messages/s, keyword-only and embedded' },
  { id: 'e', file: 'answer-overhead.ts', title: '(e) answer overhead before the first token: query embedding, hybrid search, packing, prompt' },
  { id: 'f', file: 'generation.ts', title: '(f) local generation: time to first token and tokens per second (CAIRN_BENCH_CHAT_GGUF)' },
  { id: 'r', file: 'memory.ts', title: '(r) memory: RSS after ingesting 100k chunks, RSS growth over 3,000 hybrid searches' },
  { id: 'g', file: 'first-scan.ts', title: '(g) watched folders: first scan, event-loop delay on a large tree, re-scan, renames found on start' },
  { id: 'o', file: 'ocr.ts', title: '(o) OCR: character error rate of rendered pages (English, Chinese; 150 and 300 dpi), pages/minute, shared PDFs yielding text' },
  { id: 'w', file: 'window.ts', title: '(w) the window in Chromium (web mode): JavaScript size, time until the chat view is interactive, longest task while an answer streams during an import' },
];

const scale = benchScale();
const only = process.env.CAIRN_BENCH_ONLY?.split(',').map((s) => s.trim());
if (!existsSync(benchModelPath)) {
  console.error(`The bench embeds with ${benchModelPath}, which is missing (set CAIRN_MODELS_DIR or CAIRN_BENCH_GGUF).`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
const figures: Figure[] = [];
const failures: string[] = [];
const timings: string[] = [];
const started = performance.now();
try {
  for (const bench of benches) {
    // (d) rides along with (c): it re-scans c's folder.
    if (only && !only.includes(bench.id) && !(bench.id === 'c' && only.includes('d'))) continue;
    console.log(`\n=== ${bench.title} [${scale.name}] ===`);
    const results = join(work, `${bench.id}.jsonl`);
    const benchStarted = performance.now();
    const child = spawnSync(process.execPath, [join(import.meta.dirname, bench.file)], {
      stdio: 'inherit',
      env: { ...process.env, CAIRN_BENCH_RESULTS: results },
    });
    const secs = (performance.now() - benchStarted) / 1000;
    timings.push(`${bench.id} ${secs.toFixed(0)} s`);
    if (child.status !== 0) failures.push(`${bench.file} exited with ${child.status ?? child.signal}`);
    if (existsSync(results)) {
      figures.push(...readFileSync(results, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Figure));
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`\n=== summary [${scale.name}; ${timings.join(', ')}; ${((performance.now() - started) / 1000).toFixed(0)} s in all] ===`);
printFigures(figures);
const missed = figures.filter((f) => f.met === false).length;
console.log(`\n${figures.filter((f) => f.met).length} targets met, ${missed} missed (figures only: a slow machine fails nothing).`);
for (const failure of failures) console.error(`FAILED: ${failure}`);
if (failures.length) process.exitCode = 1;
