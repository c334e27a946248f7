// (c) Peak memory of the engine while ingesting 10,000 small documents with the tiny GGUF embedder,
// raw and beyond what the process held once the model was loaded and the engine open (target
// ≤ 400 MB). (d) Then a re-scan of the unchanged folder: it must read no file (filesDone 0) and
// take < 2 s, both on the same engine and on a re-opened one (as after a restart).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openEmbedder } from '../../app/embed/index.ts';
import { Engine } from '../../app/engine.ts';
import { benchDir, writeOneLiners } from './folders.ts';
import { atMost, info, report, seconds } from './report.ts';
import { benchModelPath, benchScale } from './scale.ts';
import { TextSource } from './synthetic.ts';

const MB = 1024 * 1024;
const scale = benchScale();
const notes = benchDir('folder');
const work = benchDir('folder-db');
const dbPath = join(work, 'library.db');
try {
  const text = new TextSource(23);
  // One line of ~80 characters each (a to-do, a bookmark): the per-file costs of the pipeline are
  // what memory and re-scan depend on, while the tiny model's embedding cost grows steeply with
  // text length and would only make the run longer.
  writeOneLiners(notes, text, scale.memoryDocuments, 80);
  console.log(`${scale.memoryDocuments} one-line notes`);

  const embedder = await openEmbedder({ type: 'gguf', modelPath: benchModelPath, threads: 1 });
  let engine = await Engine.open({ dbPath, embedder });
  const baseline = process.memoryUsage().rss;

  // maxRSS covers the whole process life (and so the moments in between samples); sampling
  // confirms it and shows the peak was during ingestion rather than start-up.
  let sampledPeak = 0;
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)), 20);
  let started = performance.now();
  engine.add([notes]);
  const ingest = await engine.index();
  clearInterval(sampler);
  const ingestSeconds = seconds(started);
  const peak = Math.max(sampledPeak, process.resourceUsage().maxRSS * 1024);
  console.log(`ingested ${ingest.filesDone} files, ${ingest.chunks} chunks, ${ingest.errors} errors in ${ingestSeconds.toFixed(1)} s`);
  console.log(`RSS: ${(baseline / MB).toFixed(0)} MB with the model loaded and the engine open; peak ${(peak / MB).toFixed(0)} MB (sampled ${(sampledPeak / MB).toFixed(0)} MB)`);

  started = performance.now();
  engine.add([notes]);
  const rescan = await engine.index();
  const rescanSeconds = seconds(started);
  await engine.close();

  engine = await Engine.open({ dbPath, embedder: null });
  started = performance.now();
  engine.add([notes]);
  const reopened = await engine.index();
  const reopenedSeconds = seconds(started);
  await engine.close();
  console.log(`re-scan: ${rescan.filesDone} files read in ${rescanSeconds.toFixed(2)} s; after re-opening: ${reopened.filesDone} files read in ${reopenedSeconds.toFixed(2)} s`);

  const n = `${(scale.memoryDocuments / 1000).toFixed(0)}k`;
  report([
    info(`(c) ingest ${n} small docs`, ingest.chunks / ingestSeconds, 'chunks/s'),
    info(`(c) peak RSS, raw`, peak / MB, 'MB'),
    info(`(c) RSS after model load + open`, baseline / MB, 'MB'),
    atMost(`(c) peak RSS besides the model`, (peak - baseline) / MB, 'MB', 400),
    atMost(`(d) re-scan ${n} unchanged files`, rescanSeconds, 's', 2),
    atMost(`(d) files re-read by the re-scan`, rescan.filesDone, 'files', 0),
    atMost(`(d) re-scan after re-opening`, reopenedSeconds, 's', 2),
  ]);
} finally {
  rmSync(notes, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
