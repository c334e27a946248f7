// End to end: `cairn serve` as a user runs it, and the window in a real headless Chromium (the
// system's /usr/bin/chromium through playwright-core): the printed address signs the browser in,
// the page shows the library's status through the contract over HTTP,
// with the strict Content-Security-Policy in force (nothing is refused: no console errors).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { Engine } from '../../app/engine.ts';
import { writeChatCorpus } from '../chat/library.ts';
import { tempDir } from '../support/corpus.ts';

const CHROMIUM = '/usr/bin/chromium';
const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');

/** Starts `cairn serve` and resolves with the address it prints. */
function serve(db: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [main, '--db', db, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((done, fail) => {
    const check = () => {
      const url = /^Open Cairn: (\S+)$/m.exec(output)?.[1];
      if (url && output.includes('Ctrl-C stops the server')) done({ child, url, output: () => output });
    };
    child.stdout!.on('data', (c: Buffer) => ((output += c.toString()), check()));
    child.stderr!.on('data', (c: Buffer) => ((output += c.toString()), check()));
    child.on('exit', (code) => fail(new Error(`cairn serve exited (${code}) before printing its address:\n${output}`)));
  });
}

describe('the window in a browser against cairn serve', { timeout: 180_000 }, () => {
  let served: Awaited<ReturnType<typeof serve>> | null = null;
  let browser: BrowserContext | null = null;

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      const message = `MISSING: ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`;
      if (process.env.CI) throw new Error(message);
      console.warn(`\n*** ${message}: skipping ***\n`);
      return;
    }
    const db = join(tempDir(), 'library.db');
    const engine = await Engine.open({ dbPath: db, embedder: null });
    engine.add([writeChatCorpus()]);
    await engine.index();
    await engine.close();
    served = await serve(db);
    browser = await chromium.launchPersistentContext(tempDir('cairn-chromium-'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    if (served) {
      const exited = new Promise((done) => served!.child.once('exit', done));
      served.child.kill('SIGTERM');
      await exited;
    }
  });

  test('the printed address opens the window once: the library status through the contract, the icon, no console errors', async (t) => {
    if (!browser || !served) return t.skip('no Chromium here');
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(served.url);
    assert.equal(new URL(page.url()).search, '', 'the token left the address bar');
    await page.getByTestId('indexed').filter({ hasText: '12 documents' }).waitFor();
    const icon = await page.evaluate(async () => (await fetch('./cairn.svg')).status);
    assert.equal(icon, 200);
    assert.deepEqual(problems, [], 'no console errors (a CSP refusal would be one)');

    // The same address again: spent, so another browser cannot use it.
    const other = await browser.newPage();
    await other.context().clearCookies();
    const response = await other.goto(served.url);
    assert.equal(response?.status(), 401);
  });
});
