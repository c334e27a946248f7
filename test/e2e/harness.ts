// The window's end-to-end harness: `cairn serve` on a temporary library (the chat corpus, indexed
// with keyword search; or empty), a scripted OpenAI-compatible chat server as its model where an
// answer must say something (the tiny GGUF models in ../shared/models only babble), and one
// headless Chromium (Debian's, through playwright-core) for a whole test file. Pages collect
// their console errors; screenshots go to test-output/window (gitignored).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Cookie, type Page } from 'playwright-core';
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
    child.stderr!.on('data', (c: Buffer) => ((output += c.toString()), check()));
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
  /** A new page in a new context (its own language and colour scheme), signed in. */
  open(options?: { locale?: string; colorScheme?: 'light' | 'dark'; width?: number; height?: number }): Promise<WindowPage>;
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

/** Starts everything for one test file: a library (the chat corpus, or empty), a chat model, cairn serve, Chromium. */
export async function startApp(options: { library: 'corpus' | 'empty'; chatModel?: string | null }): Promise<App> {
  const db = join(tempDir('cairn-window-'), 'library.db');
  const engine = await Engine.open({ dbPath: db, embedder: null });
  if (options.library === 'corpus') {
    engine.add([writeChatCorpus()]);
    await engine.index();
  }
  await engine.close();
  const chat = options.chatModel ? await startChatServer() : null;
  // An empty models folder of its own: never the user's.
  const served = await serve(db, { CAIRN_MODEL_STORE: tempDir('cairn-models-') });
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
    async open({ locale = 'en-US', colorScheme = 'light', width = 1280, height = 800 } = {}) {
      const context = await browser.newContext({ locale, colorScheme, viewport: { width, height }, deviceScaleFactor: 1 });
      await context.addCookies(cookies);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      await page.goto(served.origin + '/');
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
