// The image OCR reads for one page: a PDF page rendered by pdf.js on a Skia canvas at 300 dpi, a
// TIFF page decoded by UTIF, or an image file decoded by Skia (a GIF's first frame). Pages are
// drawn on white and kept under a pixel budget, so a poster-sized page cannot exhaust memory.
import { fileURLToPath } from 'node:url';
import { createCanvas, Image, type Canvas } from '@napi-rs/canvas';
import { getDocument, VerbosityLevel, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import UTIF from 'utif';
import { isTiff } from '../extract/image-reader.ts';

/** Rendering resolution: Tesseract reads body text best at about 300 dpi. */
export const OCR_DPI = 300;
/** Pixels one page image may have (about A3 at 300 dpi); larger pages are scaled down. */
export const MAX_PAGE_PIXELS = 5000 * 7000;

const pdfjsRoot = fileURLToPath(new URL('.', import.meta.resolve('pdfjs-dist/package.json')));

export interface PageImage {
  png: Buffer;
  width: number;
  height: number;
}

/** A document's pages as images; opened once for all the pages read from it. */
export class PageSource {
  readonly #bytes: Uint8Array;
  #pdf: Promise<PDFDocumentProxy> | null = null;
  #tiff: ReturnType<typeof UTIF.decode> | null = null;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get isPdf(): boolean {
    return Buffer.from(this.#bytes.buffer, this.#bytes.byteOffset, Math.min(1024, this.#bytes.byteLength)).includes('%PDF-');
  }

  async page(number: number): Promise<PageImage> {
    if (this.isPdf) return this.#pdfPage(number);
    if (isTiff(this.#bytes)) return this.#tiffPage(number);
    if (number !== 1) throw new Error(`an image has one page (asked for page ${number})`);
    const image = new Image();
    image.src = Buffer.from(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.byteLength);
    if (!image.complete || !image.width) throw new Error('the image cannot be decoded');
    const scale = fit(image.width, image.height, upscale(image.width, image.height));
    const canvas = whiteCanvas(image.width * scale, image.height * scale);
    canvas.getContext('2d').drawImage(image, 0, 0, canvas.width, canvas.height);
    return encode(canvas);
  }

  async close(): Promise<void> {
    const pdf = this.#pdf;
    this.#pdf = null;
    await (await pdf?.catch(() => null))?.loadingTask.destroy();
  }

  async #pdfPage(number: number): Promise<PageImage> {
    this.#pdf ??= getDocument({
      data: new Uint8Array(this.#bytes),
      verbosity: VerbosityLevel.ERRORS,
      cMapUrl: `${pdfjsRoot}cmaps/`,
      standardFontDataUrl: `${pdfjsRoot}standard_fonts/`,
      wasmUrl: `${pdfjsRoot}wasm/`,
      isOffscreenCanvasSupported: false,
      isImageDecoderSupported: false,
      enableXfa: false,
      stopAtErrors: false,
    }).promise;
    const pdf = await this.#pdf;
    const page = await pdf.getPage(number);
    try {
      const base = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({ scale: fit(base.width, base.height, OCR_DPI / 72) });
      const canvas = whiteCanvas(viewport.width, viewport.height);
      const canvasContext = canvas.getContext('2d');
      // pdf.js draws on any canvas with the 2D context API; Skia's is one.
      await page.render({ canvas: canvas as never, canvasContext: canvasContext as never, viewport }).promise;
      return encode(canvas);
    } finally {
      page.cleanup();
    }
  }

  #tiffPage(number: number): PageImage {
    const buffer = this.#bytes.buffer.slice(this.#bytes.byteOffset, this.#bytes.byteOffset + this.#bytes.byteLength) as ArrayBuffer;
    this.#tiff ??= UTIF.decode(buffer).filter((ifd) => Number(ifd.t256?.[0] ?? 0) > 0);
    const ifd = this.#tiff[number - 1];
    if (!ifd) throw new Error(`the TIFF file has no page ${number}`);
    UTIF.decodeImage(buffer, ifd);
    const width = Number(ifd.width);
    const height = Number(ifd.height);
    const rgba = UTIF.toRGBA8(ifd);
    const full = createCanvas(width, height);
    const context = full.getContext('2d');
    const pixels = context.createImageData(width, height);
    pixels.data.set(rgba.subarray(0, pixels.data.length));
    context.putImageData(pixels, 0, 0);
    const scale = fit(width, height, upscale(width, height));
    if (scale === 1) return encode(onWhite(full));
    const canvas = whiteCanvas(width * scale, height * scale);
    canvas.getContext('2d').drawImage(full, 0, 0, canvas.width, canvas.height);
    return encode(canvas);
  }
}

/**
 * Images smaller than a page at 300 dpi (a 150-dpi scan, a screenshot) are read at twice their
 * size: Tesseract misses whole blocks of small text (a Chinese page at 150 dpi: 23% CER as it is,
 * 2% doubled).
 */
function upscale(width: number, height: number): number {
  return Math.max(width, height) < 2400 ? 2 : 1;
}

/** `scale`, reduced so that the scaled page stays within MAX_PAGE_PIXELS. */
function fit(width: number, height: number, scale: number): number {
  const pixels = width * scale * height * scale;
  return pixels > MAX_PAGE_PIXELS ? scale * Math.sqrt(MAX_PAGE_PIXELS / pixels) : scale;
}

function whiteCanvas(width: number, height: number): Canvas {
  const canvas = createCanvas(Math.max(1, Math.round(width)), Math.max(1, Math.round(height)));
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  return canvas;
}

/** A canvas with transparent parts made white (TIFF pages with alpha). */
function onWhite(canvas: Canvas): Canvas {
  const out = whiteCanvas(canvas.width, canvas.height);
  out.getContext('2d').drawImage(canvas, 0, 0);
  return out;
}

function encode(canvas: Canvas): PageImage {
  return { png: canvas.toBuffer('image/png'), width: canvas.width, height: canvas.height };
}
