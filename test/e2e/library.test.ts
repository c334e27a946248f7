// The Library view in a real browser against `cairn serve`, on a library of 100,000 documents made
// straight in the store: the table keeps a window of rows in the page and fetches the pages that
// scroll into view (not the rest); counts by status filter it, as do words, kind and source; a
// header sorts it; a row opens its detail. Screenshots in light and dark, English and Chinese.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Request } from 'playwright-core';
import { tempDir } from '../support/corpus.ts';
import { fillLibrary, largeDocumentTitle } from '../support/large-library.ts';
import { chromiumAvailable, startApp, type App } from './harness.ts';

const COUNT = 100_000;
const ROW_HEIGHT = 36;

/** The offsets of the documents.list pages a page asks for. */
function listRequests(requests: Request[]): { offset: number; text?: string; status?: string }[] {
  return requests.filter((r) => r.url().endsWith('/api/documents.list')).map((r) => JSON.parse(r.postData() ?? '{}') as { offset: number });
}

describe('the Library view', { timeout: 300_000 }, () => {
  let app: App | null = null;

  before(async () => {
    if (chromiumAvailable()) app = await startApp({ library: 'empty', prepare: (db) => void fillLibrary(db, COUNT) });
  });
  after(async () => app?.close());

  test('100,000 documents: a window of rows in the page, pages fetched as they scroll into view', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const { page, problems, screenshot, call } = await app.open();
    const requests: Request[] = [];
    page.on('request', (r) => requests.push(r));
    await page.keyboard.press('Control+2');
    const table = page.getByRole('table', { name: 'Documents' });
    await table.getByRole('cell', { name: largeDocumentTitle(0) }).waitFor();
    assert.equal(await table.getAttribute('aria-rowcount'), String(COUNT + 1));
    await page.getByRole('button', { name: /^All 100,000$/ }).waitFor();
    await page.getByTestId('count-failed').getByText('10,000').waitFor();
    const rendered = await table.getByRole('row').count();
    assert.ok(rendered < 80, `${rendered} rows in the page`);
    await screenshot('library-100k-en-light');

    // Halfway down: that page is fetched, and shown.
    const body = page.locator('.c-table__body');
    await body.evaluate((el, top) => (el.scrollTop = top), 50_000 * ROW_HEIGHT);
    await table.getByRole('cell', { name: largeDocumentTitle(50_000) }).waitFor();
    assert.equal(await table.getByRole('row', { name: largeDocumentTitle(50_000) }).getAttribute('aria-rowindex'), String(50_000 + 2));
    // The last row.
    await body.focus();
    await body.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await table.getByRole('cell', { name: largeDocumentTitle(COUNT - 1) }).waitFor();
    const offsets = listRequests(requests).map((r) => r.offset);
    assert.ok(offsets.some((o) => o >= 49_800 && o <= 50_000), `the middle page was fetched: ${offsets.join(', ')}`);
    assert.ok(offsets.some((o) => o >= COUNT - 400), 'the last page was fetched');
    assert.ok(offsets.length <= 12, `only the pages looked at were fetched (${offsets.length})`);
    assert.ok((await table.getByRole('row').count()) < 80);

    // A document added while the end is in view: only the pages in view are fetched again.
    const seen = listRequests(requests).length;
    const dir = tempDir();
    writeFileSync(join(dir, 'late.md'), '# Late\n\nA note that came last.\n');
    await call('library.add', { paths: [dir] });
    await page.getByRole('button', { name: /^All 100,001$/ }).waitFor();
    await table.getByRole('cell', { name: largeDocumentTitle(COUNT - 1) }).waitFor();
    const again = listRequests(requests.slice()).slice(seen).map((r) => r.offset);
    assert.ok(again.length > 0 && again.every((o) => o >= COUNT - 400), `fetched again: ${again.join(', ')}`);
    assert.deepEqual(problems, []);
  });

  test('counts by status filter it, as do words, kind and source; a header sorts it; a row opens its detail', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const { page, problems, call, screenshot } = await app.open();
    await page.keyboard.press('Control+2');
    const table = page.getByRole('table', { name: 'Documents' });
    await table.getByRole('cell', { name: largeDocumentTitle(0) }).waitFor();

    // Words: what is typed shows at once; the list and the counts follow.
    const filter = page.getByRole('searchbox', { name: 'Filter by title or path' });
    await filter.pressSequentially('invoice', { delay: 20 });
    assert.equal(await filter.inputValue(), 'invoice');
    const invoices = await call<Record<string, number>>('documents.counts', { text: 'invoice' });
    const total = Object.values(invoices).reduce((a, b) => a + b, 0);
    await page.getByRole('button', { name: `All ${total.toLocaleString('en-US')}` }).waitFor();

    // A count filters by its status.
    await page.getByTestId('count-failed').click();
    assert.equal(await page.getByTestId('count-failed').getAttribute('aria-pressed'), 'true');
    await table.getByRole('row').nth(1).getByText('Failed').waitFor();
    const statuses = await table.locator('.c-table__body [role=row] .badge').allInnerTexts();
    assert.ok(statuses.length > 5 && statuses.every((s) => s === 'Failed'), statuses.join(','));
    await page.getByRole('button', { name: 'Retry all failed' }).waitFor();

    // A row opens its detail: what it is, its status and why, in plain words and the engine's own.
    await table.getByRole('row').nth(1).click();
    const detail = page.getByTestId('document-detail');
    const status = detail.getByTestId('document-status');
    await status.getByText('The PDF could not be parsed.').waitFor();
    assert.match(await status.innerText(), /Failed[\s\S]*damaged or not what its name says/);
    assert.match(page.url(), /#\/library\/\d+$/);

    // Pending emails, sorted by title.
    await page.getByTestId('count-pending').click();
    await page.getByRole('combobox', { name: 'Kind' }).selectOption('email');
    await page.getByRole('columnheader', { name: 'Title' }).getByRole('button').click();
    assert.equal(await page.getByRole('columnheader', { name: /Title/ }).getAttribute('aria-sort'), 'ascending');
    const expected = await call<{ items: { title: string }[] }>('documents.list', { text: 'invoice', status: 'pending', kind: 'email', sort: 'title', order: 'asc', limit: 3 });
    const first = table.getByRole('row').nth(1);
    await first.getByRole('cell', { name: expected.items[0]!.title }).waitFor();
    await first.click();
    await detail.getByRole('heading', { name: expected.items[0]!.title }).waitFor();
    assert.match(await detail.innerText(), /From\s+Ann <ann@example\.com>/);
    assert.match(await status.innerText(), /Pending[\s\S]*Waiting to be read/);
    // Not read yet: it is not said to have no text.
    assert.match(await detail.getByTestId('extracted-text').innerText(), /once it has been read/);
    assert.equal(await first.getAttribute('aria-selected'), 'true');
    await screenshot('library-filtered-detail-en-light');
    // Arrow keys move through the rows and the detail follows; Escape closes it.
    await page.keyboard.press('ArrowDown');
    await detail.getByRole('heading', { name: expected.items[1]!.title }).waitFor();
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });
    assert.match(page.url(), /#\/library$/);

    // Source: another source has none of these.
    await page.getByRole('combobox', { name: 'Source' }).selectOption({ label: 'archive' });
    await page.getByText('No document matches').waitFor();
    await page.getByRole('button', { name: 'Clear the filters' }).click();
    // (The first test added one.)
    await page.getByRole('button', { name: /^All 100,001$/ }).waitFor();
    assert.equal(await filter.inputValue(), '');
    assert.deepEqual(problems, []);

    for (const [locale, colorScheme] of [['en-US', 'dark'], ['zh-CN', 'light'], ['zh-CN', 'dark']] as const) {
      const other = await app.open({ locale, colorScheme });
      const name = `${locale === 'en-US' ? 'en' : 'zh-CN'}-${colorScheme}`;
      await other.page.keyboard.press('Control+2');
      await other.page.getByRole('cell', { name: largeDocumentTitle(0) }).waitFor();
      await other.page.getByRole('row').nth(5).click();
      await other.page.getByTestId('document-detail').getByTestId('document-status').waitFor();
      await other.screenshot(`library-100k-${name}`);
      assert.deepEqual(other.problems, []);
      await other.context.close();
    }
  });
});
