// Sources, Models and Settings in a real browser against `cairn serve` on an empty library: a
// watched folder is added and its indexing progress shown (the embedding server holds its answers,
// so the work stays under way while it is looked at), then it watches; a mail account against a
// real Dovecot says a wrong password in plain words with the server's answer, then is added with
// the right one and new mail arrives; a model downloads from a local server with progress, is
// cancelled (the part is kept) and resumed; changing the embedder shows the re-embedding; Settings
// switch to dark and to Chinese and turn the local API on. Screenshots of each view in light and
// dark, English and Chinese go to test-output/window (beside window.test.ts's, which show the same
// views with a library of imported files).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFileServer, type FileServer } from '../llm/file-server.ts';
import { writeChatCorpus } from '../chat/library.ts';
import { Dovecot, dovecotBinary, testMessage } from '../support/dovecot.ts';
import { startEmbeddingServer, type EmbeddingServer } from '../support/embedding-server.ts';
import { modelsDir } from '../support/shared.ts';
import { chromiumAvailable, startApp, type App, type WindowPage } from './harness.ts';

const PASSWORD = 'secret-pw-1';
const MODEL = join(modelsDir, 'stories260K.gguf');

/** Drops the console lines of errors a test asked for (the engine refusing something is an HTTP 400, which Chromium logs). */
const expected = (problems: string[]) => problems.filter((p) => !p.includes('status of 400'));

describe('sources, models and settings', { timeout: 240_000 }, () => {
  let app: App | null = null;
  let dovecot: Dovecot | null = null;
  let embed: EmbeddingServer;
  let files: FileServer;
  let corpus: string;
  let win: WindowPage;

  before(async () => {
    if (!chromiumAvailable()) return;
    const binary = dovecotBinary();
    if (!binary && process.env.CI) throw new Error('MISSING TEST SERVER: dovecot (apt-get install -y dovecot-imapd)');
    if (binary) dovecot = await Dovecot.start(binary, [{ user: 'alice', password: PASSWORD }]);
    else console.warn('\n*** MISSING TEST SERVER: dovecot: the mail steps are skipped ***\n');
    embed = await startEmbeddingServer();
    files = await startFileServer({ '/models/stories260K.gguf': readFileSync(MODEL) });
    corpus = writeChatCorpus();
    // Secrets in a file beside the test's library, never in this machine's keychain.
    app = await startApp({ library: 'empty', env: { CAIRN_SECRETS: 'file' } });
    win = await app.open();
  });
  after(async () => {
    await app?.close();
    await dovecot?.stop();
    await embed?.close();
    await files?.close();
  });

  test('a watched folder shows its indexing progress, then watches', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const { page, call, screenshot } = win;
    // An embedding model whose server holds its answers: indexing stays under way until released.
    await call('models.useEmbedding', { type: 'server', baseUrl: embed.baseUrl, model: 'bag-64', dimensions: 64 });
    embed.hold();
    await page.keyboard.press('Control+3');
    const view = page.getByTestId('sources-view');
    await view.getByRole('heading', { name: 'No folders or mail accounts yet' }).waitFor();

    await view.getByRole('button', { name: 'Add folder' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a folder' });
    await dialog.getByRole('textbox', { name: 'Folder' }).fill(join(corpus, 'no-such-folder'));
    await dialog.getByRole('button', { name: 'Add and index' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'There is no folder at that path.' }).waitFor();
    await dialog.getByRole('textbox', { name: 'Folder' }).fill(corpus);
    await dialog.getByRole('textbox', { name: 'Leave out (optional)' }).fill('*.log');
    await screenshot('sources-add-folder-en-light');
    await dialog.getByRole('button', { name: 'Add and index' }).click();
    await dialog.waitFor({ state: 'detached' });

    const card = view.getByRole('listitem', { name: basename(corpus) });
    await card.getByRole('progressbar').waitFor();
    await card.getByText(/^\d+ of \d+ files/).waitFor();
    assert.match(await card.innerText(), /Leaves out \*\.log/);
    await screenshot('sources-indexing-en-light');
    embed.release();
    await card.getByText('Watching for changes').waitFor();
    await card.getByText(/^\d+ documents$/).waitFor();
    await card.getByText(/^· up to date/).waitFor();
    assert.equal(await card.getByRole('progressbar').count(), 0);

    // With no chat model yet, search still works and the answer says what is missing.
    await page.keyboard.press('Control+1');
    const composer = page.getByRole('textbox', { name: 'Your question' });
    await composer.fill('How much notice ends the contract?');
    await composer.press('Enter');
    const missing = page.getByTestId('answer').getByTestId('no-model');
    await missing.getByText(/^There is no chat model yet, so nothing can write an answer\. Search found \d+ passages? on this:$/).waitFor();
    await missing.getByRole('button').filter({ hasText: 'Contract' }).first().waitFor();
    await screenshot('chat-no-model-en-light');
    await missing.getByRole('button', { name: 'Choose a chat model' }).click();
    await page.getByTestId('models-view').waitFor();
    await page.keyboard.press('Control+3');
  });

  test('a mail account: a wrong password is said plainly with the server’s answer; the right one adds it and new mail arrives', async (t) => {
    if (!app) return t.skip('no Chromium here');
    if (!dovecot) return t.skip('no Dovecot here');
    const { page, screenshot } = win;
    const view = page.getByTestId('sources-view');
    await view.getByRole('button', { name: 'Add mail account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a mail account' });
    await dialog.getByRole('textbox', { name: 'Email address or user name' }).fill('alice');
    await dialog.getByLabel('Password').fill('wrong password');
    await dialog.getByRole('textbox', { name: 'IMAP server' }).fill(dovecot.host);
    await dialog.getByRole('combobox', { name: 'Security' }).selectOption('plain');
    await dialog.getByRole('textbox', { name: 'Port' }).fill(String(dovecot.port));
    await dialog.getByRole('textbox', { name: 'Folders to sync (optional)' }).fill('INBOX');
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    const outcome = dialog.getByTestId('mail-outcome');
    await outcome.getByText(/^Wrong user name or password: the server refused the login/).waitFor();
    assert.match(await outcome.innerText(), /The server’s answer:\s+The server refused the login for alice/);
    await screenshot('sources-mail-wrong-password-en-light');

    dovecot.deliver(testMessage({ subject: 'Harbour visit', body: 'The harbour visit is on Thursday at the lighthouse.' }));
    await dialog.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await outcome.getByText(`Connected to ${dovecot.host}. Folders to sync: INBOX.`).waitFor();
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await dialog.waitFor({ state: 'detached' });

    const account = view.getByRole('listitem', { name: `alice@${dovecot.host}` });
    await account.getByText('1 message', { exact: true }).waitFor();
    await account.getByText('Watching for new mail').waitFor();
    await account.getByText(/last sync/).waitFor();
    dovecot.deliver(testMessage({ subject: 'Ferry times', body: 'The ferry leaves at noon from pier seven.' }));
    await account.getByText('2 messages', { exact: true }).waitFor();

    // Paused, it says so and offers to resume; resumed, it watches again.
    await account.getByRole('button', { name: 'Pause' }).click();
    await account.getByText('Paused: mail is not fetched until you resume').waitFor();
    await account.getByRole('button', { name: 'Resume' }).click();
    await account.getByText('Watching for new mail').waitFor();
  });

  test('a model downloads from a local server with progress, is cancelled and resumed; a new embedder shows the re-embedding', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const { page, screenshot } = win;
    await page.keyboard.press('Control+4');
    const view = page.getByTestId('models-view');
    await view.getByTestId('hardware').getByText('Runs on').waitFor();
    const qwen = view.getByRole('listitem', { name: 'Qwen3 4B (Q4_K_M)' });
    await qwen.getByText(/^(Runs on the GPU|Runs on the CPU|Too large here)$/).waitFor();
    await qwen.getByRole('button', { name: /^Download \(.+\)$/ }).waitFor();

    // The server sends half the file, then waits: the download is under way.
    const size = readFileSync(MODEL).length;
    files.pauseAt = Math.floor(size / 2);
    await view.getByRole('textbox', { name: 'From an address' }).fill(files.url('/models/stories260K.gguf'));
    await view.getByRole('button', { name: 'Download', exact: true }).click();
    const row = view.getByRole('listitem', { name: 'stories260K.gguf' });
    await row.getByRole('progressbar').waitFor();
    await row.getByText(/ of 1\.2 MB/).waitFor();
    await screenshot('models-downloading-en-light');
    await row.getByRole('button', { name: 'Cancel' }).click();
    await row.getByText('Partly downloaded').waitFor();
    await row.getByText(/ of 1\.2 MB downloaded: resume to finish it/).waitFor();
    files.pauseAt = null;
    const before = files.requests.length;
    await row.getByRole('button', { name: 'Resume' }).click();
    await row.getByText('Ready').waitFor();
    assert.match(files.requests.slice(before).find((r) => r.method === 'GET')?.range ?? '', /^bytes=\d+-$/, 'resumed where it stopped');
    await row.getByRole('button', { name: 'Use for chat' }).click();
    await view.getByTestId('chat-model').locator('.use-card__name', { hasText: 'stories260K.gguf' }).waitFor();

    // Another embedding model: the library is re-embedded in the background, shown here.
    embed.hold();
    await view.getByTestId('embedding-model').getByRole('button', { name: 'Use a server…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Use an embedding server' });
    await dialog.getByRole('textbox', { name: 'Address' }).fill(embed.baseUrl);
    await dialog.getByRole('textbox', { name: 'Model name' }).fill('bag-32');
    await dialog.getByRole('textbox', { name: 'Vector size (optional)' }).fill('32');
    await dialog.getByRole('button', { name: 'Use it' }).click();
    const reembed = view.getByTestId('reembed');
    await reembed.getByRole('progressbar').waitFor();
    await reembed.getByText(/^\d+ of \d+ passages/).waitFor();
    await view.getByTestId('embedding-model').locator('.use-card__name', { hasText: 'bag-32' }).waitFor();
    await screenshot('models-reembedding-en-light');
    embed.release();
    await reembed.waitFor({ state: 'detached' });
  });

  test('settings: dark theme, Chinese, the local API; every view in light and dark, English and Chinese', async (t) => {
    if (!app) return t.skip('no Chromium here');
    const { page, call, problems } = win;
    await page.keyboard.press('Control+5');
    const view = page.getByTestId('settings-view');
    await view.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await view.getByText(/library\.db$/).waitFor();

    await view.getByRole('tab', { name: 'Local API' }).click();
    await view.getByRole('switch', { name: 'OpenAI-compatible API' }).click();
    await view.getByTestId('local-api-url').filter({ hasText: `${app.served.origin}/v1` }).waitFor();
    await win.screenshot('settings-api-en-dark');
    const models = await fetch(`${app.served.origin}/v1/models`, { headers: { authorization: `Bearer ${(await call<{ apiToken: string }>('settings.get')).apiToken}` } });
    assert.equal(models.status, 200, 'the API answers at the address shown');
    await view.getByRole('switch', { name: 'OpenAI-compatible API' }).click();
    await view.getByText('Off', { exact: true }).waitFor();

    // Web search with a key: the key goes to the secret store (a file beside the library here), never into the library.
    await view.getByRole('tab', { name: 'Web search' }).click();
    await view.getByRole('combobox', { name: 'Provider' }).selectOption('brave');
    await view.getByLabel('API key').fill('brave-key-0123456789');
    await view.getByRole('button', { name: 'Store key' }).click();
    await view.getByText(/^A key is stored in file .*secrets\.json/).waitFor();
    await win.screenshot('settings-web-en-dark');
    const { dbPath } = await call<{ dbPath: string }>('engine.info');
    assert.match(readFileSync(join(dirname(dbPath), 'secrets.json'), 'utf8'), /brave-key-0123456789/);
    for (const file of [dbPath, `${dbPath}-wal`]) {
      const bytes = existsSync(file) ? readFileSync(file).toString('latin1') : '';
      assert.ok(!bytes.includes('brave-key-0123456789') && !bytes.includes(PASSWORD), `no key or password in ${basename(file)}`);
    }
    await view.getByRole('button', { name: 'Forget key' }).click();
    await view.getByText(/^No key stored yet/).waitFor();
    await view.getByRole('combobox', { name: 'Provider' }).selectOption('');

    await view.getByRole('tab', { name: 'Answers' }).click();
    await view.getByRole('slider', { name: 'Sources per answer' }).fill('5');
    await page.waitForFunction(async () => {
      const response = await fetch('/api/settings.get', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return ((await response.json()) as { result: { retrieval: { k: number } } }).result.retrieval.k === 5;
    });

    await view.getByRole('tab', { name: 'General' }).click();
    await view.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('navigation').getByRole('button', { name: '来源' }).waitFor();
    const stored = await call<{ interface: { language: string; theme: string } }>('settings.get');
    assert.deepEqual(stored.interface, { language: 'zh-CN', theme: 'dark' });
    await call('settings.update', { interface: { language: 'system', theme: 'system' } });
    assert.deepEqual(expected(problems), [], 'no console errors or warnings');
    await win.context.close();

    const shots: string[] = [];
    for (const [locale, colorScheme] of [['en-US', 'light'], ['en-US', 'dark'], ['zh-CN', 'light'], ['zh-CN', 'dark']] as const) {
      const { page: p, screenshot, problems: seen, context } = await app.open({ locale, colorScheme });
      const name = `${locale === 'zh-CN' ? 'zh-CN' : 'en'}-${colorScheme}`;
      await p.keyboard.press('Control+3');
      await p.getByTestId('source-card').nth(dovecot ? 1 : 0).getByText(/\d/).first().waitFor();
      shots.push(await screenshot(`sources-folder-and-mail-${name}`));
      await p.keyboard.press('Control+4');
      await p.getByTestId('catalog-card').first().waitFor();
      await p.getByTestId('hardware').waitFor();
      shots.push(await screenshot(`models-in-use-${name}`));
      await p.getByTestId('catalog-card').first().scrollIntoViewIfNeeded();
      shots.push(await screenshot(`models-catalog-${name}`));
      await p.keyboard.press('Control+5');
      await p.getByTestId('library-path').waitFor();
      shots.push(await screenshot(`settings-general-${name}`));
      await p.getByRole('tab').nth(1).click();
      await p.getByRole('slider').first().waitFor();
      await p.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      shots.push(await screenshot(`settings-answers-${name}`));
      assert.deepEqual(expected(seen), [], `no console errors (${name})`);
      await context.close();
    }
    console.log(`screenshots:\n${shots.join('\n')}`);
  });
});
