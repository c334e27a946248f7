// (g) Watched folders: the first scan of a 10,000-file folder (walk and queue, then keyword-only
// indexing, then with the tiny GGUF embedder), the longest the event loop waited during a walk of
// a large tree (100,000 files at full scale), a re-scan of the unchanged folder, and renames found
// on start: how many chunks were embedded again (target 0).
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openEmbedder, type Embedder } from '../../app/embed/index.ts';
import { Engine } from '../../app/engine.ts';
import { FolderFilter, folderRules, walkFolder } from '../../app/sources/index.ts';
import { benchDir, writeOneLiners } from './folders.ts';
import { atMost, info, report, seconds, type Figure } from './report.ts';
import { benchModelPath, benchScale } from './scale.ts';
import { TextSource } from './synthetic.ts';

const scale = benchScale();
const scanFiles = scale.name === 'full' ? 10_000 : 1_000;
const treeFiles = scale.name === 'full' ? 100_000 : 10_000;
const renamed = Math.min(1_000, scanFiles / 10);
const k = (n: number) => `${(n / 1000).toFixed(0)}k`;

const notes = benchDir('scan');
const tree = benchDir('tree');
const work = benchDir('scan-db');
const figures: Figure[] = [];

/** An embedder that counts the chunks it embeds. */
function counting(embedder: Embedder): Embedder & { chunks: number } {
  const counted = {
    key: embedder.key,
    spec: embedder.spec,
    dimensions: embedder.dimensions,
    maxTokens: embedder.maxTokens,
    prefixes: embedder.prefixes,
    chunks: 0,
    countTokens: (text: string) => embedder.countTokens(text),
    embed: (texts: string[]) => {
      counted.chunks += texts.length;
      return embedder.embed(texts);
    },
    embedQuery: (query: string) => embedder.embedQuery(query),
    raw: embedder.raw,
    // Engines close their embedder; this one outlives them and is closed at the end.
    close: async () => {},
  };
  return counted;
}

/** Runs `work` while sampling the event loop's delay; returns its result and the longest delay (ms). */
async function withLoopDelay<T>(work: () => Promise<T>): Promise<[T, number]> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    return [await work(), histogram.max / 1e6];
  } finally {
    histogram.disable();
  }
}

try {
  const text = new TextSource(41);
  writeOneLiners(notes, text, scanFiles, 80);
  // A large tree: 100 files a folder, 20 folders a parent, plus a node_modules the walk must skip.
  for (let i = 0; i < treeFiles; i += 100) {
    const dir = join(tree, `part${Math.floor(i / 2000)}`, `folder${i}`);
    mkdirSync(dir, { recursive: true });
    for (let j = 0; j < 100; j++) writeFileSync(join(dir, `f${i + j}.txt`), 'x');
  }
  mkdirSync(join(tree, 'node_modules', 'pkg'), { recursive: true });
  for (let j = 0; j < 1000; j++) writeFileSync(join(tree, 'node_modules', 'pkg', `m${j}.js`), 'x');
  console.log(`${scanFiles} one-line notes; a tree of ${treeFiles} files`);

  // The walk alone over the large tree: how fast, and how long the event loop was ever held.
  let started = performance.now();
  const [walked, walkDelay] = await withLoopDelay(async () => {
    let n = 0;
    for await (const _ of walkFolder(new FolderFilter(tree, folderRules({})), () => {})) n++;
    return n;
  });
  const walkSeconds = seconds(started);
  console.log(`walk: ${walked} files in ${walkSeconds.toFixed(2)} s; longest event-loop delay ${walkDelay.toFixed(1)} ms`);
  figures.push(info(`(g) walk ${k(treeFiles)}-file tree`, walked / walkSeconds, 'files/s'));
  figures.push(atMost(`(g) longest event-loop delay in that walk`, walkDelay, 'ms', 100));

  // First scan, keyword only: walk, queue, extract, chunk, write.
  let engine = await Engine.open({ dbPath: join(work, 'keyword.db'), embedder: null });
  engine.addFolder(notes);
  started = performance.now();
  const [, scanDelay] = await withLoopDelay(() => engine.folders.scan());
  const keywordSeconds = seconds(started);
  const keywordDocs = engine.status().documents.indexed;
  await engine.close();
  console.log(`first scan, keyword only: ${keywordDocs} documents in ${keywordSeconds.toFixed(1)} s; longest event-loop delay ${scanDelay.toFixed(1)} ms`);
  figures.push(info(`(g) first scan ${k(scanFiles)} files, keyword only`, keywordDocs / keywordSeconds, 'files/s'));
  figures.push(info(`(g) longest event-loop delay in that scan`, scanDelay, 'ms'));

  // First scan with the tiny GGUF embedder, then a re-scan, then renames found on start.
  const dbPath = join(work, 'embedded.db');
  const real = await openEmbedder({ type: 'gguf', modelPath: benchModelPath, threads: 1 });
  const embedder = counting(real);
  engine = await Engine.open({ dbPath, embedder });
  engine.addFolder(notes);
  started = performance.now();
  await engine.folders.scan();
  const embeddedSeconds = seconds(started);
  const embeddedDocs = engine.status().documents.indexed;
  console.log(`first scan with ${benchModelPath.split('/').at(-1)}: ${embeddedDocs} documents, ${embedder.chunks} chunks embedded in ${embeddedSeconds.toFixed(1)} s`);
  figures.push(info(`(g) first scan ${k(scanFiles)} files, with the tiny embedder`, embeddedDocs / embeddedSeconds, 'files/s'));

  started = performance.now();
  await engine.folders.scan();
  const rescanSeconds = seconds(started);
  figures.push(atMost(`(g) re-scan of the unchanged ${k(scanFiles)} files`, rescanSeconds, 's', 2));
  await engine.close();

  for (let i = 0; i < renamed; i++) {
    const sub = join(notes, `folder${Math.floor(i / 100)}`);
    renameSync(join(sub, `note${i}.txt`), join(sub, `renamed${i}.txt`));
  }
  embedder.chunks = 0;
  engine = await Engine.open({ dbPath, embedder });
  started = performance.now();
  await engine.folders.scan();
  const renameSeconds = seconds(started);
  const moved = (engine.library.db.prepare("SELECT count(*) AS n FROM documents WHERE uri LIKE '%renamed%'").get() as { n: number }).n;
  console.log(`${renamed} files renamed while closed: ${moved} documents moved, ${embedder.chunks} chunks embedded again, ${renameSeconds.toFixed(2)} s`);
  figures.push(atMost(`(g) chunks embedded again after ${renamed} renames`, embedder.chunks, 'chunks', 0));
  figures.push(info(`(g) start-up scan after ${renamed} renames`, renameSeconds, 's'));
  await engine.close();
  await real.close();
  report(figures);
} finally {
  rmSync(notes, { recursive: true, force: true });
  rmSync(tree, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
