// OCR's setting through the contract (settings.get / settings.update), the same one `cairn ocr`
// changes: bad values are refused with a clear error and nothing is stored; off, scans wait and a
// run under way stops reading after its page; on again, the pages waiting are read in the
// background with the languages chosen; the setting belongs to the library and outlives the service.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CairnError, type EngineEvent } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { ModelManager } from '../../app/llm/index.ts';
import { ocrSettings } from '../../app/ocr/index.ts';
import { scannedPdf, scanPng } from '../fixtures/scan.ts';
import { tempDir } from '../support/corpus.ts';
import { connectService, indexingDone, type Connected } from './support.ts';

const scripted = new URL('../fixtures/scripted-ocr-worker.ts', import.meta.url);

function open(dbPath: string): Promise<Connected> {
  return connectService({ dbPath, embedder: null, ocrWorkerScript: scripted, models: new ModelManager({ dir: tempDir() }) });
}

async function refused(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CairnError, `a CairnError, got ${String(error)}`);
    assert.equal(error.code, 'bad-params');
    assert.match(error.message, message);
    return true;
  });
}

/** Pages read by OCR so far, with the languages each was read in. */
function pagesRead(c: Connected): { page: number; languages: string }[] {
  return c.service.host.engine.library.db.prepare('SELECT page, languages FROM ocr_pages ORDER BY page').all() as { page: number; languages: string }[];
}

test('bad OCR settings are refused with a clear error, and nothing changes', async () => {
  const c = await open(join(tempDir(), 'library.db'));
  try {
    const { api } = c.client;
    const before = (await api.settings.get()).ocr;
    await refused(api.settings.update({ ocr: { languages: [] } }), /ocr\.languages.*at least one OCR language/);
    await refused(api.settings.update({ ocr: { languages: ['fra'] as never } }), /ocr\.languages/);
    await refused(api.settings.update({ ocr: { languages: ['eng', 'eng'] } }), /each OCR language once/);
    await refused(api.settings.update({ ocr: { pageTimeoutMs: 10 } }), /ocr\.pageTimeoutMs/);
    await refused(api.settings.update({ ocr: { enabled: 'no' as never } }), /ocr\.enabled/);
    assert.deepEqual((await api.settings.get()).ocr, before);
    assert.deepEqual(c.service.host.engine.ocrSettings(), before, 'the engine (and `cairn ocr`) read the same setting');
  } finally {
    await c.close();
  }
});

test('off, a scan waits unread; languages chosen meanwhile; on, it is read in the background with them', async () => {
  const dbPath = join(tempDir(), 'library.db');
  const dir = tempDir();
  writeFileSync(join(dir, 'receipt.png'), scanPng({ lines: ['Receipt'] }));
  const c = await open(dbPath);
  try {
    const { api } = c.client;
    const off = await api.settings.update({ ocr: { enabled: false } });
    assert.equal(off.ocr.enabled, false);
    await api.library.add({ paths: [dir] });
    await c.log.waitFor(indexingDone);
    let status = await api.library.status();
    assert.equal(status.ocr?.pagesWaiting, 1);
    assert.match(status.problems[0]?.reason ?? '', /waiting for OCR, which is off/);
    assert.deepEqual(pagesRead(c), []);

    // Languages changed while off: still nothing is read.
    const mark = c.log.events.length;
    const languages = await api.settings.update({ ocr: { languages: ['chi_sim', 'eng'] } });
    assert.deepEqual(languages.ocr, { ...off.ocr, languages: ['chi_sim', 'eng'] });
    assert.equal((await api.library.status()).ocr?.pagesWaiting, 1);
    assert.ok(!c.log.events.slice(mark).some((e) => e.type === 'progress' && e.stage === 'ocr'), 'no OCR while off');

    // On: no library.index call; the setting's change starts the run.
    await api.settings.update({ ocr: { enabled: true } });
    await c.log.next(indexingDone);
    assert.deepEqual(pagesRead(c), [{ page: 1, languages: 'chi_sim+eng' }]);
    status = await api.library.status();
    assert.equal(status.ocr?.pagesWaiting, 0);
    assert.deepEqual(status.problems, []);
    assert.equal((await api.search.query({ query: 'scripted', k: 3 })).hits[0]?.ocr, true);
  } finally {
    await c.close();
  }
});

test('switched off while OCR runs, the run stops after the page it is reading; the rest waits', async () => {
  const dir = tempDir();
  const pages = 12;
  writeFileSync(join(dir, 'long-scan.pdf'), scannedPdf(Array.from({ length: pages }, (_, i) => ({ lines: [`page ${i + 1}`], height: 200 }))));
  const c = await open(join(tempDir(), 'library.db'));
  try {
    const { api } = c.client;
    // The first page read: OCR is switched off through the contract, as the window does.
    const firstPage = c.log.waitFor((e: EngineEvent) => e.type === 'progress' && e.stage === 'ocr' && (e.ocrPagesDone ?? 0) >= 1);
    await api.library.add({ paths: [dir] });
    await firstPage;
    await api.settings.update({ ocr: { enabled: false } });
    await c.log.waitFor(indexingDone);
    const read = pagesRead(c).length;
    assert.ok(read >= 1 && read < pages, `${read} of ${pages} pages read`);
    const status = await api.library.status();
    assert.equal(status.ocr?.pagesWaiting, pages - read);
    assert.equal(status.pendingJobs, 1, 'the OCR job is back in the queue');
    // Another run (now, or once the one ending is over) reads nothing.
    const next = c.log.next(indexingDone);
    await api.library.index();
    await next;
    assert.equal(pagesRead(c).length, read, 'nothing more is read while off');
  } finally {
    await c.close();
  }
});

test('the OCR setting belongs to the library: it outlives the service, and `cairn ocr` (the engine) reads it', async () => {
  const dbPath = join(tempDir(), 'library.db');
  const first = await open(dbPath);
  const chosen = { enabled: false, languages: ['chi_sim', 'eng'] as const, pageTimeoutMs: 30_000 };
  try {
    const saved = await first.client.api.settings.update({ ocr: { ...chosen, languages: [...chosen.languages] } });
    assert.deepEqual(saved.ocr, chosen);
  } finally {
    await first.close();
  }
  const again = await open(dbPath);
  try {
    assert.deepEqual((await again.client.api.settings.get()).ocr, chosen);
  } finally {
    await again.close();
  }
  const engine = await Engine.open({ dbPath, embedder: null });
  try {
    assert.deepEqual(engine.ocrSettings(), chosen);
  } finally {
    await engine.close();
  }
  // Another library keeps its own (the default: on).
  const other = await open(join(tempDir(), 'other.db'));
  try {
    assert.equal((await other.client.api.settings.get()).ocr.enabled, true);
  } finally {
    await other.close();
  }
});

test('a stored OCR setting that no longer fits falls back field by field', () => {
  assert.deepEqual(ocrSettings({ enabled: false, languages: ['fra', 'chi_sim', 'chi_sim'] as never, pageTimeoutMs: -1 }, 'en-US'), { enabled: false, languages: ['chi_sim'], pageTimeoutMs: 120_000 });
  assert.deepEqual(ocrSettings({ languages: ['fra'] as never, enabled: 'yes' as never }, 'zh-CN'), { enabled: true, languages: ['chi_sim', 'eng'], pageTimeoutMs: 120_000 });
});
