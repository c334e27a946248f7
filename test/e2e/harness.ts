// The window's end-to-end harness: `cairn serve` on a temporary library (the chat corpus, indexed
// with keyword search; or empty), a scripted OpenAI-compatible chat server as its model where an
// answer must say something (the tiny GGUF models in ../shared/models only babble), and one
// headless Chromium (Debian's, through playwright-core) for a whole test file. Pages collect
// their console errors; screenshots go to test-output/window (gitignored).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Cookie, type Locator, type Page } from 'playwright-core';
import { Engine } from '../../app/engine.ts';
import { writeChatCorpus } from '../chat/library.ts';
import { startChatServer, type ChatServer } from '../llm/chat-server.ts';
import { tempDir } from '../support/corpus.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = resolve(import.meta.dirname, '..', '..', 'test-output', 'window');
const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Whether this machine can run the window's tests; in CI a missing Chromium fails. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `MISSING: ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`\n*** ${message}: skipping ***\n`);
  return false;
}

export interface Served {
  child: ChildProcess;
  /** The one-time login address. */
  loginUrl: string;
  origin: string;
  stop(): Promise<void>;
}

/** Starts `cairn serve` on `db` and resolves once it printed its address. */
export function serve(db: string, env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [main, '--db', db, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  return new Promise((done, fail) => {
    const check = () => {
      const url = /^Open Cairn: (\S+)$/m.exec(output)?.[1];
      if (url && output.includes('Ctrl-C stops the server')) {
        done({
          child,
          loginUrl: url,
          origin: new URL(url).origin,
          stop: async () => {
            if (child.exitCode !== null) return;
            const exited = new Promise((d) => child.once('exit', d));
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout!.on('data', (c: Buffer) => ((output += c.toString()), check()));
    child.stderr!.on('data', (c: Buffer) => {
      output += c.toString();
      check();
      // What the engine reports as a bug (an internal error, a result the contract refused) shows in the test's output.
      for (const line of c.toString().split('\n')) if (line.startsWith('cairn serve:')) process.stderr.write(`${line}\n`);
    });
    child.on('exit', (code) => fail(new Error(`cairn serve exited (${code}) before printing its address:\n${output}`)));
  });
}

export interface App {
  served: Served;
  chat: ChatServer | null;
  browser: Browser;
  /** A conversation a test made, for the next ones. */
  conversationId?: number;
  /** The session cookie, for more browser contexts (a login address works once). */
  cookies: Cookie[];
  /** A new page in a new context (its own language and colour scheme), signed in; `init` runs in the page before its own scripts. */
  open(options?: { locale?: string; colorScheme?: 'light' | 'dark'; width?: number; height?: number; init?: (() => void) | { content: string } }): Promise<WindowPage>;
  close(): Promise<void>;
}

export interface WindowPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and warnings, and uncaught errors, since the page opened. */
  problems: string[];
  /** Calls the contract from inside the page (with its session), as the window does. */
  call<T>(method: string, params?: unknown): Promise<T>;
  screenshot(name: string): Promise<string>;
}

/**
 * Starts everything for one test file: a library (the chat corpus, a folder of the test's own, or
 * empty; then whatever `prepare` does to it with the engine closed), a chat model, cairn serve
 * (with `env` added to its environment), Chromium.
 */
export async function startApp(options: {
  library: 'corpus' | 'empty' | { folder: string };
  chatModel?: string | null;
  prepare?: (dbPath: string) => Promise<void> | void;
  env?: Record<string, string>;
}): Promise<App> {
  const db = join(tempDir('cairn-window-'), 'library.db');
  const engine = await Engine.open({ dbPath: db, embedder: null });
  if (options.library !== 'empty') {
    engine.add([options.library === 'corpus' ? writeChatCorpus() : options.library.folder]);
    await engine.index();
  }
  await engine.close();
  await options.prepare?.(db);
  const chat = options.chatModel ? await startChatServer() : null;
  // An empty models folder of its own: never the user's.
  const served = await serve(db, { CAIRN_MODEL_STORE: tempDir('cairn-models-'), ...options.env });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  mkdirSync(SCREENSHOTS, { recursive: true });

  // Sign in once; later contexts reuse the session cookie.
  const first = await browser.newContext();
  const login = await first.newPage();
  await login.goto(served.loginUrl);
  const cookies = await first.cookies();
  await first.close();

  const app: App = {
    served,
    chat,
    browser,
    cookies,
    async open({ locale = 'en-US', colorScheme = 'light', width = 1280, height = 800, init } = {}) {
      const context = await browser.newContext({ locale, colorScheme, viewport: { width, height }, deviceScaleFactor: 1 });
      await context.addCookies(cookies);
      if (init) await context.addInitScript(init);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      await page.goto(served.origin + '/');
      // The window is drawn (and its shortcuts listen) before a test types or presses anything.
      await page.locator('.sidebar__nav').waitFor();
      return {
        page,
        context,
        problems,
        call: <T>(method: string, params: unknown = {}) =>
          page.evaluate(
            async ([m, p]) => {
              const response = await fetch(`/api/${m}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(p) });
              const body = (await response.json()) as { result?: unknown; error?: { message: string } };
              if (body.error) throw new Error(body.error.message);
              return body.result;
            },
            [method, params] as const,
          ) as Promise<T>,
        async screenshot(name) {
          const path = join(SCREENSHOTS, `${name}.png`);
          // Let animations (popovers, fades) settle.
          await page.waitForTimeout(250);
          await page.screenshot({ path });
          return path;
        },
      };
    },
    async close() {
      await browser.close();
      await served.stop();
      await chat?.close();
    },
  };
  if (chat && options.chatModel) {
    const page = await app.open();
    await page.call('models.useChat', { type: 'server', baseUrl: chat.baseUrl, model: options.chatModel });
    await page.context.close();
  }
  return app;
}

/**
 * A field's value once it has settled: what the window puts there after an answer arrives (a
 * picked folder) lands a render later than the call that asked for it, so read until it matches
 * or the time is up, and return the last value read for the assertion to show.
 */
export async function settledValue(field: Locator, expected: string, timeoutMs = 5_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let value = await field.inputValue();
  while (value !== expected && Date.now() < end) {
    await new Promise((done) => setTimeout(done, 50));
    value = await field.inputValue();
  }
  return value;
}
