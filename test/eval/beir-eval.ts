// Retrieval quality of the real engine on a BEIR data set: the corpus goes in through the
// pipeline (folder scan → extraction → chunking → FTS5 and vectors), every judged query is run
// through Engine.search in each mode, chunks collapse to documents at their best rank, and the
// standard metrics are averaged over the queries.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { SearchHit, SearchMode } from '../../app/contract/index.ts';
import { openEmbedder, type Embedder } from '../../app/embed/index.ts';
import { loadCatalog } from '../../app/llm/index.ts';
import { Engine, type EngineOptions } from '../../app/engine.ts';
import { loadBeir, writeCorpusAsMarkdown } from './beir.ts';
import { firstOccurrences, mean, ndcgAt, recallAt, reciprocalRankAt } from './metrics.ts';

export interface BeirEvalOptions {
  dir: string;
  split: string;
  modes: SearchMode[];
  /** A GGUF embedding model for vector and hybrid search; none: keyword search only. */
  embedGguf: string | null;
  embedThreads: number;
  /** Keep the library (and the Markdown corpus beside it) here; reused when run again. */
  dbPath: string | null;
  /** Chunks asked of each search: enough that 100 distinct documents survive collapsing. */
  depth: number;
  /** Eval-only overrides for experiments; the product defaults when absent. */
  chunk?: { maxTokens: number; overlapTokens: number; minTokens: number };
  titleWeight?: number;
}

export interface ModeResult {
  requested: SearchMode;
  /** The mode the engine used (hybrid and vector fall back to bm25 without vectors). */
  used: SearchMode;
  notice: string | null;
  ndcg10: number;
  recall100: number;
  mrr10: number;
  queriesPerSecond: number;
  /** Queries the engine failed on: each scores zero, and the run goes on. */
  errors: number;
  /** The first of those failures, as `query id: message`. */
  firstError: string | null;
}

export interface BeirEvalReport {
  documents: number;
  queries: number;
  chunks: number;
  ingestSeconds: number;
  ingestErrors: number;
  embedder: string | null;
  results: ModeResult[];
}

export async function runBeirEval(options: BeirEvalOptions, log: (line: string) => void): Promise<BeirEvalReport> {
  const data = loadBeir(options.dir, options.split);
  log(`${basename(resolve(options.dir))}: ${data.corpus.length} documents, ${data.queries.length} ${options.split} queries`);

  const scratch = options.dbPath ? null : mkdtempSync(join(tmpdir(), 'cairn-eval-'));
  const dbPath = options.dbPath ? resolve(options.dbPath) : join(scratch!, 'library.db');
  const corpusDir = options.dbPath ? `${dbPath}.corpus` : join(scratch!, 'corpus');
  const names = writeCorpusAsMarkdown(data.corpus, corpusDir);

  let embedder: Embedder | null = null;
  if (options.embedGguf) {
    if (!existsSync(options.embedGguf)) throw new Error(`No embedding model at ${options.embedGguf}`);
    // As the library would open it: a catalog model with its query and document prefixes.
    embedder = await openEmbedder(loadCatalog().withPrefixes({ type: 'gguf', modelPath: options.embedGguf, threads: options.embedThreads }));
    log(`embedder: ${embedder.key} (${embedder.dimensions} dimensions)`);
  }
  // Embedding the corpus with a real model takes a while: say how far it got now and then.
  let lastProgress = performance.now();
  const engineOptions: EngineOptions = {
    dbPath,
    embedder,
    onEvent: (event) => {
      if (event.type !== 'progress' || performance.now() - lastProgress < 15_000) return;
      lastProgress = performance.now();
      log(`  … ${event.filesDone}/${event.filesTotal} files, ${event.chunks} chunks (${event.chunksPerSecond.toFixed(1)} chunks/s)`);
    },
  };
  if (options.chunk) engineOptions.ingest = { chunk: options.chunk };
  if (options.titleWeight !== undefined) engineOptions.search = { titleWeight: options.titleWeight };
  const engine = await Engine.open(engineOptions);
  try {
    engine.add([corpusDir]);
    const ingest = await engine.index();
    const chunks = engine.status().chunks;
    log(`ingested ${ingest.filesDone} files (${ingest.chunks} chunks written, ${chunks} in the library, ${ingest.errors} errors) in ${ingest.seconds.toFixed(1)} s`);

    const results: ModeResult[] = [];
    for (const mode of options.modes) {
      results.push(await evaluateMode(engine, mode, data.queries, data.qrels, names, options.depth));
    }
    return {
      documents: data.corpus.length,
      queries: data.queries.length,
      chunks,
      ingestSeconds: ingest.seconds,
      ingestErrors: ingest.errors,
      embedder: embedder?.key ?? null,
      results,
    };
  } finally {
    await engine.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

async function evaluateMode(
  engine: Engine,
  mode: SearchMode,
  queries: { id: string; text: string }[],
  qrels: Map<string, ReadonlyMap<string, number>>,
  names: Map<string, string>,
  depth: number,
): Promise<ModeResult> {
  const ndcg: number[] = [];
  const recall: number[] = [];
  const mrr: number[] = [];
  let used: SearchMode = mode;
  let notice: string | null = null;
  let searchMs = 0;
  let errors = 0;
  let firstError: string | null = null;
  for (const query of queries) {
    const started = performance.now();
    let hits: SearchHit[] = [];
    try {
      const response = await engine.search({ query: query.text, k: depth, mode, snippets: 0 }); // ranks only: no snippets
      hits = response.hits;
      used = response.mode;
      notice ??= response.notice;
    } catch (error) {
      errors++;
      firstError ??= `${query.id}: ${(error as Error).message}`;
    }
    searchMs += performance.now() - started;
    // Documents outside the corpus folder (a reused library) have no corpus id and drop out.
    const ranked = firstOccurrences(hits.map((hit) => names.get(basename(hit.uri)) ?? '').filter(Boolean));
    const judged = qrels.get(query.id) ?? new Map<string, number>();
    ndcg.push(ndcgAt(ranked, judged, 10));
    recall.push(recallAt(ranked, judged, 100));
    mrr.push(reciprocalRankAt(ranked, judged, 10));
  }
  return {
    requested: mode,
    used,
    notice,
    ndcg10: mean(ndcg),
    recall100: mean(recall),
    mrr10: mean(mrr),
    queriesPerSecond: queries.length / (searchMs / 1000),
    errors,
    firstError,
  };
}
