// The shared robustness corpus (../shared/eval): every PDF and every email must come out of the
// pool as a document or as a clear reason why not, with no crash, hang or unhandled rejection.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { ExtractorPool, type FileExtraction } from '../../app/extract/index.ts';
import { evalDir, requireShared } from '../support/shared.ts';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name !== 'LICENSE')
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function outcome(result: FileExtraction): string {
  if (!result.ok) return `${result.status}/${result.code}`;
  return result.doc.sections.length === 0 ? 'ocr-only' : result.doc.ocr ? 'ok+ocr' : 'ok';
}

/** Asserts a result is a document or a problem with a reason; returns it for the table. */
function assertSettled(name: string, result: FileExtraction): void {
  if (result.ok) return;
  assert.ok(['failed', 'skipped'].includes(result.status), `${name}: status ${result.status}`);
  assert.ok(result.reason.trim().length > 0, `${name}: empty reason`);
}

function tally(results: Map<string, FileExtraction>): string {
  const counts = new Map<string, number>();
  for (const r of results.values()) counts.set(outcome(r), (counts.get(outcome(r)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}: ${n}`).join(', ');
}

/** Runs `body` and fails if any promise rejection went unhandled meanwhile. */
async function withoutUnhandledRejections(body: () => Promise<void>): Promise<void> {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  try {
    await body();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  assert.deepEqual(rejections, []);
}

test('every shared PDF extracts or fails with a reason', async (t) => {
  const dir = requireShared(t, join(evalDir, 'pdfs'));
  if (!dir) return;
  const files = (await filesUnder(dir)).filter((f) => f.endsWith('.pdf'));
  assert.ok(files.length >= 38, `expected the shared PDFs, found ${files.length}`);
  const results = new Map<string, FileExtraction>();
  const pool = new ExtractorPool({ workers: 1, limits: { timeoutMs: 60_000 } });
  await withoutUnhandledRejections(async () => {
    try {
      for (const path of files) results.set(relative(dir, path), await pool.extractFile(path));
    } finally {
      await pool.close();
    }
  });

  for (const [name, result] of results) {
    assertSettled(name, result);
    const ocr = result.ok && result.doc.ocr ? `, ${result.doc.ocr.pages.length} for OCR` : '';
    console.log(`${name.padEnd(46)} ${outcome(result).padEnd(18)} ${result.ok ? `${new Set(result.doc.sections.map((s) => s.page)).size} page(s) with text${ocr}` : result.reason}`);
  }
  console.log(`PDFs: ${results.size} (${tally(results)})`);

  const tracemonkey = results.get('tracemonkey.pdf')!;
  assert.ok(tracemonkey.ok, 'tracemonkey.pdf extracts');
  assert.deepEqual(tracemonkey.doc.sections.map((s) => s.page), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  assert.ok(tracemonkey.doc.sections.every((s) => s.text.length > 1000), 'every tracemonkey page has real text');
  assert.match(tracemonkey.doc.sections[0]!.text, /Trace-based Just-in-Time Type Specialization/);

  const attention = results.get('attention-is-all-you-need-1706.03762v7.pdf')!;
  assert.ok(attention.ok);
  assert.match(attention.doc.sections.map((s) => s.text).join('\n'), /Attention/);
  assert.equal(attention.doc.sections.length, 15);

  const codes = [...results.values()].map((r) => (r.ok ? 'ok' : r.code));
  assert.ok(codes.includes('encrypted'), 'at least one PDF is reported as password-protected');
  assert.ok([...results.values()].some((r) => r.ok && r.doc.sections.length === 0 && r.doc.ocr), 'the scans are left to OCR');
  assert.ok(codes.includes('damaged'), 'the broken files are reported as damaged');
  assert.ok(!codes.includes('timeout'), 'no PDF hangs');
});

test('every shared email and mailbox extracts, and so do their children', async (t) => {
  const dir = requireShared(t, join(evalDir, 'emails'));
  if (!dir) return;
  const files = await filesUnder(dir);
  assert.ok(files.length >= 53, `expected the shared emails, found ${files.length}`);
  const results = new Map<string, FileExtraction>();
  const childResults = new Map<string, FileExtraction>();
  const pool = new ExtractorPool({ workers: 2, limits: { timeoutMs: 60_000 } });
  await withoutUnhandledRejections(async () => {
    try {
      await Promise.all(files.map(async (path) => {
        const result = await pool.extractFile(path);
        results.set(relative(dir, path), result);
        // Attachments, embedded messages and mbox messages, one level down.
        for (const child of result.ok ? result.doc.children : []) {
          childResults.set(`${relative(dir, path)}#${child.key}`, await pool.extractChild(child));
        }
      }));
    } finally {
      await pool.close();
    }
  });

  for (const [name, result] of [...results].sort(([a], [b]) => a.localeCompare(b))) {
    assertSettled(name, result);
    const detail = result.ok ? `${result.doc.kind}, ${result.doc.children.length} child(ren): ${result.doc.title}` : result.reason;
    console.log(`${name.padEnd(58)} ${outcome(result).padEnd(8)} ${detail.slice(0, 70)}`);
  }
  for (const [name, result] of childResults) assertSettled(name, result);
  console.log(`Emails: ${results.size} (${tally(results)}); children: ${childResults.size} (${tally(childResults)})`);

  assert.ok([...results.values()].every((r) => r.ok), 'every message parses');
  for (const mbox of ['content-length.mbox.txt', 'issue1189.mbox.txt', 'simple.mbox.txt', 'unmunged.mbox.txt']) {
    const result = results.get(join('mimekit', 'mbox', mbox));
    assert.ok(result?.ok, mbox);
    assert.ok(result.doc.children.length > 1, `${mbox} splits into messages`);
  }
  const japanese = results.get(join('mimekit', 'messages', 'japanese.txt'));
  assert.ok(japanese?.ok && japanese.doc.kind === 'email');
  assert.equal(japanese.doc.title, '日本語メールテスト (testing Japanese emails)');
  assert.match(japanese.doc.sections[0]!.text, /日本語が\n正常に\n送れているか/);
  const mboxMessages = [...childResults].filter(([name]) => name.includes('/mbox/'));
  assert.ok(mboxMessages.length >= 38 && mboxMessages.every(([, r]) => r.ok && r.doc.kind === 'email'), 'mbox messages read as emails');
});
