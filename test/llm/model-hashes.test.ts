// Model downloads checked against a known sha256: the catalog's pinned hash (or one given for a
// URL), hashed while the bytes are written, across resumes; a mismatch is set aside, not used,
// until the user accepts it; without a pinned hash the download's own hash is recorded.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CairnError, CatalogModel } from '../../app/contract/index.ts';
import { ModelCatalog, ModelManager } from '../../app/llm/index.ts';
import { tempDir } from '../support/corpus.ts';
import { modelsDir, requireShared } from '../support/shared.ts';
import { startFileServer, type FileServer } from './file-server.ts';

const storiesPath = join(modelsDir, 'stories260K.gguf');
const stories = existsSync(storiesPath) ? readFileSync(storiesPath) : Buffer.alloc(0);
const storiesHash = createHash('sha256').update(stories).digest('hex');
const wrongHash = 'ab'.repeat(32);

let server: FileServer;
before(async () => {
  server = await startFileServer({ '/pinned/stories260K.gguf': stories, '/wrong/tiny-story.gguf': stories, '/free/stories260K.gguf': stories });
});
after(async () => {
  await server.close();
});

function entry(id: string, file: string, path: string, sha256?: string): CatalogModel {
  return {
    id, name: id, role: 'chat', file, url: server.url(path), sourceRepo: 'test/repo', license: 'MIT', sizeBytes: stories.length,
    ramBytes: 2 * stories.length, vramBytes: 2 * stories.length, contextLength: 2048, languages: ['en'], reasoning: false, notes: 'test',
    ...(sha256 ? { sha256 } : {}),
  };
}

/** A models directory whose catalog points at the local file server (the constructor does not insist on https). */
function manager(retryDelaysMs: number[] = []) {
  const catalog = new ModelCatalog({
    version: 1,
    models: [
      entry('pinned-story', 'stories260K.gguf', '/pinned/stories260K.gguf', storiesHash),
      entry('wrong-story', 'tiny-story.gguf', '/wrong/tiny-story.gguf', wrongHash),
      { ...entry('tiny-embed', 'tiny-embed.gguf', '/none.gguf'), role: 'embedding', dimensions: 64 },
    ],
    rules: { chat: [], embedding: [{ model: 'tiny-embed', why: 'test' }] },
  });
  return new ModelManager({ dir: join(tempDir(), 'models'), catalog, retryDelaysMs });
}

function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp) {
  return assert.rejects(promise, (error: CairnError) => {
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

test('a catalog model matches its pinned sha256 after resumes, within one pull and across two; the hash is kept and listed', async (t) => {
  if (!requireShared(t, storiesPath)) return;
  const models = manager([10]);
  // First pull: cut at 400 kB; its one automatic resume is also cut, so it gives up with a part on disk.
  server.cutAt = 400_000;
  try {
    await rejectsWith(models.pull('pinned-story'), 'download-interrupted');
  } finally {
    server.cutAt = null;
  }
  // Second pull: resumes from the part (which must be hashed from disk), is cut again at 800 kB,
  // and resumes by itself with the bytes it had hashed while writing.
  server.cutAt = 800_000;
  const first = server.requests.length;
  const pulled = await models.pull('pinned-story', {
    onProgress: (p) => {
      if (p.phase === 'connecting' && p.receivedBytes > 400_000) server.cutAt = null;
    },
  });
  server.cutAt = null;
  const starts = server.requests.slice(first).map((r) => r.start);
  assert.equal(starts.length, 2, `two requests: ${starts.join(', ')}`);
  assert.ok(starts[0]! > 0 && starts[0]! <= 400_000 && starts[1]! > 400_000 && starts[1]! <= 800_000, `resumed at ${starts.join(', ')}`);
  assert.equal(pulled.status, 'ready');
  assert.equal(createHash('sha256').update(readFileSync(pulled.path)).digest('hex'), storiesHash);
  assert.deepEqual({ ...pulled.provenance, downloadedAt: 0 }, { url: server.url('/pinned/stories260K.gguf'), sha256: storiesHash, check: 'pinned', expectedSha256: storiesHash, downloadedAt: 0 });
  const [listed] = await models.list();
  assert.equal(listed?.provenance?.sha256, storiesHash, 'models list shows the hash');
  assert.equal(listed?.provenance?.check, 'pinned');
});

test('a download whose sha256 is not the pinned one is set aside, said plainly, and kept only when the user accepts it', async (t) => {
  if (!requireShared(t, storiesPath)) return;
  const models = manager();
  await rejectsWith(
    models.pull('wrong-story'),
    'model-hash-mismatch',
    new RegExp(`tiny-story\\.gguf does not match the sha256 pinned for it: expected ${wrongHash}, got ${storiesHash}\\. .*not used.*\`cairn models pull wrong-story --accept-hash\` keeps it`),
  );
  assert.equal(existsSync(join(models.dir, 'tiny-story.gguf')), false, 'not in the models directory');
  assert.equal(await models.find('wrong-story'), undefined);
  const listed = await models.list();
  assert.deepEqual(listed.map((m) => [m.name, m.status]), [['tiny-story.gguf', 'invalid']]);
  assert.match(listed[0]!.problem!, new RegExp(`sha256 ${storiesHash}, not the pinned ${wrongHash}.*--accept-hash`));

  // Accepted: the file set aside is used as it is, without downloading it again.
  const requests = server.requests.length;
  const kept = await models.pull('wrong-story', { acceptHash: true });
  assert.equal(server.requests.length, requests, 'nothing downloaded');
  assert.equal(kept.status, 'ready');
  assert.equal(kept.alreadyPresent, false);
  assert.deepEqual({ ...kept.provenance, downloadedAt: 0 }, { url: server.url('/wrong/tiny-story.gguf'), sha256: storiesHash, check: 'accepted', expectedSha256: wrongHash, downloadedAt: 0 });
  assert.equal((await models.find('wrong-story'))?.provenance?.check, 'accepted');
  assert.deepEqual(readdirSync(models.partialDir), []);
});

test('pulling again without accepting downloads again; rm deletes what was set aside and its record', async (t) => {
  if (!requireShared(t, storiesPath)) return;
  const models = manager();
  await rejectsWith(models.pull('wrong-story'), 'model-hash-mismatch');
  const requests = server.requests.length;
  await rejectsWith(models.pull('wrong-story'), 'model-hash-mismatch');
  assert.equal(server.requests.length, requests + 1, 'downloaded again');
  assert.equal((await models.remove('wrong-story')).length, 2, 'the file set aside and its description');
  assert.deepEqual(await models.list(), []);
  assert.deepEqual(readdirSync(models.partialDir), []);

  // Accepting up front: the mismatch is still reported on the model, and it is kept.
  const kept = await models.pull('wrong-story', { acceptHash: true });
  assert.equal(kept.provenance?.check, 'accepted');
  await models.remove('wrong-story');
  assert.deepEqual(await models.list(), []);
});

test('without a pinned hash the download records its own; a URL can be pulled against a given sha256', async (t) => {
  if (!requireShared(t, storiesPath)) return;
  const models = manager();
  const url = server.url('/free/stories260K.gguf');
  await rejectsWith(models.pull(url, { sha256: wrongHash }), 'model-hash-mismatch', new RegExp(`expected ${wrongHash}, got ${storiesHash}.*\`cairn models pull ${url.replace(/[.:/]/g, '.')} --accept-hash\``));
  await models.remove('stories260K.gguf');
  const pulled = await models.pull(url);
  assert.deepEqual({ ...pulled.provenance, downloadedAt: 0 }, { url, sha256: storiesHash, check: 'recorded', expectedSha256: null, downloadedAt: 0 });
  assert.ok(pulled.provenance!.downloadedAt > 0);
  // The record survives a restart (it is on disk), and goes with the model.
  const again = new ModelManager({ dir: models.dir, catalog: models.catalog });
  assert.equal((await again.find('stories260K.gguf'))?.provenance?.sha256, storiesHash);
  await again.remove('stories260K.gguf');
  const imported = await again.import(storiesPath);
  assert.equal(imported.provenance, null, 'a file imported by hand has no download record');
});

test('a sha256 given for a URL must be 64 hex digits', async () => {
  const models = manager();
  await rejectsWith(models.pull(server.url('/free/stories260K.gguf'), { sha256: 'abc' }), 'usage', /64 hexadecimal digits/);
});
