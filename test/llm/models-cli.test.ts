// `cairn models` end to end: the CLI spawned as a user runs it, with its own models directory
// (CAIRN_MODEL_STORE) and library, and a local HTTP server to pull from.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { describeHardware, recommendModels } from '../../app/llm/index.ts';
import { Library } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';
import { modelsDir, requireShared } from '../support/shared.ts';
import { startFileServer, type FileServer } from './file-server.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');
const storiesPath = join(modelsDir, 'stories260K.gguf');

function setup() {
  const dir = tempDir();
  return { db: join(dir, 'library.db'), store: join(dir, 'models') };
}

function env(store: string) {
  // English locale: the recommendation then does not depend on the machine's language.
  return { ...process.env, CAIRN_MODEL_STORE: store, LANG: 'en_US.UTF-8', LC_ALL: '' };
}

function cairn(where: { db: string; store: string }, ...args: string[]) {
  const run = spawnSync(process.execPath, [main, '--db', where.db, 'models', ...args], { encoding: 'utf8', timeout: 60_000, env: env(where.store) });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The CLI without blocking this process (the test's HTTP server must keep answering). */
function cairnAsync(where: { db: string; store: string }, ...args: string[]) {
  const child = spawn(process.execPath, [main, '--db', where.db, 'models', ...args], { env: env(where.store) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const done = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, done };
}

function chatSetting(db: string): unknown {
  const library = Library.open(db);
  try {
    return library.settings.get('chat-model');
  } finally {
    library.close();
  }
}

let server: FileServer;
before(async () => {
  server = await startFileServer({ '/stories260K.gguf': existsSync(storiesPath) ? readFileSync(storiesPath) : Buffer.alloc(0) });
});
after(async () => {
  await server.close();
});

test('first run: models list names the model recommended for this machine and how to get it', async () => {
  const where = setup();
  const list = cairn(where, 'list');
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`Models in ${where.store.replace(/[/\\]/g, '.')}:\\n  \\(none yet\\)`));
  assert.match(list.stdout, /Chat model: none/);
  const expected = recommendModels(await describeHardware(), { multilingual: false });
  assert.ok(expected.chat, 'this machine has memory for a chat model');
  assert.match(list.stdout, new RegExp(`No chat model yet: \`cairn models pull ${expected.chat.id.replace('.', '\\.')}\``));
  assert.match(list.stdout, new RegExp(`embedding  ${expected.embedding.name.replace(/[().]/g, '.')}.*cairn models pull ${expected.embedding.id.replace(/\./g, '\\.')}`));
  assert.match(list.stdout, /Catalog \(cairn models pull <id>; sizes approximate\):\n {2}qwen3-8b/);

  const json = JSON.parse(cairn(where, 'list', '--json').stdout) as { dir: string; models: unknown[]; recommendation: { chat: { id: string } } };
  assert.equal(json.dir, where.store);
  assert.deepEqual(json.models, []);
  assert.equal(json.recommendation.chat.id, expected.chat.id);
});

test('import, use, list and rm', (t) => {
  if (!requireShared(t, storiesPath)) return;
  const where = setup();
  const imported = cairn(where, 'import', storiesPath);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /Imported stories260K\.gguf \(1\.2 MB\)/);
  assert.match(imported.stdout, /Answer with it: cairn models use stories260K\.gguf/);

  const use = cairn(where, 'use', 'stories260K.gguf');
  assert.equal(use.code, 0, use.stderr);
  const modelPath = join(where.store, 'stories260K.gguf');
  assert.deepEqual(chatSetting(where.db), { type: 'gguf', modelPath });
  assert.match(cairn(where, 'use').stdout, /Chat model: stories260K\.gguf/);

  const list = cairn(where, 'list');
  assert.match(list.stdout, /ready\s+stories260K\.gguf\s+1\.2 MB\s+chat\s+← the library answers with this/);

  // Mistakes: nothing changes.
  const missing = cairn(where, 'use', 'nothing-here.gguf');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No model "nothing-here\.gguf"/);
  const notPulled = cairn(where, 'use', 'qwen3-4b');
  assert.equal(notPulled.code, 1);
  assert.match(notPulled.stderr, /not downloaded yet: `cairn models pull qwen3-4b` first/);
  assert.equal(cairn(where, 'frobnicate').code, 2);
  assert.equal(cairn(where, 'import').code, 2);
  assert.deepEqual(chatSetting(where.db), { type: 'gguf', modelPath });

  // A chat server instead: checked first (test/cli/models-use.test.ts), and one that does not answer is not saved.
  const remote = cairn(where, 'use', '--url', 'http://127.0.0.1:59/v1', '--model', 'llama3');
  assert.equal(remote.code, 1);
  assert.match(remote.stderr, /chat server at http:\/\/127\.0\.0\.1:59\/v1: connection refused .*The chat model was not changed/);
  assert.deepEqual(chatSetting(where.db), { type: 'gguf', modelPath });

  const rm = cairn(where, 'rm', 'stories260K.gguf');
  assert.equal(rm.code, 0, rm.stderr);
  assert.match(rm.stdout, /Deleted .*stories260K\.gguf\nThat was the library's chat model/);
  assert.equal(existsSync(modelPath), false);
  assert.match(cairn(where, 'list').stdout, /\(none yet\)/);
  assert.equal(cairn(where, 'rm', 'stories260K.gguf').code, 1);
});

test('pull from a URL shows progress and leaves a ready model', async (t) => {
  if (!requireShared(t, storiesPath)) return;
  const where = setup();
  const { done } = cairnAsync(where, 'pull', server.url('/stories260K.gguf'));
  const pull = await done;
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /Downloaded stories260K\.gguf \(1\.2 MB\) into /);
  // Not a terminal: whole lines, the last when checking.
  assert.match(pull.stderr, /█+ stories260K\.gguf {2}1\.2 MB of 1\.2 MB.* {2}verifying…/);
  assert.match(cairn(where, 'list').stdout, /ready\s+stories260K\.gguf/);
});

test('Ctrl-C stops a pull cleanly and says how to resume', async () => {
  const where = setup();
  server.stall = true;
  try {
    const { child, done } = cairnAsync(where, 'pull', server.url('/stories260K.gguf'));
    // Interrupt once the download is under way (the server has the request and sits on it).
    const asked = server.requests.length;
    while (server.requests.length === asked) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const pull = await done;
    assert.equal(pull.code, 130);
    assert.match(pull.stderr, /Stopped\. `cairn models pull http:\/\/127\.0\.0\.1:\d+\/stories260K\.gguf` resumes where it stopped/);
    assert.doesNotMatch(pull.stderr, /at .*\.ts:\d+/, 'no stack trace');
  } finally {
    server.stall = false;
  }
  assert.doesNotMatch(cairn(where, 'list').stdout, /ready/);
});

test('pull checks a given sha256: a mismatch is said plainly and not used until --accept-hash; list shows the hash', async (t) => {
  if (!requireShared(t, storiesPath)) return;
  const where = setup();
  const url = server.url('/stories260K.gguf');
  const got = createHash('sha256').update(readFileSync(storiesPath)).digest('hex');
  const expected = '0'.repeat(64);
  const refused = await cairnAsync(where, 'pull', url, '--sha256', expected).done;
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`cairn: stories260K\\.gguf does not match the sha256 pinned for it: expected ${expected}, got ${got}\\.`));
  assert.match(refused.stderr, /`cairn models pull http:\/\/127\.0\.0\.1:\d+\/stories260K\.gguf --accept-hash` keeps it/);
  assert.match(cairn(where, 'list').stdout, /invalid\s+stories260K\.gguf .*not the pinned/);
  assert.equal(cairn(where, 'use', 'stories260K.gguf').code, 1, 'not usable');

  const accepted = await cairnAsync(where, 'pull', url, '--accept-hash').done;
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stderr, new RegExp(`Kept although its sha256 ${got} is not the pinned ${expected} \\(--accept-hash\\)`));
  const list = cairn(where, 'list');
  assert.match(list.stdout, new RegExp(`ready\\s+stories260K\\.gguf .*\\n\\s+sha256 ${got}  accepted \\(the pinned one was ${expected}\\)`));

  const bad = cairn(where, 'pull', url, '--sha256', 'xyz');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /64 hexadecimal digits/);
});

test('a pull with nothing pinned records the hash of the download and shows it', async (t) => {
  if (!requireShared(t, storiesPath)) return;
  const where = setup();
  const got = createHash('sha256').update(readFileSync(storiesPath)).digest('hex');
  const pull = await cairnAsync(where, 'pull', server.url('/stories260K.gguf')).done;
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, new RegExp(`sha256 ${got} \\(recorded: no sha256 was pinned for it\\)`));
  assert.match(cairn(where, 'list').stdout, new RegExp(`\\n\\s+sha256 ${got}  recorded at download \\(nothing pinned\\)`));
  const json = JSON.parse(cairn(where, 'list', '--json').stdout) as { models: { provenance: { sha256: string; check: string } }[] };
  assert.deepEqual([json.models[0]!.provenance.sha256, json.models[0]!.provenance.check], [got, 'recorded']);
});
