// Extraction: one reader per format (text and code, Markdown, HTML, PDF, DOCX, email, mbox,
// spreadsheets, CSV, slides, OpenDocument, RTF, EPUB, notebooks, Outlook .msg, images) turns bytes
// into a structured document or a typed reason why not, in worker threads for the pipeline.
export type {
  ChildInput,
  ExtractedDocument,
  ExtractErrorCode,
  ExtractInput,
  ExtractLimits,
  ExtractResult,
  FileExtraction,
  Section,
} from './types.ts';
export { defaultExtractLimits } from './types.ts';
export { documentKind } from './detect-format.ts';
export { extractBytes } from './extract-bytes.ts';
export { ExtractorPool, type ExtractorPoolOptions } from './pool.ts';
