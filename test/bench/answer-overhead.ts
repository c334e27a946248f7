// (e) What answering from the library adds before the model's first token, at 100,000 chunks:
// embedding the question, hybrid search (with the relevance cut's second, vector-only search
// when it needs similarities), context packing and prompt building: the local API's retrieval
// path (prepareGroundedAnswer, which uses app/chat as Cairn's own chat does), timed per question.
// The query is embedded for real by a small local GGUF model (the tiny stories260K as a stand-in,
// 1 thread); its vector then gives way to a 384-d one from the bench's synthetic embedding space,
// so that the search has the library's vectors to work with. Token counting for the budget uses
// that model's llama.cpp tokenizer against an 8,192-token context.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { GgufEmbedder } from '../../app/embed/index.ts';
import { DEFAULT_CHAT_CONTEXT, type ChatMessage } from '../../app/llm/index.ts';
import { HybridSearch } from '../../app/search/index.ts';
import { prepareGroundedAnswer } from '../../app/server/index.ts';
import { Library } from '../../app/store/index.ts';
import { BENCH_DIMENSIONS, BenchLibrary } from './bench-library.ts';
import { benchDir } from './folders.ts';
import { atMost, info, percentile, report, seconds, type Figure } from './report.ts';
import { benchModelPath, benchScale } from './scale.ts';
import { scifactQuestions } from './corpus.ts';
import { ClusteredVectors } from './synthetic.ts';

const TARGET_MS = 50;
const cpuMs = (used: NodeJS.CpuUsage) => (used.user + used.system) / 1000;
const TARGET_CHUNKS = 100_000;
/** Retrieval, the relevance cut and prompt assembly, the query's embedding left out (issue 12). */
const TARGET_WITHOUT_EMBEDDING_MS = 15;

const scale = benchScale();
const size = Math.max(...scale.searchChunks.filter((n) => n <= TARGET_CHUNKS));
const work = benchDir('answer');
const library = Library.open(join(work, 'library.db'));
const embedder = await GgufEmbedder.open({ type: 'gguf', modelPath: benchModelPath, threads: 1, gpu: false });
try {
  // The same synthetic space as (b): topics in a 96-d latent space mapped to 384-d.
  const topics = new ClusteredVectors(BENCH_DIMENSIONS, { clusters: 200, latentDimensions: 96, seed: 7 });
  const bench = new BenchLibrary(library, topics);
  const started = performance.now();
  bench.growTo(size);
  const label = `${Math.round(bench.size / 1000)}k`;
  console.log(`${bench.size} chunks (${BENCH_DIMENSIONS}-d vectors, real text) built in ${seconds(started).toFixed(1)} s`);
  console.log(`query embedder: ${embedder.key} (${embedder.dimensions}-d, 1 thread); prompt budget: ${DEFAULT_CHAT_CONTEXT} tokens counted by its tokenizer`);

  const queries = (scifactQuestions() ?? []).slice(0, scale.searchQueries).map((q) => ({ text: q, vector: topics.embed(topics.topicPoint(1)) }));
  let current = queries[0]!.vector;
  // Per question: time spent embedding, inside search (embedding included), and embeddings made.
  let embedMs = 0;
  let embedCpuMs = 0;
  let searchMs = 0;
  let embeddings = 0;
  const searcher = new HybridSearch(library, async () => ({
    store: library.models.store(library.models.byState('active')!),
    embedQuery: async (query) => {
      const t = performance.now();
      const cpu = process.cpuUsage();
      await embedder.embed([query]);
      embedMs += performance.now() - t;
      embedCpuMs += cpuMs(process.cpuUsage(cpu));
      embeddings++;
      return current;
    },
  }));
  const search = async (request: Parameters<HybridSearch['search']>[0]) => {
    const t = performance.now();
    try {
      return await searcher.search(request);
    } finally {
      searchMs += performance.now() - t;
    }
  };
  // The embedder's tokenizer stands in for a chat model's, with a chat template of 8 tokens a message.
  const countTokens = (t: string) => embedder.countTokens(t);
  const model = { contextSize: DEFAULT_CHAT_CONTEXT, countTokens, countPromptTokens: (messages: ChatMessage[]) => messages.reduce((sum, m) => sum + countTokens(m.content) + 8, 0) };

  const ask = async (query: { text: string; vector: Float32Array }) => {
    current = query.vector;
    embedMs = 0;
    embedCpuMs = 0;
    searchMs = 0;
    embeddings = 0;
    const t = performance.now();
    const cpu = process.cpuUsage();
    const prepared = await prepareGroundedAnswer(search, model, { question: query.text, history: [], filters: {} });
    const total = performance.now() - t;
    // CPU time of this process (all its threads) but the embedding's: on a shared machine, wall
    // time also counts the time other processes had the cores.
    const retrievalCpu = cpuMs(process.cpuUsage(cpu)) - embedCpuMs;
    return { total, embed: embedMs, search: searchMs - embedMs, prompt: total - searchMs, retrieval: total - embedMs, retrievalCpu, embeddings, sources: prepared.found ? prepared.prompt.sources.length : 0 };
  };

  // Warm-up (statements, page cache, the model) on questions kept apart from the measured ones:
  // search remembers recent query vectors, and a warm-up question must not be measured warm.
  const warmUp = queries.splice(-20);
  for (const query of warmUp) await ask(query);
  await bench.store.warmed(); // the re-rank vectors, copied into memory after the first search
  const samples: Awaited<ReturnType<typeof ask>>[] = [];
  for (const query of queries) samples.push(await ask(query));
  const p = (key: 'total' | 'embed' | 'search' | 'prompt' | 'retrieval' | 'retrievalCpu', q: number) => percentile(samples.map((s) => s[key]), q);
  const twice = samples.filter((s) => s.embeddings > 1).length;
  const answered = samples.filter((s) => s.sources > 0);
  console.log(`${samples.length} questions; ${answered.length} with sources (mean ${(answered.reduce((n, s) => n + s.sources, 0) / Math.max(1, answered.length)).toFixed(1)} packed)`);
  const perEmbedding = percentile(samples.map((s) => s.embed / Math.max(1, s.embeddings)), 50);
  console.log(`the question was embedded more than once for ${twice} of them (search remembers recent query vectors, so the relevance cut's second search should not embed again); one embedding p50 ${perEmbedding.toFixed(2)} ms`);
  for (const key of ['embed', 'search', 'prompt', 'retrieval', 'retrievalCpu', 'total'] as const) {
    const name = { embed: 'query embedding', search: 'hybrid search (+ cut)', prompt: 'packing + prompt', retrieval: 'all but the embedding', retrievalCpu: '  the same, CPU time', total: 'total' }[key];
    console.log(`  ${name.padEnd(22)} p50 ${p(key, 50).toFixed(2)} ms  p95 ${p(key, 95).toFixed(2)} ms`);
  }

  const figures: Figure[] = [
    info(`(e) answer overhead p50 @${label}`, p('total', 50), 'ms'),
    // The target is stated for 100,000 chunks; a smaller (smoke-test) library is for information.
    bench.size >= TARGET_CHUNKS ? atMost(`(e) answer overhead p95 @${label}`, p('total', 95), 'ms', TARGET_MS) : info(`(e) answer overhead p95 @${label}`, p('total', 95), 'ms'),
    bench.size >= TARGET_CHUNKS
      ? atMost(`(e) answer overhead without query embedding p95 @${label}`, p('retrieval', 95), 'ms', TARGET_WITHOUT_EMBEDDING_MS)
      : info(`(e) answer overhead without query embedding p95 @${label}`, p('retrieval', 95), 'ms'),
    info(`(e) answer overhead without query embedding, CPU time p95 @${label}`, p('retrievalCpu', 95), 'ms'),
    info(`(e) query embedding p50 @${label}`, p('embed', 50), 'ms'),
    info(`(e) hybrid search + cut p50 @${label}`, p('search', 50), 'ms'),
    info(`(e) packing + prompt p50 @${label}`, p('prompt', 50), 'ms'),
  ];
  report(figures);
} finally {
  await embedder.close();
  library.close();
  rmSync(work, { recursive: true, force: true });
}
