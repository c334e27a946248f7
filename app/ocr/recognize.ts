// Reads the text of one page image with Tesseract (tesseract.js, WebAssembly: no native binary,
// no download) and lays it out as Cairn keeps it: paragraphs apart by blank lines, each line with
// its offsets in the page text and its box on the image, for highlighting later.
import { fileURLToPath } from 'node:url';
import { createWorker, OEM, type Worker } from 'tesseract.js';
import { isOcrLanguage, type OcrLanguage } from './languages.ts';

/** A line of the page text: [start, end) in the text, and its box in image pixels. */
export interface OcrLine {
  start: number;
  end: number;
  box: [x0: number, y0: number, x1: number, y1: number];
}

export interface OcrText {
  text: string;
  lines: OcrLine[];
  /** Tesseract's mean word confidence, 0–100. */
  confidence: number;
}

/** Tesseract, loaded once with the languages asked for; loaded again when they change. */
export class TesseractReader {
  #worker: Worker | null = null;
  #languages = '';

  async read(image: Buffer, languages: OcrLanguage[]): Promise<OcrText> {
    const missing = languages.filter((l) => !isOcrLanguage(l));
    if (missing.length) throw new Error(`OCR language not installed: ${missing.join(', ')}`);
    const worker = await this.#workerFor(languages);
    const { data } = await worker.recognize(image, {}, { text: true, blocks: true });
    return layout(data.blocks ?? [], data.confidence);
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    await worker?.terminate();
  }

  async #workerFor(languages: OcrLanguage[]): Promise<Worker> {
    const key = languages.join('+');
    if (this.#worker && this.#languages === key) return this.#worker;
    await this.close();
    const worker = await createWorker(languages, OEM.LSTM_ONLY, {
      workerPath: fileURLToPath(new URL('./tesseract-worker.ts', import.meta.url)),
      langPath: 'cairn', // any non-URL: our worker's adapter finds each language's package
      cacheMethod: 'none',
      gzip: true,
      logger: () => {},
      // The failed job's promise rejects either way; without a handler tesseract.js also throws
      // out of its message listener, which would end this whole thread.
      errorHandler: () => {},
    });
    // Automatic page segmentation: columns are read one after the other, not line by line across.
    // Tesseract's diagnostics ("Estimating resolution as 285") would reach the terminal: sent nowhere.
    await worker.setParameters({ tessedit_pageseg_mode: '3' as never, debug_file: '/dev/null' } as never);
    this.#worker = worker;
    this.#languages = key;
    return worker;
  }
}

interface Block { paragraphs?: { lines?: { text: string; confidence: number; bbox: { x0: number; y0: number; x1: number; y1: number } }[] }[] }

/**
 * Lines Tesseract is less sure of than this are dropped: on drawings, barcodes and scripts it has
 * no language for, it "reads" short runs of symbols (I<, XIN] |X|) at 25–30.
 */
export const MIN_LINE_CONFIDENCE = 30;

/** Paragraphs joined by blank lines, lines by new lines, spaces Tesseract puts between CJK characters removed. */
export function layout(blocks: Block[], confidence: number): OcrText {
  let text = '';
  const lines: OcrLine[] = [];
  for (const block of blocks) {
    for (const paragraph of block.paragraphs ?? []) {
      let first = true;
      for (const line of paragraph.lines ?? []) {
        const clean = tidy(line.text);
        if (!clean || line.confidence < MIN_LINE_CONFIDENCE) continue;
        if (text) text += first ? '\n\n' : '\n';
        first = false;
        lines.push({ start: text.length, end: text.length + clean.length, box: [line.bbox.x0, line.bbox.y0, line.bbox.x1, line.bbox.y1] });
        text += clean;
      }
    }
  }
  return { text, lines, confidence: Math.round(confidence * 10) / 10 };
}

const cjk = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\u3000-\\u303f\\uff00-\\uffef';
// Spaces between CJK characters, and around punctuation next to them, are Tesseract's, not the text's.
const cjkSpace = new RegExp(`(?<=[${cjk}]) +(?=[${cjk},.:;!?)])`, 'gu');
const cjkPunctuationSpace = new RegExp(`(?<=[${cjk}][,.:;!?(]) +(?=[${cjk}])`, 'gu');

function tidy(line: string): string {
  return line.replace(/\s+/g, ' ').trim().replace(cjkSpace, '').replace(cjkPunctuationSpace, '');
}
