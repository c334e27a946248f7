// OCR as a job of its own in the persistent queue: scans and photos become searchable and citable
// by page, marked as OCR text; OCR can be off; text documents never wait behind it; a process
// killed in the middle of a document resumes without reading a page twice.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EngineEvent } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { sourceLocation } from '../../app/chat/prompt.ts';
import { scannedPdf, scanPng } from '../fixtures/scan.ts';
import { buildPdf } from '../fixtures/pdf.ts';
import { tempDir } from '../support/corpus.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';

const scripted = new URL('../fixtures/scripted-ocr-worker.ts', import.meta.url);

test('words that exist only in a scan or a photo are found, cited by page and marked as OCR text', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'lease.pdf'), scannedPdf([{ lines: ['Tenancy agreement'] }, { lines: ['The tenant keeps a pet quokka', 'in the garden shed.'] }]));
  writeFileSync(join(dir, 'receipt.png'), scanPng({ lines: ['CORNER GROCER', 'Kumquats 3.20'] }));
  writeFileSync(join(dir, 'notes.pdf'), buildPdf({ pages: [['Typed notes about the quokka']] }));
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null });
  try {
    engine.add([dir]);
    await engine.index();
    const quokka = await engine.search({ query: 'quokka garden shed', mode: 'bm25' });
    const scan = quokka.hits.find((h) => h.uri.endsWith('lease.pdf'));
    assert.ok(scan, JSON.stringify(quokka.hits.map((h) => h.uri)));
    assert.equal(scan.page, 2);
    assert.equal(scan.ocr, true);
    assert.equal(sourceLocation(scan), 'lease.pdf, p. 2, OCR text');
    const typed = quokka.hits.find((h) => h.uri.endsWith('notes.pdf'));
    assert.ok(typed && typed.ocr === undefined, 'text from a text layer is not marked');
    const kumquats = await engine.search({ query: 'kumquats', mode: 'bm25' });
    assert.deepEqual(kumquats.hits.map((h) => [h.uri.split('/').at(-1), h.page, h.ocr]), [['receipt.png', 1, true]]);
    const status = engine.status();
    assert.deepEqual(status.ocr, { enabled: true, languages: ['eng'], pagesWaiting: 0, documentsWaiting: 0, pagesFailed: 0 });
    assert.equal(status.documents.indexed, 3);
    // The line boxes are kept with the page, for highlighting.
    const lines = engine.library.db.prepare('SELECT page, lines, width FROM ocr_pages ORDER BY page').all() as { page: number; lines: string; width: number }[];
    assert.ok(lines.length === 3 && lines.every((l) => (JSON.parse(l.lines) as unknown[]).length > 0 && l.width > 0));
  } finally {
    await engine.close();
  }
});

test('with OCR off, scans wait as skipped with the reason; switched on, the next index reads them', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'scan.pdf'), scannedPdf([{ lines: ['one'] }, { lines: ['two'] }]));
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null, ocrWorkerScript: scripted });
  try {
    engine.setOcrSettings({ enabled: false });
    engine.add([dir]);
    await engine.index();
    assert.deepEqual(engine.status().problems.map((p) => [p.code, p.reason]), [
      ['ocr-off', 'PDF has no text layer (scanned or image-only); 2 pages: waiting for OCR, which is off (Settings, or `cairn ocr on`)'],
    ]);
    assert.equal(engine.status().ocr?.pagesWaiting, 2);
    engine.setOcrSettings({ enabled: true });
    await engine.index();
    assert.deepEqual(engine.status().problems, []);
    const hits = await engine.search({ query: 'scripted', mode: 'bm25' });
    assert.deepEqual(hits.hits.map((h) => h.page).sort(), [1, 2]);
    assert.equal(engine.status().ocr?.pagesWaiting, 0);
  } finally {
    await engine.close();
  }
});

test('a scan attached to an email is read by OCR from the bytes kept with its job', async () => {
  const dir = tempDir();
  const scan = Buffer.from(scannedPdf([{ lines: ['attached'] }])).toString('base64');
  writeFileSync(join(dir, 'mail.eml'), [
    'From: alice@example.com', 'To: bob@example.com', 'Subject: The signed form', 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain', '', 'Signed form attached.',
    '--b1', 'Content-Type: application/pdf; name="form.pdf"', 'Content-Disposition: attachment; filename="form.pdf"',
    'Content-Transfer-Encoding: base64', '', scan, '--b1--', '',
  ].join('\r\n'));
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null, ocrWorkerScript: scripted });
  try {
    engine.add([dir]);
    await engine.index();
    const hits = (await engine.search({ query: 'scripted', mode: 'bm25' })).hits;
    assert.deepEqual(hits.map((h) => [h.uri.replace(dir, ''), h.page, h.ocr, h.text]), [['/mail.eml#attachment-1-form.pdf', 1, true, 'scripted page 1 of attachment']]);
    assert.equal(engine.library.db.prepare('SELECT count(*) FROM job_blobs').pluck().get(), 0, 'the bytes left with the job');
  } finally {
    await engine.close();
  }
});

test('text documents added while OCR runs are indexed before the remaining pages', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'long-scan.pdf'), scannedPdf(Array.from({ length: 6 }, (_, i) => ({ lines: [`page ${i + 1}`], height: 200 }))));
  const later = tempDir();
  const memoPath = join(later, 'memo.md');
  writeFileSync(memoPath, '# Memo\n\nThe ferry leaves at nine.\n');
  let addedAt: number | null = null;
  const seen: { page: number; memo: boolean }[] = [];
  // Events only come while index() runs, when `engine` is set.
  const onEvent = (e: EngineEvent) => {
    // Progress of OCR pages (the run also says when it scans and reads the memo meanwhile).
    if (e.type !== 'progress' || !e.ocrPagesDone || e.stage !== 'ocr') return;
    if (addedAt === null) {
      addedAt = e.ocrPagesDone;
      engine.add([later]); // as a watched folder would, while OCR is running
    } else {
      seen.push({ page: e.ocrPagesDone, memo: engine.library.documents.fileState(memoPath) !== null });
    }
  };
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null, ocrWorkerScript: scripted, onEvent });
  try {
    engine.add([dir]);
    await engine.index();
    assert.ok(addedAt !== null && addedAt < 5, `added after page ${addedAt}`);
    assert.ok(seen.length > 0 && seen.every((s) => s.memo), `memo indexed at each OCR page after it was added: ${JSON.stringify(seen)}`);
    assert.ok(seen[0]!.page === addedAt + 1 || seen[0]!.page < 6);
    assert.equal((await engine.search({ query: 'ferry', mode: 'bm25' })).hits.length, 1);
    assert.equal(engine.status().ocr?.pagesWaiting, 0);
  } finally {
    await engine.close();
  }
});

test('killed in the middle of OCR, the next run finishes the document without reading a page twice', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'archive.pdf'), scannedPdf(Array.from({ length: 8 }, (_, i) => ({ lines: [`page ${i + 1}`], height: 200 }))));
  const dbPath = join(tempDir(), 'library.db');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'ocr-kill-child.ts'), dbPath, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.setEncoding('utf8').on('data', (data: string) => {
      if (/^ocr 3$/m.test(data)) child.kill('SIGKILL');
      if (/^finished$/m.test(data)) reject(new Error('OCR finished before the process could be killed'));
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited with ${signal}`))));
  });

  const pagesRead = () => (engine.library.db.prepare('SELECT page FROM ocr_pages ORDER BY page').pluck().all() as number[]);
  let readAgain = 0;
  const engine = await Engine.open({
    dbPath, embedder: null, ocrWorkerScript: scripted,
    onEvent: (e) => {
      if (e.type === 'progress' && e.ocrPagesDone !== undefined) readAgain = e.ocrPagesDone;
    },
  });
  try {
    const before = pagesRead();
    assert.ok(before.length >= 3 && before.length < 8, `pages read before the kill: ${before}`);
    assert.equal(engine.status().ocr?.pagesWaiting, 8 - before.length);
    await engine.index();
    assert.deepEqual(pagesRead(), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(readAgain, 8 - before.length, 'only the pages not read before were read');
    const chunks = engine.library.db.prepare('SELECT page, count(*) AS n FROM chunks WHERE ocr = 1 GROUP BY page ORDER BY page').all() as { page: number; n: number }[];
    assert.deepEqual(chunks, [1, 2, 3, 4, 5, 6, 7, 8].map((page) => ({ page, n: 1 })), 'each page once');
    assert.equal(engine.status().pendingJobs, 0);
  } finally {
    await engine.close();
  }
});

test('a run whose text jobs another run holds goes on to OCR instead of waiting on them', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  for (let i = 0; i < 6; i++) writeFileSync(join(dir, `note${i}.md`), `# Note ${i}\n\nPier ${i} needs paint.\n`);
  class SlowEmbedder extends FakeEmbedder {
    override async embed(texts: string[]): Promise<Float32Array[]> {
      await new Promise((r) => setTimeout(r, 50));
      return super.embed(texts);
    }
  }
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: new SlowEmbedder(), ocrWorkerScript: scripted, ingest: { batchChunks: 1 } });
  try {
    engine.add([dir]);
    // The second run finds the files claimed by the first (running, not queued): it must not spin on them.
    await Promise.all([engine.index(), engine.index()]);
    assert.equal(engine.status().documents.indexed, 6);
  } finally {
    await engine.close();
  }
});
