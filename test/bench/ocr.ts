// (o) OCR accuracy and speed, with no scans at hand that come with the true text: pages that have a
// text layer (the shared PDFs) are rendered to images at 150 and 300 dpi and read by OCR, and the
// character error rate is measured against their text layer; Chinese pages are typeset here from
// ocr-zh.txt with a CJK font from Debian (fonts-noto-cjk or fonts-wqy-microhei). Then every page
// of the shared PDF set that has no usable text layer is read, for the share of PDFs that yield text.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { ExtractorPool } from '../../app/extract/index.ts';
import { pageText } from '../../app/extract/pdf-reader.ts';
import { OcrWorker, type OcrLanguage } from '../../app/ocr/index.ts';
import { cjkFont } from '../fixtures/scan.ts';
import { evalDir } from '../support/shared.ts';
import { characterErrorRate } from './cer.ts';
import { atMost, info, report, type Figure } from './report.ts';
import { benchScale } from './scale.ts';

const scale = benchScale();
const pdfs = join(evalDir, 'pdfs');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface BenchPage { id: string; dpi: number; png: Uint8Array; truth: string; cjk: boolean }

/** A page of a PDF with a text layer, rendered at `dpi`, and its text layer as pdf.js reads it. */
async function pdfPage(file: string, number: number, dpi: number): Promise<BenchPage> {
  const pdf = await getDocument({ data: new Uint8Array(readFileSync(join(pdfs, file))), verbosity: VerbosityLevel.ERRORS }).promise;
  const page = await pdf.getPage(number);
  const truth = pageText((await page.getTextContent()).items);
  const viewport = page.getViewport({ scale: dpi / 72 });
  const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  await page.render({ canvas: canvas as never, canvasContext: context as never, viewport }).promise;
  await pdf.loadingTask.destroy();
  return { id: `${file.replace(/\.pdf$/, '').slice(0, 12)} p${number} @${dpi}`, dpi, png: canvas.toBuffer('image/png'), truth, cjk: false };
}

/** Chinese paragraphs typeset on A4 pages (11 pt, 1.6 line spacing), as images at `dpi`, with their lines as truth. */
function chinesePages(font: string, dpi: number): BenchPage[] {
  const paragraphs = readFileSync(join(import.meta.dirname, 'ocr-zh.txt'), 'utf8').trim().split('\n');
  const s = dpi / 72;
  const width = Math.round(8.27 * dpi);
  const height = Math.round(11.69 * dpi);
  const margin = 72 * s;
  const size = 11 * s;
  const pages: { lines: string[] }[] = [{ lines: [] }];
  const measure = createCanvas(10, 10).getContext('2d');
  measure.font = `${size}px ${font}`;
  let y = margin;
  for (const paragraph of paragraphs) {
    let line = '';
    const flush = () => {
      if (y + size * 1.6 > height - margin) {
        pages.push({ lines: [] });
        y = margin;
      }
      pages.at(-1)!.lines.push(line);
      y += size * 1.6;
      line = '';
    };
    for (const ch of paragraph) {
      // A line does not start with closing punctuation (the usual rule of Chinese typesetting).
      if (measure.measureText(line + ch).width > width - 2 * margin && !/[，。、；：！？）》」]/.test(ch)) flush();
      line += ch;
    }
    if (line) flush();
    y += size * 0.6;
  }
  return pages.map((page, i) => {
    const canvas = createCanvas(width, height);
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, width, height);
    context.fillStyle = '#000';
    context.font = `${size}px ${font}`;
    context.textBaseline = 'top';
    let at = margin;
    for (const line of page.lines) {
      context.fillText(line, margin, at);
      at += size * 1.6;
    }
    return { id: `zh p${i + 1} @${dpi}`, dpi, png: canvas.toBuffer('image/png'), truth: page.lines.join('\n'), cjk: true };
  });
}

async function readAll(worker: OcrWorker, pages: BenchPage[], languages: OcrLanguage[]) {
  const results: { page: BenchPage; cer: number; cpu: number; wall: number }[] = [];
  for (const page of pages) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const outcome = await worker.readPage({ source: { bytes: page.png }, hash: sha256(page.png), page: 1, languages }, 600_000);
    const cpu = process.cpuUsage(cpu0);
    const wall = (performance.now() - t0) / 1000;
    if (!outcome.ok) throw new Error(`${page.id}: ${outcome.reason}`);
    const cer = characterErrorRate(page.truth, outcome.result.text, { cjk: page.cjk });
    results.push({ page, cer, cpu: (cpu.user + cpu.system) / 1e6, wall });
    console.log(`${page.id.padEnd(24)} CER ${(cer * 100).toFixed(2).padStart(6)} %   ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU   ${wall.toFixed(1)} s`);
  }
  return results;
}

const figures: Figure[] = [];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const worker = new OcrWorker();
try {
  // Pages of running prose: the two-column paper and the single-column one (title pages and
  // figure pages are left out: there the text layer's reading order is not the page's).
  const english: [string, number][] = scale.name === 'small'
    ? [['tracemonkey.pdf', 2]]
    : [['tracemonkey.pdf', 1], ['tracemonkey.pdf', 2], ['attention-is-all-you-need-1706.03762v7.pdf', 2]];
  for (const dpi of [150, 300]) {
    const pages = await Promise.all(english.map(([file, n]) => pdfPage(file, n, dpi)));
    // A warm-up page first: loading Tesseract and its language is not per-page time.
    await worker.readPage({ source: { bytes: pages[0]!.png }, hash: sha256(pages[0]!.png), page: 1, languages: ['eng'] }, 600_000);
    const results = await readAll(worker, pages, ['eng']);
    const cer = mean(results.map((r) => r.cer)) * 100;
    figures.push(dpi === 300 ? atMost(`OCR CER, clean English pages, ${dpi} dpi`, cer, '%', 3) : info(`OCR CER, clean English pages, ${dpi} dpi`, cer, '%'));
    const cpu = mean(results.map((r) => r.cpu));
    figures.push(info(`OCR English ${dpi} dpi: pages/minute on 2 cores (2 workers, from CPU time)`, (2 * 60) / cpu, 'pages/min'));
    figures.push(info(`OCR English ${dpi} dpi: pages/minute, 1 worker, wall clock here`, 60 / mean(results.map((r) => r.wall)), 'pages/min'));
  }

  const font = cjkFont();
  if (!font) {
    console.error('No CJK font (apt-get install fonts-noto-cjk or fonts-wqy-microhei): the Chinese figures are left out.');
  } else {
    for (const dpi of [150, 300]) {
      const pages = chinesePages(font, dpi).slice(0, scale.name === 'small' ? 1 : undefined);
      await worker.readPage({ source: { bytes: pages[0]!.png }, hash: sha256(pages[0]!.png), page: 1, languages: ['chi_sim', 'eng'] }, 600_000);
      const results = await readAll(worker, pages, ['chi_sim', 'eng']);
      const cer = mean(results.map((r) => r.cer)) * 100;
      figures.push(dpi === 300 ? atMost(`OCR CER, clean Chinese pages, ${dpi} dpi`, cer, '%', 8) : info(`OCR CER, clean Chinese pages, ${dpi} dpi`, cer, '%'));
      figures.push(info(`OCR Chinese ${dpi} dpi: pages/minute on 2 cores (2 workers, from CPU time)`, (2 * 60) / mean(results.map((r) => r.cpu)), 'pages/min'));
    }
  }

  // The shared PDF set: which yield text from their text layer, and which after OCR.
  const pool = new ExtractorPool({ workers: 1 });
  let withText = 0;
  let withOcr = 0;
  let total = 0;
  try {
    for (const file of readdirSync(pdfs).filter((f) => f.endsWith('.pdf')).sort()) {
      total++;
      const path = join(pdfs, file);
      const result = await pool.extractFile(path);
      if (!result.ok) continue;
      if (result.doc.sections.length > 0) {
        withText++;
        continue;
      }
      let found = '';
      for (const page of result.doc.ocr?.pages ?? []) {
        const outcome = await worker.readPage({ source: { path }, hash: result.hash!, page, languages: ['eng'] }, 120_000);
        if (outcome.ok) found += outcome.result.text;
      }
      console.log(`${file.padEnd(40)} OCR: ${found.trim() ? JSON.stringify(found.trim().slice(0, 60)) : 'no text'}`);
      if (found.trim()) withOcr++;
    }
  } finally {
    await pool.close();
  }
  figures.push(info(`shared PDFs yielding text from their text layer (of ${total})`, (withText / total) * 100, '%'));
  figures.push(info(`shared PDFs yielding text with OCR (of ${total})`, ((withText + withOcr) / total) * 100, '%'));
  figures.push(info('OCR bench process peak memory (RSS)', Math.round(process.resourceUsage().maxRSS / 1024), 'MB'));
} finally {
  await worker.close();
}
report(figures);
