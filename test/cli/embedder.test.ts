// `cairn embedder set|off` and `cairn index` as a user runs them: a switch is recorded at once and
// the vectors are made by the next command that indexes (with progress), `--wait` makes them at
// once, status shows the work in progress, `cairn index` and `cairn watch` continue it, `off` keeps
// the vectors, and the remote key comes from CAIRN_EMBED_API_KEY without ever being stored.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { LibraryStatus, SearchResponse } from '../../app/contract/index.ts';
import { tempDir, writeCorpus } from '../support/corpus.ts';
import { startEmbeddingServer, type EmbeddingServer } from '../support/embedding-server.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');
const run = promisify(execFile);

// Asynchronous: the embedding server runs in this process and must keep answering.
async function cairn(db: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [main, '--db', db, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, CAIRN_EMBED_API_KEY: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function status(db: string): Promise<LibraryStatus> {
  return JSON.parse((await cairn(db, ['status', '--json'])).stdout) as LibraryStatus;
}

let server: EmbeddingServer;
before(async () => {
  server = await startEmbeddingServer();
});
after(() => server.close());

test('embedder set records the switch and returns; status shows the work; cairn index makes the vectors with progress', async () => {
  const db = join(tempDir(), 'library.db');
  assert.equal((await cairn(db, ['add', writeCorpus(12)])).code, 0);
  const { chunks } = await status(db);
  assert.ok(chunks >= 12);

  const set = await cairn(db, ['embedder', 'set', '--url', server.baseUrl, '--model', 'bag-64']);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /Embedder: openai:.*:bag-64/);
  assert.match(set.stderr, new RegExp(`${chunks} chunks need vectors from it \\(search is by keywords until then\\)\\. \`cairn index\` makes them`));
  assert.ok((server.embedded.get('bag-64') ?? 0) <= 1, 'only the dimension probe was sent: nothing was embedded yet');

  const working = await status(db);
  assert.deepEqual(working.reembed, { model: `openai:${server.baseUrl}:bag-64`, done: 0, total: chunks, replacing: false, by: null });
  assert.equal(working.pendingJobs, 0);
  const text = (await cairn(db, ['status'])).stdout;
  assert.match(text, new RegExp(`Working: +Embedding with openai:.*:bag-64: 0 of ${chunks} chunks \\(waiting for \`cairn index\``));
  assert.match((await cairn(db, ['embedder'])).stdout, /Working: +Embedding with .*bag-64: 0 of/);

  const index = await cairn(db, ['index']);
  assert.equal(index.code, 0, index.stderr);
  // Not a terminal: the first progress line at once (chunks done of all), and the last.
  assert.match(index.stderr, new RegExp(`embedding 0/${chunks} chunks`));
  assert.match(index.stderr, new RegExp(`embedding ${chunks}/${chunks} chunks +[\\d.]+/s +done`));
  assert.match(index.stderr, /Every chunk has its vector from openai:.*bag-64\./);
  const done = await status(db);
  assert.equal(done.reembed, null);
  assert.deepEqual(done.embeddingModels.map((m) => [m.state, m.vectors]), [['active', chunks]]);
  assert.doesNotMatch((await cairn(db, ['status'])).stdout, /Working:/);

  // --wait stays and makes them; search keeps the old model's vectors meanwhile, and uses the new ones after.
  const wait = await cairn(db, ['embedder', 'set', '--url', server.baseUrl, '--model', 'bag-32', '--wait']);
  assert.equal(wait.code, 0, wait.stderr);
  assert.match(wait.stderr, new RegExp(`Making the vectors of ${chunks} chunks \\(search keeps the previous vectors until then`));
  assert.match(wait.stderr, /Every chunk has its vector from openai:.*bag-32; search uses it now\./);
  const after = await status(db);
  assert.equal(after.reembed, null);
  assert.deepEqual(after.embeddingModels.map((m) => [m.key.split(':').at(-1), m.state, m.vectors]), [['bag-32', 'active', chunks]]);
});

test('embedder off searches by keywords and keeps the vectors: setting the model again needs no re-embedding', async () => {
  const db = join(tempDir(), 'library.db');
  assert.equal((await cairn(db, ['embedder', 'set', '--url', server.baseUrl, '--model', 'bag-48'])).code, 0);
  assert.equal((await cairn(db, ['add', writeCorpus(5)])).code, 0);
  const before = await status(db);
  assert.equal(before.reembed, null, 'files added with a model get their vectors as they are indexed');

  const off = await cairn(db, ['embedder', 'off']);
  assert.equal(off.code, 0, off.stderr);
  assert.match(off.stdout, /Keyword search only\. Existing vectors are kept\./);
  assert.match((await cairn(db, ['embedder'])).stdout, /Embedder: none \(keyword search only\)/);
  const search = JSON.parse((await cairn(db, ['search', 'marker2', '--json'])).stdout) as SearchResponse;
  assert.equal(search.keywordOnly, true);
  assert.equal(search.hits[0]?.title, 'Note 2');
  const offStatus = await status(db);
  assert.equal(offStatus.embedder, null);
  assert.equal(offStatus.reembed, null, 'no embedding is pending without a model');
  assert.deepEqual(offStatus.embeddingModels.map((m) => [m.state, m.vectors]), [['active', before.chunks]]);

  const embeddedBefore = server.embedded.get('bag-48') ?? 0;
  const again = await cairn(db, ['embedder', 'set', '--url', server.baseUrl, '--model', 'bag-48', '--dimensions', '48']);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /need vectors/);
  assert.equal((await status(db)).reembed, null);
  assert.equal(server.embedded.get('bag-48'), embeddedBefore, 'nothing was embedded again');
  const hybrid = JSON.parse((await cairn(db, ['search', 'marker2', '--json'])).stdout) as SearchResponse;
  assert.equal(hybrid.mode, 'hybrid');
});

test('a remote embedder takes its key from CAIRN_EMBED_API_KEY, and the key is never stored', async () => {
  const locked = await startEmbeddingServer({ apiKey: 'sesame-embed-key' });
  try {
    const db = join(tempDir(), 'library.db');
    assert.equal((await cairn(db, ['add', writeCorpus(3)])).code, 0);
    const refused = await cairn(db, ['embedder', 'set', '--url', locked.baseUrl, '--model', 'bag-16']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /rejected the API key/);
    assert.equal((await status(db)).embedder, null, 'a refused switch changes nothing');

    const env = { CAIRN_EMBED_API_KEY: 'sesame-embed-key' };
    const set = await cairn(db, ['embedder', 'set', '--url', locked.baseUrl, '--model', 'bag-16'], env);
    assert.equal(set.code, 0, set.stderr);
    const index = await cairn(db, ['index'], env);
    assert.equal(index.code, 0, index.stderr);
    const done = await status(db);
    assert.equal(done.reembed, null);
    assert.equal(done.embeddingModels[0]?.vectors, done.chunks);
    for (const file of ['library.db', 'library.db-wal']) {
      let bytes = '';
      try {
        bytes = readFileSync(join(db, '..', file), 'latin1');
      } catch {
        continue;
      }
      assert.ok(!bytes.includes('sesame-embed-key'), `${file} holds no key`);
    }
  } finally {
    await locked.close();
  }
});

test('cairn watch makes the vectors a switch left to do, with progress', async () => {
  const db = join(tempDir(), 'library.db');
  assert.equal((await cairn(db, ['folders', 'add', writeCorpus(6)])).code, 0);
  assert.equal((await cairn(db, ['embedder', 'set', '--url', server.baseUrl, '--model', 'bag-24'])).code, 0);
  const { chunks } = await status(db);

  const watch = spawn(process.execPath, [main, '--db', db, 'watch'], { env: { ...process.env, CAIRN_EMBED_API_KEY: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = once(watch, 'exit');
  await new Promise<void>((resolve, reject) => {
    watch.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
      if (stderr.includes(`embedding ${chunks}/${chunks} chunks`)) resolve();
    });
    void exited.then(() => reject(new Error(`cairn watch exited: ${stderr}`)));
  });
  watch.kill('SIGINT');
  await exited;
  assert.match(stderr, new RegExp(`embedding 0/${chunks} chunks`));
  assert.equal((await status(db)).reembed, null);
});
