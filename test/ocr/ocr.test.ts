// OCR of rendered pages with known text, English and Chinese, through the real worker thread and
// Tesseract with the installed language data: what it reads, the line boxes, the time limit.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OcrWorker } from '../../app/ocr/index.ts';
import { characterErrorRate } from '../bench/cer.ts';
import { cjkFont, CJK_FONTS, scannedPdf, scanPng } from '../fixtures/scan.ts';
import { tempDir } from '../support/corpus.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const english = ['Invoice 2025-117 from Harbour Supplies', 'Two brass lanterns, delivered on 3 March', 'Total due within thirty days: 418.50 EUR'];

test('an English page image is read with its lines and their boxes', async () => {
  const png = scanPng({ lines: english, width: 1400 });
  const worker = new OcrWorker();
  try {
    const outcome = await worker.readPage({ source: { bytes: png }, hash: sha256(png), page: 1, languages: ['eng'] }, 120_000);
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
    const { text, lines, width, height } = outcome.result;
    assert.ok(characterErrorRate(english.join('\n'), text) <= 0.03, `CER too high for: ${text}`);
    assert.equal(lines.length, 3);
    for (const line of lines) {
      assert.ok(line.start < line.end && line.end <= text.length);
      const [x0, y0, x1, y1] = line.box;
      assert.ok(x0 >= 0 && y0 >= 0 && x1 <= width && y1 <= height && x0 < x1 && y0 < y1, JSON.stringify(line));
    }
    assert.match(text.slice(lines[2]!.start, lines[2]!.end), /418\.50/);
  } finally {
    await worker.close();
  }
});

test('a page of a scanned PDF is rendered and read; its file is read from disk and checked against its hash', async () => {
  const pdf = scannedPdf([{ lines: ['First page'] }, { lines: ['The lighthouse keeper', 'counts seventeen gulls'] }]);
  const path = join(tempDir(), 'scan.pdf');
  writeFileSync(path, pdf);
  const worker = new OcrWorker();
  try {
    const outcome = await worker.readPage({ source: { path }, hash: sha256(pdf), page: 2, languages: ['eng'] }, 120_000);
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
    assert.match(outcome.result.text, /The lighthouse keeper\s+counts seventeen gulls/);
    const changed = await worker.readPage({ source: { path }, hash: sha256(new Uint8Array([1])), page: 1, languages: ['eng'] }, 120_000);
    assert.deepEqual(changed, { ok: false, code: 'changed', reason: 'The file changed since it was indexed' });
  } finally {
    await worker.close();
  }
});

test('a Chinese page is read with chi_sim, without the spaces Tesseract puts between characters', async (t) => {
  const font = cjkFont();
  if (!font) {
    const message = `MISSING CJK FONT: none of ${CJK_FONTS.join(', ')} (apt-get install fonts-wqy-microhei)`;
    if (process.env.CI) throw new Error(message);
    console.warn(`\n*** ${message}: skipping ***\n`);
    return t.skip(message);
  }
  const chinese = ['租赁合同的主要条款', '每月租金为人民币四千五百元，', '承租方应当在每月五日之前支付。'];
  const png = scanPng({ lines: chinese, font, fontPx: 26, width: 900 }); // about 11 pt at 150 dpi
  const worker = new OcrWorker();
  try {
    const outcome = await worker.readPage({ source: { bytes: png }, hash: sha256(png), page: 1, languages: ['chi_sim', 'eng'] }, 120_000);
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
    const rate = characterErrorRate(chinese.join('\n'), outcome.result.text, { cjk: true });
    assert.ok(rate <= 0.08, `CER ${rate} for: ${outcome.result.text}`);
    assert.match(outcome.result.text, /租金/);
    assert.doesNotMatch(outcome.result.text, /[\u4e00-\u9fff] [\u4e00-\u9fff]/);
  } finally {
    await worker.close();
  }
});

test('a page over the time limit is stopped, and the next page gets a fresh worker', async () => {
  const png = scanPng({ lines: english });
  const worker = new OcrWorker();
  try {
    const slow = await worker.readPage({ source: { bytes: png }, hash: sha256(png), page: 1, languages: ['eng'] }, 1);
    assert.equal(slow.ok, false);
    assert.equal(!slow.ok && slow.code, 'timeout');
    const next = await worker.readPage({ source: { bytes: png }, hash: sha256(png), page: 1, languages: ['eng'] }, 120_000);
    assert.ok(next.ok && /Harbour Supplies/.test(next.result.text));
  } finally {
    await worker.close();
  }
});

test('OCR never downloads: a language that is not installed fails instead of being fetched', async () => {
  const png = scanPng({ lines: ['Bonjour'] });
  const worker = new OcrWorker();
  try {
    const outcome = await worker.readPage({ source: { bytes: png }, hash: sha256(png), page: 1, languages: ['fra' as never] }, 60_000);
    assert.equal(outcome.ok, false);
    assert.match(!outcome.ok ? outcome.reason : '', /not installed: fra/);
  } finally {
    await worker.close();
  }
});
