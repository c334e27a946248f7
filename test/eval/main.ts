// `npm run eval -- beir <dir> [--embed-gguf FILE] [--modes bm25,vector,hybrid] [--db FILE]`
// Retrieval quality of the engine on a BEIR data set (default: the shared SciFact copy).
// `npm run eval -- zh [options]`: the same on the small Chinese and Japanese set in test/eval/zh.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SearchMode } from '../../app/contract/index.ts';
import { evalDir } from '../support/shared.ts';
import { runBeirEval, type BeirEvalOptions, type BeirEvalReport } from './beir-eval.ts';

const zhDir = join(import.meta.dirname, 'zh');

const usage = `usage: npm run eval -- beir [DIR] [options]
       npm run eval -- zh [options]
  DIR                 a BEIR data set (corpus.jsonl, queries.jsonl, qrels/); default ${join(evalDir, 'scifact')}
  zh                  the small Chinese and Japanese set written for Cairn (${zhDir})
  --modes LIST        search modes, comma-separated (default bm25,vector,hybrid)
  --embed-gguf FILE   GGUF embedding model for vector/hybrid (default: env CAIRN_EVAL_EMBED_GGUF)
  --embed-threads N   llama.cpp threads for that model (default 1)
  --db FILE           keep the library here (and the Markdown corpus in FILE.corpus); reused when run again
  --split NAME        qrels split (default test)
  --depth N           chunks asked of each search (default 300)
  --chunk MAX,OVERLAP,MIN   eval-only chunking, in tokens (default: the product's)
  --title-weight W    eval-only BM25 title weight (default: the product's)`;

function parseChunk(value: string | undefined): BeirEvalOptions['chunk'] {
  if (!value) return undefined;
  const [maxTokens, overlapTokens, minTokens] = value.split(',').map(Number);
  if (![maxTokens, overlapTokens, minTokens].every((n) => Number.isInteger(n) && n! >= 0)) throw new Error(`--chunk wants MAX,OVERLAP,MIN, got ${value}`);
  return { maxTokens: maxTokens!, overlapTokens: overlapTokens!, minTokens: minTokens! };
}

function printReport(report: BeirEvalReport): void {
  const rows = report.results.map((r) => [
    r.used === r.requested ? r.requested : `${r.requested}→${r.used}`,
    r.ndcg10.toFixed(4),
    r.recall100.toFixed(4),
    r.mrr10.toFixed(4),
    r.queriesPerSecond.toFixed(1),
    String(r.errors),
  ]);
  const header = ['mode', 'nDCG@10', 'Recall@100', 'MRR@10', 'queries/s', 'errors'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  for (const r of report.results) {
    if (r.errors) console.log(`\n${r.requested}: ${r.errors} queries failed (each scores zero); the first: ${r.firstError}`);
    if (r.used !== r.requested) {
      console.log(`\n${r.requested}: needs an embedding model (--embed-gguf or CAIRN_EVAL_EMBED_GGUF); the engine fell back to ${r.used} search: "${r.notice ?? ''}"`);
    }
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      modes: { type: 'string', default: 'bm25,vector,hybrid' },
      'embed-gguf': { type: 'string' },
      'embed-threads': { type: 'string', default: '1' },
      db: { type: 'string' },
      split: { type: 'string', default: 'test' },
      depth: { type: 'string', default: '300' },
      chunk: { type: 'string' },
      'title-weight': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, dir] = positionals;
  if (values.help || (command !== 'beir' && command !== 'zh') || (command === 'zh' && dir)) {
    console.log(usage);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const modes = values.modes.split(',').map((m) => SearchMode.parse(m.trim()));
  const options: BeirEvalOptions = {
    dir: command === 'zh' ? zhDir : (dir ?? join(evalDir, 'scifact')),
    split: values.split,
    modes,
    embedGguf: values['embed-gguf'] ?? process.env.CAIRN_EVAL_EMBED_GGUF ?? null,
    embedThreads: Number(values['embed-threads']),
    dbPath: values.db ?? null,
    depth: Number(values.depth),
    chunk: parseChunk(values.chunk),
    ...(values['title-weight'] !== undefined ? { titleWeight: Number(values['title-weight']) } : {}),
  };
  if (!options.embedGguf && modes.some((m) => m !== 'bm25')) {
    console.log('No embedding model given (--embed-gguf or CAIRN_EVAL_EMBED_GGUF): vector and hybrid search need one, so the engine will answer those with keyword search.');
  }
  const started = performance.now();
  const report = await runBeirEval(options, (line) => console.log(line));
  printReport(report);
  console.log(`\n(${report.queries} queries, ${report.chunks} chunks; ingestion ${report.ingestSeconds.toFixed(1)} s; whole run ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
