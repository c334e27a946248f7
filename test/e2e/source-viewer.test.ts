// The source viewer in a real browser against `cairn serve`: an answer's citations open beside the
// chat; a PDF at the cited page with exactly the cited chunk marked on its text layer (checked
// against the chunk's own text from the engine), page navigation and zoom; an email in a reader
// with its headers, the passage marked and its attachments opened in the pane; a text document
// scrolled to the passage; which search found each source on its card; no console errors.
// Screenshots in light and dark, English and Chinese go to test-output/window.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { DocumentText } from '../../app/contract/api.ts';
import type { ConversationDetail } from '../../app/contract/index.ts';
import { multipartMessage } from '../fixtures/mail.ts';
import { buildPdf } from '../fixtures/pdf.ts';
import { scannedPdf } from '../fixtures/scan.ts';
import { tempDir } from '../support/corpus.ts';
import { chromiumAvailable, startApp, type App, type WindowPage } from './harness.ts';

const QUESTION = 'When does the harbour lease end, and what notice is needed?';

/** Page 2 is long enough to be cut in two chunks; the question's words are only in its second half. */
const FILLER = Array.from({ length: 24 }, (_, i) => `Clause ${i + 1} covers mooring fees, buoys and winter storage for boat ${i + 1}`);

function writeLibrary(): string {
  const dir = tempDir('cairn-viewer-');
  mkdirSync(join(dir, 'docs'));
  mkdirSync(join(dir, 'mail'));
  writeFileSync(
    join(dir, 'docs', 'lease.pdf'),
    buildPdf({
      title: 'Harbour lease',
      pages: [
        ['Lease of berth 14 at the old harbour', 'between the Harbour Trust and Bob Marsh'],
        [...FILLER, 'The harbour lease ends on the thirtieth of June,', 'and either party may end it sooner with three months notice.'],
        ['Signed in Falmouth', 'on the first of March'],
      ],
    }),
  );
  // A scan: its text comes from OCR, and its passage is marked by the boxes of its lines.
  writeFileSync(join(dir, 'docs', 'scan.pdf'), scannedPdf([{ lines: ['Harbour lease notice', 'for berth fourteen'] }]));
  writeFileSync(join(dir, 'docs', 'notes.md'), '# Harbour notes\n\nThe boat needs new paint before summer.\n\nThe harbour lease papers are in the blue folder; notice goes to the harbour master.\n');
  writeFileSync(
    join(dir, 'mail', 'lease.eml'),
    multipartMessage(
      ['From: Alice Smith <alice@example.com>', 'To: Bob Marsh <bob@example.com>', 'Date: Mon, 02 Nov 2026 10:00:00 +0000', 'Subject: Signed harbour lease'],
      [
        { headers: ['Content-Type: text/plain; charset=utf-8'], body: 'Bob,\n\nthe harbour lease is signed and attached. Mind the notice period.\n\nAlice' },
        {
          headers: ['Content-Type: application/pdf; name="offer.pdf"', 'Content-Disposition: attachment; filename="offer.pdf"', 'Content-Transfer-Encoding: base64'],
          body: Buffer.from(buildPdf({ pages: [['The signed offer for the berth.']] })).toString('base64'),
        },
      ],
    ),
  );
  return dir;
}

/** The sources of the conversation's last answer, and the chunk text of each as the engine keeps it. */
async function sourcesOf(call: WindowPage['call'], conversationId: number) {
  const conversation = await call<ConversationDetail>('conversations.get', { id: conversationId });
  return conversation.messages.at(-1)!.sources;
}

async function chunkText(call: WindowPage['call'], documentId: number, chunkId: number): Promise<string> {
  const content = await call<DocumentText>('documents.text', { id: documentId, chunkId });
  assert.ok(content.chunk, 'the cited chunk is the document’s');
  return content.chunk.text;
}

const squeeze = (text: string) => text.replace(/\s+/g, '');

async function markedPdfText(page: Page): Promise<string> {
  await page.locator('[data-testid="pdf-viewer"] .pdf-page[data-page="2"] mark.pdf-passage').first().waitFor();
  return page.$$eval('[data-testid="pdf-viewer"] mark.pdf-passage', (marks) => marks.map((m) => m.textContent ?? '').join(''));
}

describe('the source viewer', { timeout: 240_000 }, () => {
  let app: App | null = null;
  let conversationId = 0;

  before(async () => {
    if (chromiumAvailable()) app = await startApp({ library: { folder: writeLibrary() }, chatModel: 'cite-all' });
  });
  after(async () => app?.close());

  test('a citation opens the PDF at its page with exactly the cited chunk marked; pages and zoom; the email reader and its attachment; a text', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const { page, problems, call, screenshot } = await app.open({ width: 1440, height: 900 });
    await page.getByTestId('indexed').waitFor();
    const composer = page.getByRole('textbox', { name: 'Your question' });
    await composer.fill(QUESTION);
    await composer.press('Enter');
    const answer = page.getByTestId('answer').first();
    await answer.getByRole('button', { name: 'Answer again' }).waitFor();
    conversationId = Number(/#\/chat\/(\d+)$/.exec(page.url())![1]);
    const sources = await sourcesOf(call, conversationId);
    const lease = sources.find((s) => s.title === 'Harbour lease')!;
    const email = sources.find((s) => s.title === 'Signed harbour lease')!;
    const notes = sources.find((s) => s.title === 'Harbour notes')!;
    assert.ok(lease && email && notes, sources.map((s) => s.title).join(', '));
    assert.equal(lease.page, 2);

    // Hovering a chip shows the card with which search found it (keywords: this library has no embedder).
    const chip = answer.getByRole('button', { name: `Source ${lease.n}: Harbour lease` });
    await chip.hover();
    const card = page.locator('.c-hovercard');
    await card.getByText('Found by keyword search').waitFor();
    assert.match(await card.innerText(), /lease\.pdf · p\. 2/);
    await chip.click();

    // The PDF at page 2, with the cited chunk's items marked: the same text, nothing more.
    const pane = page.getByTestId('source-pane');
    const viewer = pane.getByTestId('pdf-viewer');
    const marked = await markedPdfText(page);
    const cited = await chunkText(call, lease.documentId, lease.chunkId);
    assert.equal(squeeze(marked), squeeze(cited), 'the marks are the cited chunk');
    assert.match(marked, /three months notice/);
    assert.ok(!marked.includes('Clause 1 covers'), 'the first chunk of the page is not marked');
    assert.equal(await viewer.getByRole('textbox', { name: 'Page number' }).inputValue(), '2');
    assert.match(await viewer.innerText(), /of 3/);
    // The mark was scrolled into view inside the viewer.
    const inView = await page.$eval('mark.pdf-passage', (mark) => {
      const box = mark.getBoundingClientRect();
      const area = mark.closest('.pdf-viewer__scroll')!.getBoundingClientRect();
      return box.top >= area.top && box.bottom <= area.bottom;
    });
    assert.ok(inView, 'the passage is in view');

    // Pages: next, then back to the passage; zoom in makes the page wider.
    await viewer.getByRole('button', { name: 'Next page' }).click();
    await viewer.locator('.pdf-page[data-page="3"]').waitFor();
    assert.equal(await viewer.locator('mark.pdf-passage').count(), 0);
    await viewer.getByRole('button', { name: 'Go to the passage' }).click();
    await viewer.locator('.pdf-page[data-page="2"] mark.pdf-passage').first().waitFor();
    const width = async () => (await viewer.locator('.pdf-page').boundingBox())!.width;
    const fitted = await width();
    await viewer.getByRole('button', { name: 'Zoom in' }).click();
    await page.waitForFunction((before) => document.querySelector('.pdf-page')!.getBoundingClientRect().width > before + 10, fitted);
    await viewer.locator('.pdf-page[data-page="2"] mark.pdf-passage').first().waitFor();
    await viewer.getByRole('button', { name: 'Fit width' }).click();
    await page.waitForFunction((before) => Math.abs(document.querySelector('.pdf-page')!.getBoundingClientRect().width - before) < 2, fitted);

    // The email: a reader with its headers, the passage marked in the body, its attachment.
    await answer.getByRole('button', { name: `Source ${email.n}: Signed harbour lease` }).click();
    const reader = pane.getByTestId('email-reader');
    await reader.waitFor();
    assert.match(await reader.getByRole('definition').first().innerText(), /Alice Smith <alice@example\.com>/);
    await reader.getByRole('heading', { name: 'Signed harbour lease' }).waitFor();
    const passage = await reader.getByTestId('passage').allInnerTexts();
    assert.equal(squeeze(passage.join('')), squeeze(await chunkText(call, email.documentId, email.chunkId)).replace(/^Subject:.*?Marsh<bob@example\.com>/, ''));
    assert.doesNotMatch(await reader.locator('.source-text').innerText(), /^Subject:/, 'the header lines are not repeated in the body');
    await reader.getByRole('button', { name: /offer\.pdf/ }).click();
    await pane.getByRole('heading', { name: 'offer.pdf' }).waitFor();
    await pane.getByText('The signed offer for the berth.').waitFor();
    await pane.getByText(/came inside another document/).waitFor();
    await pane.getByRole('button', { name: 'Back' }).click();
    await pane.getByTestId('email-reader').waitFor();

    // A text document: the passage marked and in view, the chunk before it not.
    await answer.getByRole('button', { name: `Source ${notes.n}: Harbour notes` }).click();
    const text = pane.locator('.source-text');
    await text.getByTestId('passage').waitFor();
    const notesPassage = await text.getByTestId('passage').innerText();
    assert.equal(squeeze(notesPassage), squeeze(await chunkText(call, notes.documentId, notes.chunkId)));
    assert.match(await text.innerText(), /blue folder/);

    // A scanned page: the boxes OCR kept for the passage's lines, over the page.
    const scan = sources.find((s) => s.title === 'scan.pdf');
    assert.ok(scan?.ocr, 'the scan was cited as OCR text');
    await answer.getByRole('button', { name: `Source ${scan.n}: scan.pdf` }).click();
    await viewer.locator('.pdf-page[data-page="1"] .pdf-ocr-box').first().waitFor();
    await viewer.getByText('This page was read by OCR: the lines of the passage are marked.').waitFor();
    const inside = await page.$$eval('.pdf-ocr-box', (boxes) => {
      const area = boxes[0]!.closest('.pdf-page')!.getBoundingClientRect();
      return boxes.every((box) => {
        const r = box.getBoundingClientRect();
        return r.width > 20 && r.height > 5 && r.left >= area.left - 3 && r.right <= area.right + 3 && r.top >= area.top - 3 && r.bottom <= area.bottom + 3;
      }) && boxes.length;
    });
    assert.equal(inside, 2, 'both lines, inside the page');
    await page.mouse.move(0, 0);
    console.log(`screenshot: ${await screenshot('source-scan-en-light')}`);

    // Alt+n opens source n of the last answer. (Esc first closes the hover card under the mouse.)
    await page.mouse.move(0, 0);
    await page.locator('.c-hovercard').waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
    await pane.waitFor({ state: 'detached' });
    await page.keyboard.press(`Alt+${lease.n}`);
    await markedPdfText(page);

    assert.deepEqual(problems, [], 'no console errors or warnings');
  });

  test('in the desktop app the PDF comes a range at a time over the contract (documents.file), not by its URL', async (t) => {
    if (!app) return t.skip('no Chromium here');
    // A stand-in for the preload's window.cairn: the contract's wire messages, carried here over
    // POST /api/<method> (the desktop app carries them over a MessagePort).
    const { page, problems, context, call } = await app.open({
      init: () => {
        const listeners = new Set<(message: unknown) => void>();
        (window as unknown as { cairn: unknown }).cairn = {
          send(message: { id: number; method: string; params?: unknown }) {
            void fetch(`/api/${message.method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message.params ?? {}) })
              .then((response) => response.json() as Promise<{ result?: unknown; error?: unknown }>)
              .then((body) => {
                const reply = body.error ? { type: 'response', id: message.id, error: body.error } : { type: 'response', id: message.id, result: body.result };
                for (const listener of listeners) listener(reply);
              });
          },
          onMessage(listener: (message: unknown) => void) {
            listeners.add(listener);
            return () => listeners.delete(listener);
          },
        };
      },
    });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname));
    await page.goto(`${app.served.origin}/#/chat/${conversationId}`);
    const lease = (await sourcesOf(call, conversationId)).find((s) => s.title === 'Harbour lease' && s.page === 2)!;
    await page.getByTestId('answer').first().getByRole('button', { name: `Source ${lease.n}: Harbour lease` }).click();
    const marked = await markedPdfText(page);
    assert.equal(squeeze(marked), squeeze(await chunkText(call, lease.documentId, lease.chunkId)));
    assert.ok(requests.includes('/api/documents.file'), requests.join(' '));
    assert.ok(!requests.some((path) => /^\/api\/documents\/\d+\/file$/.test(path)), 'not fetched by URL');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('screenshots of the PDF and the email reader, light and dark, English and Chinese', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const shots: string[] = [];
    for (const [locale, colorScheme] of [['en-US', 'light'], ['en-US', 'dark'], ['zh-CN', 'light'], ['zh-CN', 'dark']] as const) {
      const { page, problems, screenshot, context, call } = await app.open({ locale, colorScheme, width: 1440, height: 900 });
      const name = `${locale === 'zh-CN' ? 'zh-CN' : 'en'}-${colorScheme}`;
      await page.getByTestId('indexed').waitFor();
      await page.goto(`${app.served.origin}/#/chat/${conversationId}`);
      await page.getByTestId('answer').first().getByRole('button').filter({ hasText: /^1$/ }).first().waitFor();
      const sources = await sourcesOf(call, conversationId);
      const lease = sources.find((s) => s.title === 'Harbour lease')!;
      const email = sources.find((s) => s.title === 'Signed harbour lease')!;
      await page.keyboard.press(`Alt+${lease.n}`);
      await markedPdfText(page);
      shots.push(await screenshot(`source-pdf-${name}`));
      await page.getByTestId('answer').first().getByRole('button').filter({ hasText: new RegExp(`^${email.n}$`) }).first().hover();
      await page.locator('.c-hovercard').waitFor();
      shots.push(await screenshot(`source-card-${name}`));
      await page.mouse.move(0, 0);
      await page.keyboard.press(`Alt+${email.n}`);
      await page.getByTestId('email-reader').getByTestId('passage').first().waitFor();
      shots.push(await screenshot(`source-email-${name}`));
      assert.deepEqual(problems, [], `no console errors (${name})`);
      await context.close();
    }
    console.log(`screenshots:\n${shots.join('\n')}`);
  });
});
