// In-process extraction: picks the reader for some bytes and runs it. Never throws: a reader that
// throws anyway is reported as a damaged file. Readers are imported on first use, so a worker that
// only ever sees text never loads pdf.js.
import { detectFormat, type Format } from './detect-format.ts';
import { failed, shortMessage, skipped } from './results.ts';
import type { ExtractInput, ExtractResult } from './types.ts';

type Reader = (input: ExtractInput) => Promise<ExtractResult>;

const readers: Record<Format, () => Promise<Reader>> = {
  text: async () => (await import('./text-reader.ts')).readText,
  markdown: async () => (await import('./markdown-reader.ts')).readMarkdown,
  html: async () => (await import('./html-reader.ts')).readHtml,
  pdf: async () => (await import('./pdf-reader.ts')).readPdf,
  docx: async () => (await import('./docx-reader.ts')).readDocx,
  email: async () => (await import('./email-reader.ts')).readEmail,
  mbox: async () => (await import('./mbox-reader.ts')).readMbox,
  spreadsheet: async () => (await import('./spreadsheet-reader.ts')).readSpreadsheet,
  csv: async () => (await import('./csv-reader.ts')).readCsv,
  pptx: async () => (await import('./pptx-reader.ts')).readPptx,
  odp: async () => (await import('./odp-reader.ts')).readOdp,
  odt: async () => (await import('./odt-reader.ts')).readOdt,
  rtf: async () => (await import('./rtf-reader.ts')).readRtf,
  epub: async () => (await import('./epub-reader.ts')).readEpub,
  notebook: async () => (await import('./notebook-reader.ts')).readNotebook,
  msg: async () => (await import('./msg-reader.ts')).readMsg,
  image: async () => (await import('./image-reader.ts')).readImage,
};

const formatNames: Record<Format, string> = {
  text: 'Text', markdown: 'Markdown', html: 'HTML', pdf: 'PDF', docx: 'DOCX', email: 'Email', mbox: 'Mailbox',
  spreadsheet: 'Spreadsheet', csv: 'CSV', pptx: 'PPTX', odp: 'ODP', odt: 'ODT', rtf: 'RTF', epub: 'EPUB',
  notebook: 'Notebook', msg: 'Outlook message', image: 'Image',
};

export async function extractBytes(input: ExtractInput): Promise<ExtractResult> {
  if (input.bytes.byteLength === 0) return skipped('empty', 'File is empty');
  let format: Format | null = null;
  try {
    const detection = detectFormat(input);
    if ('unsupported' in detection) return skipped('unsupported', detection.unsupported);
    format = detection.format;
    const read = await readers[format]();
    return await read(input);
  } catch (error) {
    return failed('damaged', `${format ? formatNames[format] : 'File'} file is damaged: ${shortMessage(error)}`);
  }
}
