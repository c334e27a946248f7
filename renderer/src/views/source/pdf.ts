// pdf.js for the source viewer, loaded only when a PDF is shown. Its worker is a file of the build
// (the CSP allows workers from the app itself, and pdf.js needs no eval); character maps, standard
// fonts and image decoders come from pdfjs/ beside the page; WebAssembly is off (the CSP allows
// none, and pdf.js falls back to JavaScript). The original file is read a range at a time: over
// HTTP in a browser (GET api/documents/<id>/file, which pdf.js asks for parts of), over the
// contract in the desktop app (documents.file), so a large PDF is never fetched whole.
import { getDocument, GlobalWorkerOptions, PDFDataRangeTransport, VerbosityLevel, type PDFDocumentLoadingTask } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { MAX_FILE_RANGE } from '../../../../app/contract/api.ts';
import { api } from '../../api/index.ts';

export type { PDFDocumentProxy, PDFPageProxy, RenderTask } from 'pdfjs-dist';
export { TextLayer } from 'pdfjs-dist';

GlobalWorkerOptions.workerSrc = workerUrl;

/** pdf.js reads the file in pieces of this size; a contract range holds several of them. */
const RANGE_CHUNK = 256 * 1024;

const here = (path: string) => new URL(path, document.baseURI).href;

/** Bytes from base64 (the contract's JSON carries a range so). */
function decode(data: string): Uint8Array {
  const text = atob(data);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Feeds pdf.js the ranges it asks for from documents.file, in pieces the contract allows. */
class ContractRanges extends PDFDataRangeTransport {
  private readonly id: number;
  private readonly onError: (error: unknown) => void;

  constructor(id: number, size: number, onError: (error: unknown) => void) {
    super(size, null);
    this.id = id;
    this.onError = onError;
  }

  override requestDataRange(begin: number, end: number): void {
    void (async () => {
      // Pieces start at multiples of RANGE_CHUNK (pdf.js asks so), and MAX_FILE_RANGE is one too.
      for (let at = begin; at < end; at += MAX_FILE_RANGE) {
        const range = await api.documents.file({ id: this.id, offset: at, length: Math.min(MAX_FILE_RANGE, end - at) });
        this.onDataRange(at, decode(range.data));
      }
    })().catch(this.onError);
  }
}

/**
 * Opens a document's original PDF for viewing, with the reader's options that shape text items
 * (app/extract/pdf-reader.ts), so the text layer's items are the ones the chunks were made of.
 */
export function openPdf(id: number, size: number, onRangeError: (error: unknown) => void): PDFDocumentLoadingTask {
  const options = {
    verbosity: VerbosityLevel.ERRORS,
    cMapUrl: here('pdfjs/cmaps/'),
    standardFontDataUrl: here('pdfjs/standard_fonts/'),
    wasmUrl: here('pdfjs/wasm/'),
    useWasm: false,
    disableFontFace: true,
    useSystemFonts: false,
    enableXfa: false,
    stopAtErrors: false,
    rangeChunkSize: RANGE_CHUNK,
    // Only the parts the pages shown need: never the whole file in the background.
    disableAutoFetch: true,
  };
  if (window.cairn) return getDocument({ ...options, range: new ContractRanges(id, size, onRangeError) });
  return getDocument({ ...options, url: here(`api/documents/${id}/file`), disableStream: true });
}
