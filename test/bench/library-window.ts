// (l) The Library table in Chromium against `cairn serve`, on 100,000 documents made straight in
// the store: the longest main-thread task and the longest gap between frames while the table is
// scrolled with the wheel and then dragged from top to bottom (a new place every frame), how long
// the rows of a far place take to show after a jump (its page fetched), and how long a page of
// documents.list takes the engine deep in the list.
import { join } from 'node:path';
import { Library } from '../../app/store/index.ts';
import { chromiumAvailable, startApp } from '../e2e/harness.ts';
import { fillLibrary, largeDocumentTitle } from '../support/large-library.ts';
import { tempDir } from '../support/corpus.ts';
import { atMost, info, percentile, report } from './report.ts';
import { benchScale } from './scale.ts';

const COUNT = 100_000;
const ROW_HEIGHT = 36;
const scale = benchScale();
const jumps = scale.name === 'small' ? 5 : 15;

if (!chromiumAvailable()) process.exit(0);

// The engine's side first, without a browser: a page of 200 rows at the start, middle and end.
const probe = join(tempDir('cairn-bench-library-'), 'library.db');
fillLibrary(probe, COUNT);
const library = Library.open(probe);
const pageMs: number[] = [];
for (const sort of ['indexed', 'title', 'date', 'size', 'status'] as const) {
  for (const offset of [0, COUNT / 2, COUNT - 200]) {
    const started = performance.now();
    library.listing.page({ offset, limit: 200, sort, order: 'desc' });
    pageMs.push(performance.now() - started);
  }
}
library.close();

const app = await startApp({ library: 'empty', prepare: (db) => void fillLibrary(db, COUNT) });
const figures = [atMost('documents.list: a page of 200 of 100,000 documents, slowest of 5 sorts × start, middle, end', Math.round(Math.max(...pageMs)), 'ms', 100)];
try {
  const { page } = await app.open();
  await page.keyboard.press('Control+2');
  await page.getByRole('cell', { name: largeDocumentTitle(0) }).waitFor();
  const body = page.locator('.c-table__body');
  await page.evaluate(() => {
    const w = window as unknown as { longest: number; longTasks: number; frameGap: number; frames: number };
    Object.assign(w, { longest: 0, longTasks: 0, frameGap: 0, frames: 0 });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        w.longTasks++;
        w.longest = Math.max(w.longest, entry.duration);
      }
    }).observe({ type: 'longtask', buffered: false });
    let last = performance.now();
    const frame = (now: number) => {
      w.frameGap = Math.max(w.frameGap, now - last);
      w.frames++;
      last = now;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });

  // The wheel: 120 notches down, as fast as a person flicks.
  const box = (await body.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 120; i++) await page.mouse.wheel(0, 400);
  // Dragging the scroll bar from top to bottom in about two seconds: a new place every frame.
  await body.evaluate(
    (el) =>
      new Promise<void>((done) => {
        const steps = 120;
        let step = 0;
        const next = () => {
          el.scrollTop = (el.scrollHeight - el.clientHeight) * (++step / steps);
          if (step < steps) requestAnimationFrame(next);
          else done();
        };
        requestAnimationFrame(next);
      }),
  );
  await page.getByRole('cell', { name: largeDocumentTitle(COUNT - 1) }).waitFor();
  const scrolled = await page.evaluate(() => {
    const { longest, longTasks, frameGap, frames } = window as unknown as { longest: number; longTasks: number; frameGap: number; frames: number };
    return { longest, longTasks, frameGap, frames };
  });

  // Jumps to far places: time until that place's rows are shown (its page fetched and rendered).
  const shown: number[] = [];
  for (let i = 0; i < jumps; i++) {
    const row = Math.floor(((i * 7919) % 997) / 997 * (COUNT - 50));
    shown.push(
      await body.evaluate(
        (el, { top, title }) =>
          new Promise<number>((done) => {
            const started = performance.now();
            el.scrollTop = top;
            const look = () => {
              const titles = [...el.querySelectorAll('.cell-main')];
              if (titles.some((c) => c.textContent === title)) done(performance.now() - started);
              else requestAnimationFrame(look);
            };
            look();
          }),
        { top: row * ROW_HEIGHT, title: largeDocumentTitle(row) },
      ),
    );
  }
  figures.push(
    atMost('longest main-thread task while 100,000 rows are scrolled (wheel, then dragged; Chromium reports tasks over 50 ms; 0: none)', Math.round(scrolled.longest), 'ms', 50),
    info('main-thread tasks over 50 ms in that time', scrolled.longTasks, ''),
    info('longest gap between frames in that time', Math.round(scrolled.frameGap), 'ms'),
    atMost(`rows shown after a jump to a far place, median of ${jumps}`, Math.round(percentile(shown, 50)), 'ms', 250),
    info(`rows shown after a jump to a far place, slowest of ${jumps}`, Math.round(Math.max(...shown)), 'ms'),
  );
} finally {
  await app.close();
}
report(figures);
