// The activity panel in a real browser against `cairn serve`: an import paused before a restart is
// there to resume; resumed, it reads its files and ends with a summary in which a broken PDF says
// why it failed; a click opens its detail in Library, and once the file is fixed, "retry" reads it
// again. Files are added through the contract's library.add (a browser drop gives no paths); the
// web-mode drop overlay says so. Screenshots in light and dark, English and Chinese.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Engine } from '../../app/engine.ts';
import { buildPdf } from '../fixtures/pdf.ts';
import { paragraph, tempDir } from '../support/corpus.ts';
import type { Page } from 'playwright-core';
import { chromiumAvailable, startApp, type App } from './harness.ts';

const BROKEN_PDF = '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';

/**
 * The desktop app's bridge as its preload gives it (window.cairn: the contract's wire messages,
 * here carried over cairn serve's HTTP and event stream) with pathForFile, which Electron answers
 * for a dropped file; here from a table the test fills. A browser alone never gives a path.
 */
const DESKTOP_BRIDGE = `(() => {
  const listeners = new Set();
  let events = null;
  const deliver = (message) => { for (const listener of listeners) listener(message); };
  window.cairn = {
    send(request) {
      fetch('/api/' + request.method, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.params ?? {}) })
        .then((response) => response.json())
        .then((body) => deliver(body.error ? { type: 'response', id: request.id, error: body.error } : { type: 'response', id: request.id, result: body.result }));
    },
    onMessage(listener) {
      listeners.add(listener);
      if (!events) {
        events = new EventSource('/api/events');
        events.onmessage = (message) => deliver({ type: 'event', event: JSON.parse(message.data) });
      }
      return () => listeners.delete(listener);
    },
    pathForFile: (file) => (window.droppedPaths || {})[file.name] || '',
  };
})();`;

/** Drags (or drops) items with these names onto the window. */
async function drag(page: Page, type: 'dragenter' | 'drop', names: string[]): Promise<void> {
  await page.evaluate(
    ([type, names]) => {
      const data = new DataTransfer();
      for (const name of names) data.items.add(new File([''], name));
      window.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    [type, names] as const,
  );
}

function notes(name: string, count: number): string {
  const dir = join(tempDir(), name);
  mkdirSync(dir);
  for (let i = 0; i < count; i++) writeFileSync(join(dir, `note${String(i).padStart(3, '0')}.md`), `# ${name} ${i}\n\n${paragraph(i, 40)}\n`);
  writeFileSync(join(dir, 'quarterly report.pdf'), BROKEN_PDF);
  return dir;
}

describe('the activity panel', { timeout: 240_000 }, () => {
  let app: App | null = null;
  let archive = '';

  before(async () => {
    if (!chromiumAvailable()) return;
    archive = notes('archive', 60);
    app = await startApp({
      library: 'corpus',
      // An import started before the restart, stopped part way and paused: it waits to be resumed.
      async prepare(dbPath) {
        const engine = await Engine.open({ dbPath, embedder: null, ingest: { batchChunks: 8, prefetch: 2 } });
        try {
          const { importId } = engine.add([archive]);
          const reading = new AbortController();
          const stop = engine.onEvent((e) => {
            if (e.type === 'import' && e.import.stage === 'reading') reading.abort();
          });
          await engine.index(reading.signal);
          stop();
          engine.setImportPaused(importId!, true);
        } finally {
          await engine.close();
        }
      },
    });
  });
  after(async () => app?.close());

  test('a paused import resumes, ends with its summary, a failure opens its detail and is retried', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const { page, problems, screenshot } = await app.open();
    await page.getByTestId('indexed').waitFor();
    await page.getByTestId('activity-button').click();
    const panel = page.getByTestId('activity-panel');
    const job = panel.getByTestId('activity-job').first();
    await job.getByText('Paused', { exact: false }).waitFor();
    assert.match(await job.innerText(), /Adding\s+archive/);
    assert.match(await job.innerText(), /\d+ of 61 files/);
    await screenshot('activity-paused-en-light');

    await job.getByRole('button', { name: 'Resume' }).click();
    const summary = job.getByTestId('import-summary');
    await summary.waitFor({ timeout: 60_000 });
    await summary.getByText('1 could not be read').waitFor();
    assert.match(await summary.innerText(), /60 indexed/);
    const failure = summary.getByRole('button', { name: /^quarterly report\.pdf/ });
    assert.match(await failure.innerText(), /damaged or not what its name says/);
    await screenshot('activity-summary-en-light');

    // A click opens the document's detail in Library, with the reason in plain words.
    await failure.click();
    await page.waitForURL(/#\/library\/\d+$/);
    const detail = page.getByTestId('document-detail');
    await detail.getByRole('heading', { name: 'quarterly report.pdf' }).waitFor();
    const status = detail.getByTestId('document-status');
    assert.match(await status.innerText(), /Failed/);
    assert.match(await status.innerText(), /damaged/);
    await detail.getByText('No text was extracted from it.').waitFor();
    await screenshot('library-failed-detail-en-light');

    // Fixed on disk, then retried from the detail: it is read again and shows its text by page.
    writeFileSync(join(archive, 'quarterly report.pdf'), buildPdf({ pages: [['Revenue grew in the third quarter.'], ['Costs fell by a tenth.']] }));
    await detail.getByRole('button', { name: 'Retry' }).click();
    await status.getByText('Indexed').waitFor({ timeout: 60_000 });
    const passages = detail.getByTestId('passage');
    await passages.first().waitFor();
    assert.match(await detail.getByTestId('extracted-text').innerText(), /page 1[\s\S]*Revenue grew in the third quarter/);
    await screenshot('library-detail-en-light');
    assert.deepEqual(problems, []);
  });

  test('in the desktop app a drop gives paths: the overlay says where they go, the import starts at once, the panel opens on it and its summary follows', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const dropped = notes('dropped', 5);
    const { page, problems, screenshot, context } = await app.open({ init: { content: DESKTOP_BRIDGE } });
    try {
      await page.getByTestId('indexed').waitFor();
      await page.evaluate((path) => ((window as unknown as { droppedPaths: Record<string, string> }).droppedPaths = { dropped: path }), dropped);
      await drag(page, 'dragenter', ['dropped']);
      const overlay = page.getByTestId('drop-overlay');
      await overlay.getByRole('heading', { name: 'Drop to add 1 item to your library' }).waitFor();
      assert.match(await overlay.innerText(), /reads them where they are: nothing is copied or moved[\s\S]*They appear in Library/);
      await screenshot('drop-desktop-en-light');
      await drag(page, 'drop', ['dropped']);
      await overlay.waitFor({ state: 'detached' });
      const job = page.getByTestId('activity-panel').locator('[data-job^="import:"]').filter({ has: page.locator(`.activity__subject[title="${dropped}"]`) });
      const summary = job.getByTestId('import-summary');
      await summary.getByText('1 could not be read').waitFor({ timeout: 60_000 });
      assert.match(await summary.innerText(), /5 indexed · 1 failed/);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('an import added through the contract shows in the panel and ends with its summary; retry all failed', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const { page, problems, call, screenshot, context } = await app.open();
    await page.getByTestId('indexed').waitFor();
    const inbox = notes('inbox', 12);
    writeFileSync(join(inbox, 'empty.md'), '');
    const added = await call<{ importId: number }>('library.add', { paths: [inbox] });
    assert.equal(typeof added.importId, 'number');
    await page.getByTestId('activity-button').click();
    const job = page.locator(`[data-job="import:${added.importId}"]`);
    const summary = job.getByTestId('import-summary');
    await summary.getByText('2 could not be read').waitFor({ timeout: 60_000 });
    assert.match(await summary.innerText(), /12 indexed · 1 failed · 1 skipped/);
    assert.match(await summary.innerText(), /The file is empty/);
    await summary.getByRole('button', { name: 'Retry all failed' }).click();
    // The retry is an import of its own, reading the one failed file again (still broken).
    const retry = page.locator('[data-job^="import:"]').filter({ has: page.locator(`.activity__subject[title="${join(inbox, 'quarterly report.pdf')}"]`) });
    await retry.getByTestId('import-summary').getByText('1 could not be read').waitFor({ timeout: 60_000 });
    assert.match(await retry.innerText(), /^Read again/);
    for (const [locale, colorScheme] of [['en-US', 'dark'], ['zh-CN', 'light'], ['zh-CN', 'dark']] as const) {
      const other = await app.open({ locale, colorScheme });
      await other.page.getByTestId('indexed').waitFor();
      await other.page.getByTestId('activity-button').click();
      await other.page.getByTestId('import-summary').first().waitFor();
      await other.screenshot(`activity-summary-${locale === 'en-US' ? 'en' : 'zh-CN'}-${colorScheme}`);
      assert.deepEqual(other.problems, []);
      await other.context.close();
    }
    // Clearing forgets finished imports (the engine does too).
    // The panel empties at once, before the engine has been told: wait for its answer first.
    const cleared = page.waitForResponse((response) => response.url().endsWith('/api/imports.clear'));
    await page.getByRole('button', { name: 'Clear finished' }).click();
    await page.getByText('No imports, scans, syncs or downloads are running.').waitFor();
    await cleared;
    assert.deepEqual(await call('imports.list'), []);
    await screenshot('activity-empty-en-light');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
