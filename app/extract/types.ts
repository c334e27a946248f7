// What every reader produces: a structured document or a typed reason why not.
import type { DocumentKind } from '../contract/index.ts';

/** A run of text with the place it came from, for citations ("report.pdf, p. 12, §3.2"). */
export interface Section {
  text: string;
  /** 1-based page number, for paged formats (PDF). */
  page?: number;
  /** Headings above this text, outermost first. */
  headingPath: string[];
  /** Text read from an image of the page by OCR, not from the file's own text. */
  ocr?: boolean;
}

/** Bytes found inside a document that become documents of their own (attachments, mbox messages). */
export interface ChildInput {
  /** Unique within the parent; appended to the parent's uri after '#'. */
  key: string;
  /** File name, used to choose the reader. */
  name: string;
  mime?: string;
  bytes: Uint8Array;
  /**
   * Set when the child could not be taken out of its parent (a part past the message's limit): it
   * becomes a document with this problem, and its bytes are empty.
   */
  problem?: { status: 'failed' | 'skipped'; code: ExtractErrorCode; reason: string };
}

export interface ExtractedDocument {
  kind: DocumentKind;
  title: string;
  mime: string;
  sections: Section[];
  /** Format-specific facts (email: from, to, cc, date, subject, messageId, inReplyTo...). */
  metadata: Record<string, unknown>;
  /** When the content was written (an email's Date header), epoch ms. */
  date?: number;
  /** Email sender and recipients, as "Name <address>" strings, for filters. */
  from?: string;
  to?: string[];
  cc?: string[];
  children: ChildInput[];
  /**
   * Pages (1-based: a PDF's pages, an image's frames) that have no usable text of their own and
   * are left to OCR, which runs later as its own job (app/ocr). `sections` hold only the text the
   * file has.
   */
  ocr?: { pages: number[] };
}

export type ExtractErrorCode =
  | 'empty'            // zero bytes
  | 'too-large'        // above the configured size limit
  | 'unsupported'      // a binary format no reader handles
  | 'damaged'          // the reader could not parse it
  | 'encrypted'        // password-protected
  | 'no-text'          // parsed, but there is no text layer (scans, images)
  | 'timeout'          // took longer than the per-file time limit
  | 'unreadable'       // permissions, I/O error
  | 'outside'          // a link to a file outside the folder the user chose: never read
  | 'vanished';        // the file disappeared before or while it was read

export type ExtractResult =
  | { ok: true; doc: ExtractedDocument }
  | { ok: false; status: 'failed' | 'skipped'; code: ExtractErrorCode; reason: string };

export interface ExtractLimits {
  /** Files above this many bytes are skipped. */
  maxBytes: number;
  /** A file whose extraction takes longer than this fails with 'timeout'. */
  timeoutMs: number;
}

export const defaultExtractLimits: ExtractLimits = { maxBytes: 100 * 1024 * 1024, timeoutMs: 60_000 };

/** Bytes to extract, with the name (and, when known, the mime type) that help choose a reader. */
export interface ExtractInput {
  bytes: Uint8Array;
  name: string;
  mime?: string;
}

/** What the pool returns for a file or child: the result plus what was read, for dedupe. */
export type FileExtraction = ExtractResult & {
  /** sha256 hex of the bytes read; null when nothing was read. */
  hash: string | null;
  /** Size in bytes (from stat when the file was not read). */
  size: number;
};
