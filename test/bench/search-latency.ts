// (b) Search at 10,000 and 100,000 chunks (and 1,000,000 with CAIRN_BENCH_SCALE=huge) of real
// English (corpus.ts) with 384-d vectors, asked the SciFact questions: HybridSearch timed per
// query (query embedding excluded: the vector is ready) in hybrid, bm25 and vector mode, k = 10,
// p50/p95/p99; bm25 at k = 300 with and without snippets; vector recall@10 against exact search
// over the float vectors (the library stores int8);
// the first search after opening the library; build time, file size and RSS; a per-stage profile.
// Hybrid is timed as the engine runs it (keywords ranked on the keyword thread from 500,000
// chunks on while a core is spare, see KeywordThread) and, query by query in turn, with keywords
// always ranked on the keyword thread and always on the same thread. Every searcher is warmed up
// first on 200 other questions, so each timed question is asked for the first time.
import { rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { SearchMode } from '../../app/contract/index.ts';
import { HybridSearch, type HybridSearchOptions } from '../../app/search/index.ts';
import { Library } from '../../app/store/index.ts';
import { BENCH_DIMENSIONS, BenchLibrary } from './bench-library.ts';
import { scifactQuestions } from './corpus.ts';
import { benchDir } from './folders.ts';
import { atLeast, atMost, info, percentile, report, seconds, type Figure } from './report.ts';
import { benchScale } from './scale.ts';
import { profileHybrid, STAGES } from './search-stages.ts';
import { ClusteredVectors } from './synthetic.ts';

const MB = 1024 * 1024;
/** Questions asked (in every mode, of each searcher) before the timed ones. */
const WARM_UP = 200;
/** The targets, by library size (chunks). */
const TARGETS: Record<number, { hybrid: number; bm25: number; vector?: number; recall: number; firstSearchMs?: number; diskGB?: number }> = {
  100_000: { hybrid: 6, bm25: 2.5, vector: 2, recall: 0.98 },
  1_000_000: { hybrid: 15, bm25: 6, recall: 0.95, firstSearchMs: 1_000, diskGB: 2.5 },
};

const scale = benchScale();
const questions = scifactQuestions();
if (!questions) {
  console.error('The search bench asks the SciFact questions: ../shared/eval/scifact is missing (set CAIRN_EVAL_DIR).');
  process.exit(1);
}
const work = benchDir('search');
const dbPath = join(work, 'library.db');
let library = Library.open(dbPath);
try {
  // Topics in a 96-d latent space: a query's nearest chunks then fall off in similarity as with
  // real sentence embeddings, so the bit-quantized first pass has real work to do.
  const topics = new ClusteredVectors(BENCH_DIMENSIONS, { clusters: 200, latentDimensions: 96, seed: 7 });
  const bench = new BenchLibrary(library, topics);
  const queries = questions.slice(0, scale.searchQueries).map((text) => ({ text, vector: topics.embed(topics.topicPoint(1)) }));
  // Warm-up questions: others than those timed (each timed question is asked for the first
  // time), with the timed ones' vectors (the vector search does the same work for any).
  const warmUps = questions.slice(scale.searchQueries, scale.searchQueries + WARM_UP).map((text, i) => ({ text, vector: queries[i % queries.length]!.vector }));
  bench.track(queries.map((q) => q.vector), 10);

  let current = queries[0]!.vector;
  // As the engine does: look up the active model on each search; the query "embedding" is ready.
  const searcherFor = (lib: Library, options: HybridSearchOptions = {}) => new HybridSearch(lib, async () => ({
    store: lib.models.store(lib.models.byState('active')!),
    embedQuery: async () => current,
  }), options);
  let searcher = searcherFor(library);
  let serial = searcherFor(library, { keywordThreadFrom: Infinity });
  let parallel = searcherFor(library, { spareCore: () => true });
  /** CPU time of the last run: on a shared machine, wall time also counts the time others had the core. */
  let cpuMs = 0;
  const run = async (mode: SearchMode, query: { text: string; vector: Float32Array }, k = 10, snippets?: number, on = searcher) => {
    current = query.vector;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const response = await on.search({ query: query.text, k, mode, snippets });
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    cpuMs = (used.user + used.system) / 1000;
    if (response.mode !== mode) throw new Error(`asked for ${mode}, got ${response.mode}: ${response.notice}`);
    return ms;
  };

  const figures: Figure[] = [];
  for (const size of scale.searchChunks) {
    let started = performance.now();
    bench.growTo(size);
    const built = seconds(started);
    const label = size >= 1_000_000 ? `${size / 1_000_000}M` : `${size / 1000}k`;
    const target = TARGETS[size];
    library.db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').run();
    const disk = statSync(dbPath).size;
    console.log(`\n${bench.size} chunks (real text, ${BENCH_DIMENSIONS}-d vectors): built in ${built.toFixed(1)} s, ${(disk / 1e9).toFixed(2)} GB on disk, RSS ${(process.memoryUsage().rss / MB).toFixed(0)} MB; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    figures.push(info(`(b) build @${label}`, built, 's'));
    figures.push(target?.diskGB ? atMost(`(b) disk @${label}`, disk / 1e9, 'GB', target.diskGB) : info(`(b) disk @${label}`, disk / 1e9, 'GB'));

    // The first search after opening: a new connection, nothing loaded yet (the file in the page cache).
    await searcher.close();
    library.close();
    library = Library.open(dbPath);
    bench.reopened(library);
    searcher = searcherFor(library);
    serial = searcherFor(library, { keywordThreadFrom: Infinity });
    await parallel.close();
    parallel = searcherFor(library, { spareCore: () => true });
    const first = await run('hybrid', queries.at(-1)!);
    console.log(`first hybrid search after opening: ${first.toFixed(0)} ms`);
    // The vectors for re-ranking are copied into memory in the background after the first search
    // (until then re-ranking reads them from SQLite): the figures below are for the warm library.
    started = performance.now();
    await bench.store.warmed();
    console.log(`re-rank vectors in memory ${seconds(started).toFixed(1)} s later`);
    figures.push(info(`(b) re-rank vectors in memory after opening @${label}`, seconds(started), 's'));
    figures.push(target?.firstSearchMs ? atMost(`(b) first search after opening @${label}`, first, 'ms', target.firstSearchMs) : info(`(b) first search after opening @${label}`, first, 'ms'));

    // Warm-up, once the keyword threads have started (from a searcher's second search: they
    // only become ready once the event loop turns, which searches that never wait on a thread do
    // not make it do), so that their code is compiled as in an engine that has been running a
    // while: a thread's first hundred or so searches run slower (at 1M chunks, hybrid p95 about
    // 13 ms over the first 200 searches of a thread against 8 after).
    for (const on of [searcher, parallel]) for (const query of warmUps.slice(0, 2)) await run('hybrid', query, 10, undefined, on);
    await Promise.all([searcher.keywordThreadReady(), parallel.keywordThreadReady()]);
    for (const query of warmUps) {
      for (const mode of ['hybrid', 'bm25', 'vector'] as const) await run(mode, query);
      await run('hybrid', query, 10, undefined, serial);
      await run('hybrid', query, 10, undefined, parallel);
    }
    for (const mode of ['hybrid', 'bm25', 'vector'] as const) {
      const threaded = await parallel.keywordThreadReady();
      const samples: number[] = [];
      const cpu: number[] = [];
      const compared = { 'on the keyword thread': [] as number[], 'on the same thread': [] as number[] };
      // Each query asked of each searcher, who goes first taking turns (the first warms caches for the others).
      const turns: [number[], HybridSearch][] = [[samples, searcher]];
      if (mode === 'hybrid' && threaded) turns.push([compared['on the keyword thread'], parallel], [compared['on the same thread'], serial]);
      for (const [i, query] of queries.entries()) {
        for (let j = 0; j < turns.length; j++) {
          const [times, on] = turns[(i + j) % turns.length]!;
          times.push(await run(mode, query, 10, undefined, on));
          if (on === searcher) cpu.push(cpuMs);
        }
      }
      const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(samples, p)) as [number, number, number];
      console.log(`${mode.padEnd(6)} p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${Math.max(...samples).toFixed(2)} ms; CPU time p50 ${percentile(cpu, 50).toFixed(2)} ms, p95 ${percentile(cpu, 95).toFixed(2)} ms`);
      figures.push(info(`(b) ${mode} CPU time p95 @${label}`, percentile(cpu, 95), 'ms'));
      figures.push(info(`(b) ${mode} p50 @${label}`, p50, 'ms'));
      const limit = target?.[mode];
      figures.push(limit ? atMost(`(b) ${mode} p95 @${label}`, p95, 'ms', limit) : info(`(b) ${mode} p95 @${label}`, p95, 'ms'));
      figures.push(info(`(b) ${mode} p99 @${label}`, p99, 'ms'));
      for (const [where, times] of Object.entries(compared)) {
        if (!times.length) continue;
        const [p50, p95] = [50, 95].map((p) => percentile(times, p)) as [number, number];
        console.log(`${mode} with keywords always ranked ${where}: p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`);
        figures.push(info(`(b) ${mode} p95, keywords always ${where} @${label}`, p95, 'ms'));
      }
    }

    // With and without snippets in turn, query by query, so that a busy machine weighs on both alike.
    const large = { with: [] as number[], without: [] as number[] };
    for (const query of queries.slice(0, 20)) await run('bm25', query, 300);
    for (const query of queries) {
      large.with.push(await run('bm25', query, 300));
      large.without.push(await run('bm25', query, 300, 0));
    }
    const [withSnippets, without] = [percentile(large.with, 50), percentile(large.without, 50)];
    console.log(`bm25 k=300 p50 ${withSnippets.toFixed(2)} ms with snippets, ${without.toFixed(2)} ms without`);
    figures.push(info(`(b) bm25 k=300 p50 @${label}`, withSnippets, 'ms'), info(`(b) bm25 k=300 no snippets p50 @${label}`, without, 'ms'));

    const stages = profileHybrid(library, bench.store, queries);
    console.log('hybrid, stage by stage (ms):');
    for (const stage of STAGES) console.log(`  ${stage.padEnd(24)} p50 ${stages.get(stage)!.p50.toFixed(2)}  p95 ${stages.get(stage)!.p95.toFixed(2)}`);

    // Recall against exact search over the float vectors (kept by the bench as it made them).
    const exact = bench.exactNearest().map((ids) => new Set(ids));
    let found = 0;
    queries.forEach((query, i) => {
      found += bench.store.nearest(query.vector, 10).filter((r) => exact[i]!.has(r.chunkId)).length;
    });
    const recall = found / (queries.length * 10);
    console.log(`vector recall@10 against exact search over the float vectors (${queries.length} queries): ${recall.toFixed(3)}`);
    figures.push(target ? atLeast(`(b) vector recall@10 @${label}`, recall, '', target.recall) : info(`(b) vector recall@10 @${label}`, recall, ''));
    figures.push(info(`(b) RSS @${label}`, process.memoryUsage().rss / MB, 'MB'));
  }
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  report(figures);
  await searcher.close();
  await parallel.close();
} finally {
  library.close();
  rmSync(work, { recursive: true, force: true });
}
