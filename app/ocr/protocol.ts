// The messages between the OCR worker thread and the engine's thread.
import type { OcrLanguage } from './languages.ts';
import type { OcrText } from './recognize.ts';

export interface OcrRequest {
  id: number;
  /** A file on disk, or bytes kept with the job (an attachment). */
  source: { path: string } | { bytes: Uint8Array };
  /** sha256 of the bytes: a file whose content no longer matches is not read. */
  hash: string;
  page: number;
  languages: OcrLanguage[];
}

export interface OcrPage extends OcrText {
  width: number;
  height: number;
  ms: number;
}

export type OcrResponse =
  | { id: number; ok: true; result: OcrPage }
  | { id: number; ok: false; code: 'changed' | 'failed' | 'timeout'; reason: string };
