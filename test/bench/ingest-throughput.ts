// (a) Ingestion throughput: the bare embedder on exactly the chunks the pipeline makes of a
// folder of notes, then the whole pipeline (scan, extraction workers, chunking, embedding, SQLite
// writes) on that folder with the same embedder. Their ratio is the pipeline's overhead; since
// extraction overlaps embedding, it should cost little (target ≥ 0.9).
import { readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chunkSections } from '../../app/chunk/index.ts';
import { openEmbedder } from '../../app/embed/index.ts';
import { Engine } from '../../app/engine.ts';
import { extractBytes } from '../../app/extract/index.ts';
import { defaultIngestOptions } from '../../app/index/index.ts';
import { benchDir, writeNotes } from './folders.ts';
import { atLeast, info, report, seconds } from './report.ts';
import { benchModelPath, benchScale } from './scale.ts';
import { seededRandom, TextSource } from './synthetic.ts';

const scale = benchScale();
const notes = benchDir('notes');
const work = benchDir('throughput-db');
try {
  const text = new TextSource(11);
  const random = seededRandom(3);
  // 2–4 paragraphs of whole sentences (200+ characters, ~1.6 characters a token with stories260K's
  // 512-token vocabulary): 2–3 chunks of the 384-token budget a note. Kept short because the
  // tiny model's cost per text grows steeply with its length.
  const paths = writeNotes(notes, text, scale.throughputFiles, () => 2 + Math.floor(random() * 3), 200);
  const embedder = await openEmbedder({ type: 'gguf', modelPath: benchModelPath, threads: 1 });

  // The chunks the pipeline will make: same reader, same options, same token counter.
  const options = defaultIngestOptions;
  const chunkOptions = {
    ...options.chunk,
    maxTokens: Math.min(options.chunk.maxTokens, embedder.maxTokens),
    countTokens: (t: string) => embedder.countTokens(t),
  };
  const texts: string[] = [];
  for (const path of paths) {
    const result = await extractBytes({ bytes: readFileSync(path), name: basename(path) });
    if (!result.ok) throw new Error(`${path}: ${result.reason}`);
    texts.push(...chunkSections(result.doc.sections, chunkOptions).map((c) => c.text));
  }
  const tokens = texts.reduce((n, t) => n + embedder.countTokens(t), 0);
  console.log(`${paths.length} notes from ${text.origin}: ${texts.length} chunks, ${(tokens / texts.length).toFixed(0)} tokens each on average`);

  await embedder.embed(texts.slice(0, 8)); // warm-up: first evaluations allocate
  let started = performance.now();
  for (let i = 0; i < texts.length; i += options.batchChunks) await embedder.embed(texts.slice(i, i + options.batchChunks));
  const bareSeconds = seconds(started);
  const bare = texts.length / bareSeconds;
  console.log(`bare embedder: ${texts.length} chunks in ${bareSeconds.toFixed(1)} s`);

  const engine = await Engine.open({ dbPath: join(work, 'library.db'), embedder });
  started = performance.now();
  engine.add([notes]);
  const summary = await engine.index();
  const pipelineSeconds = seconds(started);
  await engine.close();
  const pipeline = summary.chunks / pipelineSeconds;
  console.log(`pipeline: ${summary.filesDone} files, ${summary.chunks} chunks, ${summary.errors} errors in ${pipelineSeconds.toFixed(1)} s`);
  if (summary.chunks !== texts.length) console.log(`NOTE: the pipeline made ${summary.chunks} chunks, the bare run ${texts.length}`);

  report([
    info('(a) bare embedder throughput', bare, 'chunks/s'),
    info('(a) pipeline throughput', pipeline, 'chunks/s'),
    atLeast('(a) pipeline / bare embedder', pipeline / bare, '', 0.9),
  ]);
} finally {
  rmSync(notes, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
