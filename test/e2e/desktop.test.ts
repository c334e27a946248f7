// The window's use of the desktop app's actions, in a real browser against `cairn serve`. A fake
// preload (DESKTOP_BRIDGE) carries the contract over POST /api as the real one does over IPC, and
// answers the `desktop.*` methods itself, as Electron's main process does, recording each request:
// with it the source pane and the Library's detail offer "Open in default app" (at the cited page)
// and "Show in folder", say what was done less than asked and why it failed, a web citation goes
// to the system's browser, and the folder dialog offers the system's picker. Without it (a browser)
// none of these show, the folder dialog keeps its path field, and a web citation opens a new tab
// that cannot reach back. Screenshots of the pane and the detail in light and dark, English and
// Chinese go to test-output/window.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ConversationDetail } from '../../app/contract/index.ts';
import { Library } from '../../app/store/index.ts';
import { buildPdf } from '../fixtures/pdf.ts';
import { tempDir } from '../support/corpus.ts';
import { chromiumAvailable, settledValue, startApp, type App } from './harness.ts';

const QUESTION = 'When does the harbour lease end?';
const WEB_URL = 'https://harbour.example/moorings';

/**
 * The preload's `window.cairn`, with main's part played here: `desktop.*` requests are answered
 * from `window.desktopAnswers` (a method's { result } or { error }; defaults below) and recorded in
 * `window.desktopCalls`; every other request goes to the engine.
 */
const DESKTOP_BRIDGE = `(() => {
  const listeners = new Set();
  let events = null;
  const deliver = (message) => { for (const listener of listeners) listener(message); };
  const defaults = {
    'desktop.info': { result: { available: true, platform: 'linux' } },
    'desktop.openDocument': { result: { shown: 'opened', atPage: true, note: null } },
    'desktop.revealDocument': { result: { shown: 'revealed', atPage: false, note: null } },
    'desktop.choosePaths': { result: { paths: [] } },
    'desktop.openExternal': { result: { opened: true } },
  };
  window.desktopCalls = [];
  window.desktopAnswers = {};
  window.cairn = {
    send(request) {
      if (request.method.startsWith('desktop.')) {
        window.desktopCalls.push({ method: request.method, params: request.params ?? {} });
        const answer = window.desktopAnswers[request.method] ?? defaults[request.method];
        setTimeout(() => deliver({ type: 'response', id: request.id, ...answer }), 10);
        return;
      }
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
  };
})();`;

interface DesktopCall {
  method: string;
  params: Record<string, unknown>;
}

type Answer = { result: unknown } | { error: { code: string; message: string } };

const calls = (page: Page) => page.evaluate(() => (window as unknown as { desktopCalls: DesktopCall[] }).desktopCalls);
/** The desktop requests other than desktop.info, in order. */
const actions = async (page: Page) => (await calls(page)).filter((call) => call.method !== 'desktop.info');

function answer(page: Page, method: string, value: Answer | null): Promise<void> {
  return page.evaluate(
    ([m, v]) => {
      const answers = (window as unknown as { desktopAnswers: Record<string, unknown> }).desktopAnswers;
      if (v) answers[m] = v;
      else delete answers[m];
    },
    [method, value] as const,
  );
}

/** The desktop actions a page makes (not desktop.info), one at a time: each must be the only new one. */
function actionLog(page: Page) {
  let seen = 0;
  return {
    async next(): Promise<DesktopCall> {
      await page.waitForFunction((n) => (window as unknown as { desktopCalls: DesktopCall[] }).desktopCalls.filter((c) => c.method !== 'desktop.info').length > n, seen);
      const made = await actions(page);
      assert.equal(made.length, seen + 1, JSON.stringify(made.slice(seen)));
      seen = made.length;
      return made.at(-1)!;
    },
  };
}

function writeLibrary(): string {
  const dir = tempDir('cairn-desktop-');
  mkdirSync(join(dir, 'docs'));
  writeFileSync(
    join(dir, 'docs', 'lease.pdf'),
    buildPdf({
      title: 'Harbour lease',
      pages: [['Lease of berth 14 at the old harbour'], ['The harbour lease ends on the thirtieth of June,', 'with three months notice.'], ['Signed in Falmouth']],
    }),
  );
  return dir;
}

const SAVED_URL = 'https://harbour.example/fees';

/** A conversation whose answer cites a web page (as web search leaves it), and a saved web page (as `cairn web save` leaves it, less its text); returns the page's id. */
function webPages(dbPath: string): number {
  const library = Library.open(dbPath);
  try {
    const source = library.sources.ensure('web', 'web', 'Saved web pages');
    const saved = library.documents.upsert({
      sourceId: source.id, parentId: null, uri: SAVED_URL, path: null, kind: 'web', title: 'Harbour fees', mime: 'text/html', size: 0, mtime: null,
      contentHash: null, status: 'indexed', errorCode: null, reason: null, metadata: {}, date: null, sender: null, recipients: null,
    });
    const conversation = library.conversations.create({ title: 'Moorings', scope: { type: 'none' }, filters: {}, settings: {} });
    library.conversations.addMessage({ conversationId: conversation.id, role: 'user', content: 'Who runs the moorings?', status: 'complete' });
    const reply = library.conversations.addMessage({ conversationId: conversation.id, role: 'assistant', content: 'The Harbour Trust runs them [1].', status: 'complete' });
    library.conversations.addSources(reply.id, [
      { n: 1, chunkId: 0, documentId: 0, uri: WEB_URL, title: 'Harbour Trust moorings', kind: 'web', page: null, headingPath: [], snippet: 'The Harbour Trust runs the moorings.', date: null, from: null, cited: true },
    ]);
    return saved;
  } finally {
    library.close();
  }
}

describe('the desktop app’s actions in the window', { timeout: 240_000 }, () => {
  let app: App | null = null;
  let answered = 0;
  let webChat = 0;
  let lease = { documentId: 0, n: 0 };
  let savedPage = 0;

  before(async () => {
    if (!chromiumAvailable()) return;
    app = await startApp({ library: { folder: writeLibrary() }, chatModel: 'cite-all', prepare: (db) => void (savedPage = webPages(db)) });
    // An answer citing the lease at page 2.
    const { page, call, context } = await app.open();
    await page.getByTestId('indexed').waitFor();
    // A new conversation (the window opens the latest one, the web one).
    await page.getByRole('button', { name: 'New', exact: true }).click();
    const composer = page.getByRole('textbox', { name: 'Your question' });
    await composer.fill(QUESTION);
    await composer.press('Enter');
    await page.getByTestId('answer').first().getByRole('button', { name: 'Answer again' }).waitFor();
    answered = Number(/#\/chat\/(\d+)$/.exec(page.url())![1]);
    const conversations = await call<{ id: number; title: string }[]>('conversations.list');
    webChat = conversations.find((c) => c.title === 'Moorings')!.id;
    const detail = await call<ConversationDetail>('conversations.get', { id: answered });
    const source = detail.messages.at(-1)!.sources.find((s) => s.title === 'Harbour lease' && s.page === 2);
    assert.ok(source, JSON.stringify(detail.messages.at(-1)!.sources));
    lease = source;
    await context.close();
  });
  after(async () => app?.close());

  /**
   * Opens the lease's citation in the pane. In a browser, the page is loaded afresh and the
   * engine's answer to desktop.info awaited first, so that a missing button is not merely late.
   */
  async function openLease(page: Page, { browser = false } = {}): Promise<void> {
    await page.goto(`${app!.served.origin}/#/chat/${answered}`);
    if (browser) {
      const info = page.waitForResponse((response) => response.url().endsWith('/api/desktop.info'));
      await page.reload();
      assert.deepEqual(await (await info).json(), { result: { available: false, platform: null } });
    }
    await page.getByTestId('answer').first().getByRole('button', { name: `Source ${lease.n}: Harbour lease` }).click();
    await page.getByTestId('pdf-viewer').locator('mark.pdf-passage').first().waitFor();
  }

  test('with the desktop app: open at the cited page and show in folder from the pane and the Library, notes and errors as notices, web links to the system’s browser, the folder picker', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const { page, problems, context } = await app.open({ width: 1440, height: 900, init: { content: DESKTOP_BRIDGE } });
    const log = actionLog(page);
    try {
      await openLease(page);
      const pane = page.getByTestId('source-pane');
      const open = pane.getByRole('button', { name: 'Open in default app' });
      const reveal = pane.getByRole('button', { name: 'Show in folder' });

      // Keyboard: from "Show in Library", Tab reaches the two actions; Enter opens at the cited page.
      await pane.getByRole('button', { name: 'Show in Library' }).focus();
      await page.keyboard.press('Tab');
      assert.equal(await open.evaluate((button) => button === document.activeElement), true, 'Tab reaches "Open in default app"');
      await page.keyboard.press('Enter');
      assert.deepEqual(await log.next(), { method: 'desktop.openDocument', params: { id: lease.documentId, page: 2 } });
      await page.keyboard.press('Tab');
      assert.equal(await reveal.evaluate((button) => button === document.activeElement), true, 'Tab reaches "Show in folder"');
      await page.keyboard.press('Enter');
      assert.deepEqual(await log.next(), { method: 'desktop.revealDocument', params: { id: lease.documentId } });

      // Less done than asked: main's note is shown, quietly.
      const note = 'Opened at its start: the system’s viewer cannot be told to go to page 2.';
      await answer(page, 'desktop.openDocument', { result: { shown: 'opened', atPage: false, note } });
      await open.click();
      assert.deepEqual(await log.next(), { method: 'desktop.openDocument', params: { id: lease.documentId, page: 2 } });
      await page.locator('.notice--info').getByText(note).waitFor();
      assert.equal(await page.locator('.notice').count(), 1, 'nothing was said when it was done as asked');
      // Failures in plain words: a file moved away; any other with the system's own words.
      await answer(page, 'desktop.revealDocument', { error: { code: 'file-missing', message: '/somewhere/lease.pdf is no longer there (moved or deleted?).' } });
      await reveal.click();
      assert.equal((await log.next()).method, 'desktop.revealDocument');
      await page.getByRole('alert').getByText('Could not open it: its file is no longer where it was (moved, renamed or deleted).').waitFor();
      await answer(page, 'desktop.openDocument', { error: { code: 'open-failed', message: 'The system could not open /somewhere/lease.pdf: no application is registered for it' } });
      await open.click();
      assert.equal((await log.next()).method, 'desktop.openDocument');
      await page.getByRole('alert').getByText('Could not open it: The system could not open /somewhere/lease.pdf: no application is registered for it').waitFor();

      // The Library's detail: the same two actions, beside read again and remove (no page there).
      await answer(page, 'desktop.openDocument', null);
      await answer(page, 'desktop.revealDocument', null);
      await page.goto(`${app.served.origin}/#/library/${lease.documentId}`);
      const detail = page.getByTestId('document-detail');
      await detail.getByRole('heading', { name: 'Harbour lease' }).waitFor();
      await detail.getByRole('button', { name: 'Open in default app' }).click();
      assert.deepEqual(await log.next(), { method: 'desktop.openDocument', params: { id: lease.documentId } });
      await detail.getByRole('button', { name: 'Show in folder' }).click();
      assert.deepEqual(await log.next(), { method: 'desktop.revealDocument', params: { id: lease.documentId } });
      assert.deepEqual(await detail.locator('.doc-detail__actions button').allInnerTexts(), ['Read again', 'Remove from library', 'Open in default app', 'Show in folder']);

      // A saved web page has no file: it opens in the browser.
      await page.goto(`${app.served.origin}/#/library/${savedPage}`);
      await detail.getByRole('heading', { name: 'Harbour fees' }).waitFor();
      assert.deepEqual(await detail.locator('.doc-detail__actions button').allInnerTexts(), ['Read again', 'Remove from library', 'Open in browser']);
      await detail.getByRole('button', { name: 'Open in browser' }).click();
      assert.deepEqual(await log.next(), { method: 'desktop.openExternal', params: { url: SAVED_URL } });

      // A web citation goes to the system's browser, and no tab opens.
      await page.goto(`${app.served.origin}/#/chat/${webChat}`);
      await page.getByTestId('answer').first().getByRole('button', { name: 'Source 1: Harbour Trust moorings' }).click();
      assert.deepEqual(await log.next(), { method: 'desktop.openExternal', params: { url: WEB_URL } });
      assert.equal(context.pages().length, 1, 'no tab opened');

      // Adding a folder: the system's picker fills the path.
      const chosen = tempDir('cairn-chosen-');
      await answer(page, 'desktop.choosePaths', { result: { paths: [chosen] } });
      await page.goto(`${app.served.origin}/#/sources`);
      await page.getByRole('button', { name: 'Add folder' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Add a folder' });
      await dialog.getByRole('button', { name: 'Choose…' }).click();
      const call = await log.next();
      assert.equal(call.method, 'desktop.choosePaths');
      assert.equal(call.params.pick, 'folders');
      assert.equal(call.params.multiple, false);
      assert.equal(await settledValue(dialog.getByRole('textbox', { name: 'Folder' }), chosen), chosen);
      // Models: a .gguf file through the picker (cancelled here), not a path field.
      await answer(page, 'desktop.choosePaths', { result: { paths: [] } });
      await page.goto(`${app.served.origin}/#/models`);
      await page.getByRole('button', { name: 'Choose a .gguf file…' }).click();
      const pick = await log.next();
      assert.deepEqual([pick.method, pick.params.pick, pick.params.extensions], ['desktop.choosePaths', 'files', ['gguf']]);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('in a browser: no file actions, the folder dialog’s path field, a web citation in a new tab that cannot reach back', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const { page, problems, context } = await app.open({ width: 1440, height: 900 });
    try {
      await context.route(`${WEB_URL}*`, (route) => route.fulfill({ contentType: 'text/html', body: '<title>Moorings</title><p>The Harbour Trust.</p>' }));
      await openLease(page, { browser: true });
      const pane = page.getByTestId('source-pane');
      await pane.getByRole('button', { name: 'Show in Library' }).waitFor();
      assert.equal(await pane.getByRole('button', { name: 'Open in default app' }).count(), 0);
      assert.equal(await pane.getByRole('button', { name: 'Show in folder' }).count(), 0);

      await page.goto(`${app.served.origin}/#/library/${lease.documentId}`);
      const detail = page.getByTestId('document-detail');
      await detail.getByRole('heading', { name: 'Harbour lease' }).waitFor();
      assert.deepEqual(await detail.locator('.doc-detail__actions button').allInnerTexts(), ['Read again', 'Remove from library']);

      // A saved web page opens in a tab too.
      await page.goto(`${app.served.origin}/#/library/${savedPage}`);
      await detail.getByRole('heading', { name: 'Harbour fees' }).waitFor();
      assert.deepEqual(await detail.locator('.doc-detail__actions button').allInnerTexts(), ['Read again', 'Remove from library', 'Open in browser']);

      await page.goto(`${app.served.origin}/#/chat/${webChat}`);
      const opened = context.waitForEvent('page');
      await page.getByTestId('answer').first().getByRole('button', { name: 'Source 1: Harbour Trust moorings' }).click();
      const tab = await opened;
      await tab.waitForLoadState();
      assert.equal(tab.url(), WEB_URL);
      assert.equal(await tab.evaluate(() => window.opener), null, 'noopener');
      await tab.close();

      await page.goto(`${app.served.origin}/#/sources`);
      await page.getByRole('button', { name: 'Add folder' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Add a folder' });
      await dialog.getByRole('textbox', { name: 'Folder' }).waitFor();
      assert.equal(await dialog.getByRole('button', { name: 'Choose…' }).count(), 0);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('screenshots of the pane and the Library’s detail with the actions, light and dark, English and Chinese', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const shots: string[] = [];
    for (const [locale, colorScheme] of [['en-US', 'light'], ['en-US', 'dark'], ['zh-CN', 'light'], ['zh-CN', 'dark']] as const) {
      const { page, problems, screenshot, context } = await app.open({ locale, colorScheme, width: 1440, height: 900, init: { content: DESKTOP_BRIDGE } });
      const name = `${locale === 'zh-CN' ? 'zh-CN' : 'en'}-${colorScheme}`;
      await page.goto(`${app.served.origin}/#/chat/${answered}`);
      await page.getByTestId('answer').first().getByRole('button').filter({ hasText: new RegExp(`^${lease.n}$`) }).first().click();
      const pane = page.getByTestId('source-pane');
      await pane.getByRole('button', { name: locale === 'zh-CN' ? '在文件夹中显示' : 'Show in folder' }).waitFor();
      await page.getByTestId('pdf-viewer').locator('mark.pdf-passage').first().waitFor();
      shots.push(await screenshot(`desktop-pane-${name}`));
      await page.keyboard.press('Escape');
      await pane.waitFor({ state: 'detached' });
      await page.goto(`${app.served.origin}/#/library/${lease.documentId}`);
      await page.getByTestId('document-detail').getByRole('button', { name: locale === 'zh-CN' ? '用默认应用打开' : 'Open in default app' }).waitFor();
      shots.push(await screenshot(`desktop-detail-${name}`));
      assert.deepEqual(problems, [], `no console errors (${name})`);
      await context.close();
    }
    console.log(`screenshots:\n${shots.join('\n')}`);
  });
});
