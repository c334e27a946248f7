// OCR's setting in the Settings view, in a real browser against `cairn serve`: a library whose scan
// waits with OCR off says so; languages checked and unchecked (never none) and the time limit are
// stored through the contract; switched on, the scan is read in the background (Tesseract, English),
// the activity panel shows its pages, and nothing waits any more. Screenshots of the section in
// light and dark, English and Chinese.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Engine } from '../../app/engine.ts';
import { scanPng } from '../fixtures/scan.ts';
import { tempDir } from '../support/corpus.ts';
import { chromiumAvailable, startApp, type App, type WindowPage } from './harness.ts';

interface Ocr {
  enabled: boolean;
  languages: string[];
  pageTimeoutMs: number;
}

describe('OCR in Settings', { timeout: 240_000 }, () => {
  let app: App | null = null;

  before(async () => {
    if (!chromiumAvailable()) return;
    const scans = join(tempDir(), 'scans');
    mkdirSync(scans);
    writeFileSync(join(scans, 'receipt.png'), scanPng({ lines: ['CORNER GROCER', 'Kumquats 3.20'] }));
    app = await startApp({
      library: 'empty',
      // OCR off (English only, whatever this machine's language), then the scan added: it waits.
      async prepare(dbPath) {
        const engine = await Engine.open({ dbPath, embedder: null });
        try {
          engine.setOcrSettings({ enabled: false, languages: ['eng'] });
          engine.add([scans]);
          await engine.index();
        } finally {
          await engine.close();
        }
      },
    });
  });
  after(() => app?.close());

  /** Waits until the stored OCR setting (read through the contract, as the window does) is `want`. */
  async function stored(win: WindowPage, want: Partial<Ocr>): Promise<void> {
    await win.page.waitForFunction(async (want) => {
      const response = await fetch('/api/settings.get', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const { ocr } = ((await response.json()) as { result: { ocr: Ocr } }).result;
      return Object.entries(want).every(([key, value]) => JSON.stringify(ocr[key as keyof Ocr]) === JSON.stringify(value));
    }, want);
  }

  test('switch, languages and time limit are stored through the contract; on, the waiting scan is read', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const win = await app.open();
    const { page, call, problems } = win;
    await page.keyboard.press('Control+5');
    const view = page.getByTestId('settings-view');
    const section = view.locator('section', { has: page.getByRole('heading', { name: 'OCR (scanned pages and images)' }) });
    const toggle = section.getByRole('switch', { name: 'Read scans and photos' });
    assert.equal(await toggle.getAttribute('aria-checked'), 'false');
    await section.getByTestId('ocr-waiting').filter({ hasText: '1 page of 1 document waits for OCR. They are read once OCR is on.' }).waitFor();
    const english = section.getByRole('checkbox', { name: 'English' });
    const chinese = section.getByRole('checkbox', { name: 'Chinese (Simplified)' });
    assert.ok((await english.isChecked()) && (await english.isDisabled()), 'the only language cannot be unchecked');
    assert.equal(await chinese.isChecked(), false);
    await english.click({ force: true });
    assert.equal(await english.isChecked(), true, 'a click on the only language changes nothing');
    await stored(win, { languages: ['eng'] });

    // Chinese added: read first (it reads Chinese and English pages alike better that way).
    await chinese.check();
    await stored(win, { languages: ['chi_sim', 'eng'] });
    await section.scrollIntoViewIfNeeded();
    await win.screenshot('settings-ocr-off-en-light');
    await english.uncheck();
    await stored(win, { languages: ['chi_sim'] });
    assert.ok(await chinese.isDisabled());
    // Two quick clicks: the first change's answer comes only after the second click (held here,
    // once the engine has stored it), and must not undo that click on screen.
    let sent!: () => void;
    let release!: () => void;
    let answered!: () => void;
    const stored1 = new Promise<void>((done) => (sent = done));
    const held = new Promise<void>((done) => (release = done));
    const late = new Promise<void>((done) => (answered = done));
    await page.route('**/api/settings.update', async (route) => {
      const response = await route.fetch();
      sent();
      await held;
      await route.fulfill({ response });
      answered();
    }, { times: 1 });
    await english.check();
    await stored1;
    await chinese.uncheck();
    await stored(win, { languages: ['eng'] });
    release();
    await late;
    // Time for the window to take the late answer in (it would within a few ms).
    await page.waitForTimeout(300);
    assert.deepEqual([await english.isChecked(), await chinese.isChecked()], [true, false], 'the earlier answer did not undo the later click');
    // A change the engine cannot store: said where the user sees it, and the box shows what is stored.
    await page.route('**/api/settings.update', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ error: { code: 'storage-failed', message: 'The library could not be written: disk full' } }) }), { times: 1 });
    await chinese.check();
    const failed = page.getByRole('alert').filter({ hasText: 'Could not save the setting: The library could not be written: disk full' });
    await failed.waitFor();
    await section.getByRole('checkbox', { name: 'Chinese (Simplified)', checked: false }).waitFor();
    assert.equal(await english.isChecked(), true);
    await stored(win, { languages: ['eng'] });
    await failed.getByRole('button', { name: 'Dismiss' }).click();
    await failed.waitFor({ state: 'detached' });
    await section.getByRole('combobox', { name: 'Time limit per page' }).selectOption('300000');
    await stored(win, { pageTimeoutMs: 300_000 });
    // A value the contract refuses is refused with a clear error, and nothing changes.
    await assert.rejects(call('settings.update', { ocr: { languages: [] } }), /ocr\.languages.*at least one OCR language/);

    await toggle.click();
    await stored(win, { enabled: true });
    await section.getByTestId('ocr-waiting').filter({ hasText: 'No pages wait for OCR.' }).waitFor({ timeout: 120_000 });
    const hits = await call<{ hits: { title: string; ocr?: boolean }[] }>('search.query', { query: 'kumquats', k: 3 });
    assert.deepEqual(hits.hits.map((h) => [h.title, h.ocr]), [['receipt.png', true]]);
    await page.getByTestId('activity-button').click();
    const job = page.getByTestId('activity-panel').locator('[data-job="ocr"]');
    await job.filter({ hasText: 'Scans read (OCR)' }).filter({ hasText: 'receipt.png' }).filter({ hasText: '1 of 1 page' }).waitFor();
    await win.screenshot('settings-ocr-read-en-light');
    assert.deepEqual(problems.filter((p) => !p.includes('status of 400')), [], 'no console errors or warnings');
    await win.context.close();
  });

  test('the section in light and dark, English and Chinese', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const shots: string[] = [];
    for (const [locale, colorScheme] of [['en-US', 'light'], ['en-US', 'dark'], ['zh-CN', 'light'], ['zh-CN', 'dark']] as const) {
      const { page, screenshot, problems, context } = await app.open({ locale, colorScheme });
      const name = `${locale === 'zh-CN' ? 'zh-CN' : 'en'}-${colorScheme}`;
      await page.keyboard.press('Control+5');
      const title = locale === 'zh-CN' ? 'OCR（扫描页与图片）' : 'OCR (scanned pages and images)';
      const section = page.locator('section', { has: page.getByRole('heading', { name: title }) });
      await section.getByTestId('ocr-waiting').filter({ hasText: locale === 'zh-CN' ? '没有等待 OCR 识别的页面。' : 'No pages wait for OCR.' }).waitFor();
      await section.scrollIntoViewIfNeeded();
      shots.push(await screenshot(`settings-ocr-${name}`));
      assert.deepEqual(problems, [], `no console errors (${name})`);
      await context.close();
    }
    console.log(`screenshots:\n${shots.join('\n')}`);
  });
});
