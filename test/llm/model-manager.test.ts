// ModelManager: the models directory, imports, and downloads through node-llama-cpp's downloader
// from a real local HTTP server with Range support (resume, cancel, bad files, errors).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CairnError, DownloadProgress } from '../../app/contract/index.ts';
import { defaultModelsDir, ModelManager } from '../../app/llm/index.ts';
import { tempDir } from '../support/corpus.ts';
import { modelsDir, requireShared } from '../support/shared.ts';
import { startFileServer, type FileServer } from './file-server.ts';

const storiesPath = join(modelsDir, 'stories260K.gguf');
const stories = existsSync(storiesPath) ? readFileSync(storiesPath) : Buffer.alloc(0);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let server: FileServer;
before(async () => {
  server = await startFileServer({
    '/repo/resolve/main/stories260K.gguf': stories,
    '/junk.gguf': randomBytes(200_000),
    '/cut-short.gguf': stories.subarray(0, 600_000),
    // Its own non-empty file: the shared model may be absent (an empty body would be a whole, non-GGUF answer, not a stall).
    '/stalls.gguf': randomBytes(100_000),
  });
});
after(async () => {
  await server.close();
});

function manager(options: { stallTimeoutMs?: number; retryDelaysMs?: number[] } = {}) {
  return new ModelManager({ dir: join(tempDir(), 'models'), ...options });
}

function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp) {
  return assert.rejects(promise, (error: CairnError) => {
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

test('pull by URL: progress with bytes, speed and ETA, then an identical file listed as ready', async (t) => {
  if (!requireShared(t, storiesPath)) return;
  const models = manager();
  const events: DownloadProgress[] = [];
  const pulled = await models.pull(server.url('/repo/resolve/main/stories260K.gguf'), { onProgress: (p) => events.push(p) });
  assert.equal(pulled.alreadyPresent, false);
  assert.equal(pulled.name, 'stories260K.gguf');
  assert.equal(pulled.status, 'ready');
  assert.equal(sha256(readFileSync(pulled.path)), sha256(stories));
  assert.equal(pulled.path, join(models.dir, 'stories260K.gguf'));

  assert.equal(events[0]!.phase, 'connecting');
  const downloading = events.filter((e) => e.phase === 'downloading');
  assert.ok(downloading.length > 0);
  for (const e of downloading) {
    assert.equal(e.totalBytes, stories.length);
    assert.ok(e.receivedBytes <= stories.length && e.bytesPerSecond >= 0);
    if (e.etaSeconds !== null) assert.ok(e.etaSeconds >= 0);
  }
  assert.deepEqual(events.slice(-2).map((e) => e.phase), ['verifying', 'done']);
  assert.equal(events.at(-1)!.receivedBytes, stories.length);

  const listed = await models.list();
  assert.deepEqual(listed.map((m) => [m.name, m.status, m.role, m.architecture, m.catalogId]), [['stories260K.gguf', 'ready', 'chat', 'llama', null]]);
  assert.deepEqual(readdirSync(models.partialDir), [], 'nothing left behind');

  // Again: already there, nothing downloaded.
  const requests = server.requests.length;
  const again = await models.pull(server.url('/repo/resolve/main/stories260K.gguf'));
  assert.equal(again.alreadyPresent, true);
  assert.equal(server.requests.length, requests);
});

test('a download cut half way fails after a few resumes, and the next pull resumes it with a Range request', async (t) => {
  if (!requireShared(t, storiesPath)) return;
  const models = manager({ retryDelaysMs: [10, 10] });
  const url = server.url('/repo/resolve/main/stories260K.gguf');
  const cut = 600_000;
  server.cutAt = cut;
  const firstRequest = server.requests.length;
  try {
    await rejectsWith(models.pull(url), 'download-interrupted', /stories260K\.gguf from 127\.0\.0\.1:\d+ was cut off \(the connection was closed\); pulling it again resumes it/);
  } finally {
    server.cutAt = null;
  }
  // The two automatic retries resumed from what had reached the file: at most the cut (under load
  // the HTTP client may drop bytes it had received but not yet handed on when the connection closed).
  const ranges = server.requests.slice(firstRequest).map((r) => r.range);
  assert.equal(ranges.length, 3);
  assert.equal(ranges[0], null);
  const starts = ranges.slice(1).map((range) => Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1]));
  assert.ok(starts.every((start, i) => start > 0 && start <= cut && (i === 0 || start >= starts[i - 1]!)), `resumed at ${starts.join(', ')}`);
  const stopped = await models.list();
  assert.deepEqual(stopped.map((m) => [m.name, m.status]), [['stories260K.gguf', 'partial']], 'listed as an unfinished download, not as a model');
  const partial = stopped[0]!.sizeBytes;
  assert.ok(partial >= starts.at(-1)! && partial <= cut, `the part holds ${partial} bytes`);
  assert.match(stopped[0]!.problem!, /unfinished download \(\d+% of 1185376 bytes\): pull it again to resume/);
  assert.equal(await models.find('stories260K.gguf'), undefined);

  const secondRequest = server.requests.length;
  const pulled = await models.pull(url);
  assert.deepEqual(server.requests.slice(secondRequest).map((r) => r.range), [`bytes=${partial}-`], 'the second pull asked only for the rest');
  assert.equal(sha256(readFileSync(pulled.path)), sha256(stories), 'the resumed file is intact');
  assert.deepEqual((await models.list()).map((m) => [m.name, m.status]), [['stories260K.gguf', 'ready']]);
  assert.deepEqual(readdirSync(models.partialDir), []);
});

test('cancelling stops the download at once, leaves no model, and the part resumes or is removed', async (t) => {
  if (!requireShared(t, storiesPath)) return;
  const models = manager();
  const url = server.url('/repo/resolve/main/stories260K.gguf');
  const controller = new AbortController();
  let progressAfterCancel = 0;
  const pulling = models.pull(url, {
    signal: controller.signal,
    onProgress: (p) => {
      if (controller.signal.aborted) progressAfterCancel++;
      if (p.phase === 'downloading' && p.receivedBytes > 0) controller.abort();
    },
  });
  await rejectsWith(pulling, 'download-cancelled', /stories260K\.gguf was cancelled; pulling it again resumes it/);
  assert.ok(progressAfterCancel <= 1, `${progressAfterCancel} progress events after the cancel`);
  const left = await models.list();
  assert.equal(left.length, 1);
  assert.equal(left[0]!.status, 'partial');
  assert.ok(left[0]!.sizeBytes > 0 && left[0]!.sizeBytes < stories.length);
  // What a window needs to show it and resume it, also after a restart: where it comes from and its size.
  assert.deepEqual(left[0]!.download, { url, totalBytes: stories.length });
  assert.equal(existsSync(join(models.dir, 'stories260K.gguf')), false);

  const resumeFrom = left[0]!.sizeBytes;
  const before = server.requests.length;
  await models.pull(url);
  assert.equal(server.requests[before]!.range, `bytes=${resumeFrom}-`);
  assert.deepEqual(await models.remove('stories260K.gguf'), [join(models.dir, 'stories260K.gguf')]);

  // Cancelled again, then removed while unfinished: nothing is left.
  const again = new AbortController();
  await rejectsWith(models.pull(url, { signal: again.signal, onProgress: (p) => p.receivedBytes > 0 && again.abort() }), 'download-cancelled');
  await models.remove('stories260K.gguf');
  assert.deepEqual(await models.list(), []);
  assert.deepEqual(readdirSync(models.partialDir), []);

  const early = new AbortController();
  early.abort();
  // A catalog id names its file without any network: cancelled before the first request.
  await rejectsWith(models.pull('qwen3-4b', { signal: early.signal }), 'download-cancelled', /Qwen3-4B-Q4_K_M\.gguf/);
});

test('a download that is not GGUF, or a GGUF cut short, is rejected and deleted', async (t) => {
  const models = manager();
  await rejectsWith(models.pull(server.url('/junk.gguf')), 'download-not-gguf', /did not give a whole GGUF model \(not a GGUF file.*the download was deleted/);
  if (requireShared(t, storiesPath)) {
    await rejectsWith(models.pull(server.url('/cut-short.gguf')), 'download-corrupt', /cut short: 600000 of the 1185376 bytes/);
  }
  assert.deepEqual(await models.list(), []);
  assert.deepEqual(readdirSync(models.partialDir), []);
});

test('a 404, a dead server and names that are not models get clear errors at once', async () => {
  const models = manager();
  await rejectsWith(models.pull(server.url('/nope/model.gguf')), 'download-not-found', /There is no file at http:\/\/127\.0\.0\.1:\d+\/nope\/model\.gguf \(HTTP 404\)/);

  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  await rejectsWith(models.pull(`http://127.0.0.1:${port}/m.gguf`), 'download-unreachable', /Cannot reach 127\.0\.0\.1:\d+: connection refused/);

  await rejectsWith(models.pull('not-a-model'), 'model-unknown', /neither a catalog model \(qwen3-8b, .*\) nor an http\(s\) URL/);
  await rejectsWith(models.pull(server.url('/readme.txt')), 'model-unknown', /does not name a \.gguf file/);
  assert.deepEqual(await models.list(), []);
});

test('a server that sends headers and then nothing is stopped by the watchdog', async () => {
  const models = manager({ stallTimeoutMs: 800 });
  server.stall = true;
  try {
    await rejectsWith(models.pull(server.url('/stalls.gguf')), 'download-stalled', /stalls\.gguf stopped: nothing arrived from 127\.0\.0\.1:\d+ for 1 s/);
  } finally {
    server.stall = false;
  }
  assert.equal(await models.find('stalls.gguf'), undefined);
});

test('import checks and copies a GGUF file; rm deletes it; broken files in the directory are listed as invalid', async (t) => {
  if (!requireShared(t, storiesPath)) return;
  const models = manager();
  const imported = await models.import(storiesPath);
  assert.equal(imported.status, 'ready');
  assert.equal(sha256(readFileSync(imported.path)), sha256(stories));
  assert.equal((await models.find('stories260K.gguf'))?.path, imported.path);
  await rejectsWith(models.import(storiesPath), 'model-exists', /already in/);

  const scratch = tempDir();
  const notes = join(scratch, 'notes.gguf');
  writeFileSync(notes, 'my notes');
  await rejectsWith(models.import(notes), 'model-not-gguf', /notes\.gguf: not a GGUF file/);
  await rejectsWith(models.import(join(scratch, 'missing.gguf')), 'model-missing');
  await rejectsWith(models.import(join(scratch, 'notes.txt')), 'model-not-gguf', /is not a \.gguf file/);

  // A file put in the directory by hand and cut short.
  writeFileSync(join(models.dir, 'half.gguf'), stories.subarray(0, 500_000));
  const listed = await models.list();
  assert.deepEqual(listed.map((m) => [m.name, m.status]), [['half.gguf', 'invalid'], ['stories260K.gguf', 'ready']]);
  assert.match(listed[0]!.problem!, /cut short/);

  assert.deepEqual(await models.remove('stories260K.gguf'), [imported.path]);
  await rejectsWith(models.remove('stories260K.gguf'), 'model-not-found');
  await rejectsWith(models.remove('../library.db'), 'model-not-found');
  assert.deepEqual((await models.list()).map((m) => m.name), ['half.gguf']);
});

test('the models directory defaults to CAIRN_MODEL_STORE, else the user data directory', () => {
  const saved = process.env.CAIRN_MODEL_STORE;
  try {
    process.env.CAIRN_MODEL_STORE = '/somewhere/models';
    assert.equal(defaultModelsDir(), '/somewhere/models');
    delete process.env.CAIRN_MODEL_STORE;
    assert.match(defaultModelsDir(), /[/\\](cairn|Cairn)[/\\]models$/);
  } finally {
    if (saved === undefined) delete process.env.CAIRN_MODEL_STORE;
    else process.env.CAIRN_MODEL_STORE = saved;
  }
});
