// (r) Memory that must come back: the engine's RSS while and after ingesting 100,000 chunks (1M
// with CAIRN_BENCH_SCALE=huge) through the whole pipeline (scan, extraction workers, chunking,
// SQLite writes, the keyword index, vectors from a bag-of-words embedder: the store's costs, not
// a model's), its peak sampled every 200 ms (target at 1M: under 600 MB), and how much RSS grows
// over 3,000 hybrid searches with filters once the process is warm (target < 20 MB: nothing a
// search does may be kept), with the latency of each filter at that size.
// Every statement prepared per call used to keep a few KB for good (see native/sqlite.ts).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SearchFilters } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { preparedStatements } from '../../native/sqlite.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { benchDir, writeNotes } from './folders.ts';
import { atMost, info, percentile, report, seconds } from './report.ts';
import { benchScale } from './scale.ts';
import { TextSource } from './synthetic.ts';

const MB = 1024 * 1024;
const SEARCHES = 3_000;
/** Warm-up: windows of this many searches, at least WARM_LEAST and at most WARM_MOST in all, until RSS grows by less than STEADY_MB in one. */
const WARM_WINDOW = 500;
const WARM_LEAST = 1_000;
const WARM_MOST = 10_000;
const STEADY_MB = 2;
const scale = benchScale();
const notes = benchDir('memory-notes');
const work = benchDir('memory-db');
const rss = () => process.memoryUsage().rss;
try {
  const text = new TextSource(31);
  // Four paragraphs of ~1,400 characters: about five chunks of the 384-token budget a note.
  const files = Math.ceil(scale.memoryChunks / 5);
  writeNotes(notes, text, files, () => 4, 1_400);
  // The keyword thread takes every hybrid search, whatever the size and load: its memory counts too.
  const engine = await Engine.open({ dbPath: join(work, 'library.db'), embedder: new FakeEmbedder(), search: { keywordThreadFrom: 0, spareCore: () => true } });
  try {
    const opened = rss();
    let started = performance.now();
    let peak = opened;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 200);
    engine.add([notes]);
    const ingest = await engine.index();
    clearInterval(sampler);
    peak = Math.max(peak, rss());
    const ingestSeconds = seconds(started);
    const afterIngest = rss();
    const label = `${(ingest.chunks / 1000).toFixed(0)}k`;
    console.log(`ingested ${ingest.filesDone} files, ${ingest.chunks} chunks in ${ingestSeconds.toFixed(1)} s (${text.origin})`);
    console.log(`RSS ${(opened / MB).toFixed(0)} MB with the engine open, ${(peak / MB).toFixed(0)} MB at most while ingesting, ${(afterIngest / MB).toFixed(0)} MB after; ${preparedStatements(engine.library.db)} statements prepared`);

    const queries = text.queries(200);
    const sourceIds = engine.library.sources.list().map((s) => s.id);
    const filters: [string, SearchFilters][] = [
      ['no filter', {}],
      ['kind file', { kinds: ['file'] }],
      ['all sources', { sourceIds }],
      ['a path prefix', { pathPrefix: join(notes, 'folder1') }],
    ];
    const times: number[][] = filters.map(() => []);
    const search = async (i: number) => {
      const t = performance.now();
      await engine.search({ query: queries[i % queries.length]!, mode: 'hybrid', k: 10, filters: filters[i % filters.length]![1] });
      times[i % filters.length]!.push(performance.now() - t);
    };
    const memory = () => {
      const m = process.memoryUsage();
      return `RSS ${(m.rss / MB).toFixed(1)} MB, heap ${(m.heapUsed / MB).toFixed(1)} of ${(m.heapTotal / MB).toFixed(1)}, external ${(m.external / MB).toFixed(1)} (array buffers ${(m.arrayBuffers / MB).toFixed(1)})`;
    };
    // Warm-up, in windows, until a window grows RSS by less than STEADY_MB: statements, the sign
    // index, the in-memory copy of the vectors (filled in the background after the first search:
    // a bounded cache by design, awaited), the keyword thread's start and its own connection's
    // page cache filling to what searches read (bounded by its cache_size), V8 sizing its heaps.
    // What it grew by is reported beside the target's figure: warming hides nothing.
    const active = engine.library.models.byState('active');
    const warmFrom = rss();
    let warmups = 0;
    for (let last = warmFrom; warmups < WARM_MOST; ) {
      for (let i = 0; i < WARM_WINDOW; i++) await search(warmups++);
      if (active) await engine.library.models.store(active).warmed();
      const now = rss();
      console.log(`warm-up, ${warmups} searches: ${memory()}`);
      if (warmups >= WARM_LEAST && now - last < STEADY_MB * MB) break;
      last = now;
    }
    for (const list of times) list.length = 0;
    const warm = rss();
    const preparedWarm = preparedStatements(engine.library.db);
    started = performance.now();
    for (let i = 0; i < SEARCHES; i++) {
      await search(warmups + i);
      if ((i + 1) % 1_000 === 0) console.log(`${i + 1} searches: ${memory()}`);
    }
    const searchSeconds = seconds(started);
    const growth = (rss() - warm) / MB;
    console.log(`${SEARCHES} hybrid searches in ${searchSeconds.toFixed(1)} s: RSS ${(warm / MB).toFixed(0)} -> ${(rss() / MB).toFixed(0)} MB; statements prepared meanwhile: ${preparedStatements(engine.library.db) - preparedWarm}`);

    report([
      ingest.chunks >= 1_000_000 ? atMost(`(r) peak RSS while ingesting ${label} chunks`, peak / MB, 'MB', 600) : info(`(r) peak RSS while ingesting ${label} chunks`, peak / MB, 'MB'),
      info(`(r) RSS after ingesting ${label} chunks`, afterIngest / MB, 'MB'),
      info(`(r) RSS growth while ingesting ${label} chunks`, (afterIngest - opened) / MB, 'MB'),
      info(`(r) RSS growth over ${warmups.toLocaleString('en-US')} warm-up searches @${label}`, (warm - warmFrom) / MB, 'MB'),
      atMost(`(r) RSS growth over ${SEARCHES.toLocaleString('en-US')} hybrid searches once warm @${label}`, growth, 'MB', 20),
      ...filters.flatMap(([name], f) => [
        info(`(r) hybrid p50, ${name} (keyword thread on) @${label}`, percentile(times[f]!, 50), 'ms'),
        info(`(r) hybrid p95, ${name} (keyword thread on) @${label}`, percentile(times[f]!, 95), 'ms'),
      ]),
    ]);
  } finally {
    await engine.close();
  }
} finally {
  rmSync(notes, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
