// (w) The window in web mode, in Debian's Chromium against `cairn serve`: the JavaScript it loads
// (what the first paint needs, and everything, raw and gzipped), the time until the chat view is
// interactive (the composer can take a question; the library status shown), and the longest
// main-thread task while an answer streams during an import of many files.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildRenderer } from '../../build.ts';
import { paragraph, tempDir } from '../support/corpus.ts';
import { chromiumAvailable, startApp } from '../e2e/harness.ts';
import { atMost, info, report } from './report.ts';
import { benchScale } from './scale.ts';

const scale = benchScale();
const importFiles = scale.name === 'small' ? 200 : 1_000;
const runs = scale.name === 'small' ? 3 : 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

if (!chromiumAvailable()) process.exit(0);

// The bundle, as built for Electron and cairn serve.
const dist = await buildRenderer();
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
const assets = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'));
const size = (files: string[], zip: boolean) => files.reduce((sum, f) => sum + (zip ? gzipSync(readFileSync(join(dist, f))).length : statSync(join(dist, f)).size), 0);
const kb = (bytes: number) => Math.round(bytes / 1024);
const figures = [
  atMost('JavaScript loaded at start (gzip)', kb(size(initial, true)), 'KB', 250),
  info('JavaScript loaded at start (minified)', kb(size(initial, false)), 'KB'),
  info('JavaScript in all (gzip; views, Markdown and the highlighter load later)', kb(size(assets.map((f) => `assets/${f}`), true)), 'KB'),
];

const app = await startApp({ library: 'corpus', chatModel: 'markdown' });
try {
  // Time until interactive: a fresh context each run (nothing cached), from navigation start.
  const interactive: number[] = [];
  const statusShown: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { page, context } = await app.open();
    await page.getByTestId('composer').waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'composer');
    interactive.push(await page.evaluate(() => performance.now()));
    await page.getByTestId('indexed').waitFor();
    statusShown.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
  figures.push(atMost('chat view interactive (composer focused), median', Math.round(median(interactive)), 'ms', 1000));
  figures.push(info('library status shown, median', Math.round(median(statusShown)), 'ms'));

  // An answer streaming while many files are imported: the longest task on the page's main thread.
  const folder = tempDir('cairn-bench-window-');
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < importFiles; i++) writeFileSync(join(folder, `note${i}.md`), `# Note ${i}\n\n${paragraph(i, 120)}\n`);
  const { page, call, context } = await app.open();
  await page.getByTestId('composer').waitFor();
  await page.evaluate(() => {
    const w = window as unknown as { longest: number; longTasks: number; frameGap: number };
    w.longest = 0;
    w.longTasks = 0;
    w.frameGap = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        w.longTasks++;
        w.longest = Math.max(w.longest, entry.duration);
      }
    }).observe({ type: 'longtask', buffered: false });
    let last = performance.now();
    const frame = (now: number) => {
      w.frameGap = Math.max(w.frameGap, now - last);
      last = now;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  await call('library.add', { paths: [folder] });
  for (let round = 0; round < 3; round++) {
    await page.keyboard.press('Control+n');
    await page.getByTestId('composer').fill('What does the contract say about notice, and when is the invoice due?');
    await page.getByTestId('composer').press('Enter');
    await page.getByTestId('answer').last().getByRole('button', { name: 'Answer again' }).waitFor({ timeout: 120_000 });
  }
  const measured = await page.evaluate(() => {
    const { longest, longTasks, frameGap } = window as unknown as { longest: number; longTasks: number; frameGap: number };
    return { longest, longTasks, frameGap };
  });
  const status = await call<{ pendingJobs: number; documents: Record<string, number> }>('library.status');
  figures.push(atMost(`longest main-thread task while 3 answers stream during an import of ${importFiles} files (Chromium reports tasks over 50 ms; 0: none)`, Math.round(measured.longest), 'ms', 100));
  figures.push(info('main-thread tasks over 50 ms in that time', measured.longTasks, ''));
  figures.push(info('longest gap between frames in that time', Math.round(measured.frameGap), 'ms'));
  figures.push(info('files indexed by the end of the answers', status.documents.indexed ?? 0, ''));
  await context.close();
} finally {
  await app.close();
}
report(figures);
