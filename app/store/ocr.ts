// OCR work and results. An 'ocr' job names some content (by hash), where to read it (the file, or
// bytes kept with the job for an attachment) and the pages to read; each page read is kept in
// ocr_pages with its text and line boxes, in the same transaction that adds its chunks, so a page
// is never read twice, whatever stops the process.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../native/sqlite.ts';
import type { Job, JobQueue } from './jobs.ts';

/** What an 'ocr' job carries; the bytes of a document that is not a file are in job_blobs. */
export interface OcrJobPayload {
  hash: string;
  /** The source the document came from: removing it drops the job (see jobs.ts). */
  sourceId: number;
  /** The document the job was queued for (its file, or its parent's uri plus '#key'). */
  uri: string;
  /** The file to read, for a top-level file. */
  path?: string;
  pages: number[];
}

export interface OcrPageRow {
  hash: string;
  page: number;
  languages: string;
  text: string;
  lines: string;
  width: number | null;
  height: number | null;
  confidence: number | null;
  error: string | null;
  ms: number;
}

export interface OcrTarget {
  id: number;
  title: string;
  sender: string | null;
  status: string;
  errorCode: string | null;
}

export class OcrRepository {
  readonly #db: SqliteDatabase;
  readonly #queue: JobQueue;
  readonly #statements = new Map<string, Statement<unknown[]>>();

  constructor(db: SqliteDatabase, queue: JobQueue) {
    this.#db = db;
    this.#queue = queue;
  }

  /** Each statement is prepared once (better-sqlite3 keeps native memory per prepare). */
  #sql(text: string): Statement<unknown[]> {
    let statement = this.#statements.get(text);
    if (!statement) this.#statements.set(text, (statement = this.#db.prepare(text)));
    return statement;
  }

  /** Queues OCR of some pages (with the bytes to read, when they are not a file); false when the source is gone. */
  enqueue(payload: OcrJobPayload, bytes: Uint8Array | null): boolean {
    const id = this.#queue.enqueueId('ocr', payload);
    if (id === null) return false;
    if (bytes) this.#sql('INSERT INTO job_blobs (job_id, bytes) VALUES (?, ?) ON CONFLICT (job_id) DO UPDATE SET bytes = excluded.bytes').run(id, bytes);
    return true;
  }

  load(job: Job): { payload: OcrJobPayload; bytes: Uint8Array | null } {
    const payload = JSON.parse(job.payload) as OcrJobPayload;
    const bytes = this.#sql('SELECT bytes FROM job_blobs WHERE job_id = ?').pluck().get(job.id) as Buffer | undefined;
    return { payload, bytes: bytes ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null };
  }

  /** What OCR read on a page of this content, or null when it has not been read. */
  page(hash: string, page: number): OcrPageRow | null {
    return (this.#sql(
      `SELECT content_hash AS hash, page, languages, text, lines, width, height, confidence, error, ms FROM ocr_pages WHERE content_hash = ? AND page = ?`,
    ).get(hash, page) as OcrPageRow | undefined) ?? null;
  }

  savePage(row: OcrPageRow): void {
    this.#sql(
      `INSERT INTO ocr_pages (content_hash, page, languages, text, lines, width, height, confidence, error, ms, created_at)
       VALUES (@hash, @page, @languages, @text, @lines, @width, @height, @confidence, @error, @ms, @createdAt)
       ON CONFLICT (content_hash, page) DO UPDATE SET languages = excluded.languages, text = excluded.text, lines = excluded.lines,
         width = excluded.width, height = excluded.height, confidence = excluded.confidence, error = excluded.error, ms = excluded.ms,
         created_at = excluded.created_at`,
    ).run({ ...row, createdAt: Date.now() });
  }

  /** The documents with this content, which OCR text goes to. */
  documentsWithHash(hash: string): OcrTarget[] {
    return this.#sql(
      `SELECT id, title, sender, status, error_code AS errorCode FROM documents WHERE content_hash = ? AND status IN ('indexed', 'skipped')`,
    ).all(hash) as OcrTarget[];
  }

  /** Whether the document already has OCR chunks for this page. */
  hasPage(documentId: number, page: number): boolean {
    return this.#sql('SELECT 1 FROM chunks WHERE document_id = ? AND page = ? AND ocr = 1 LIMIT 1').get(documentId, page) !== undefined;
  }

  nextOrdinal(documentId: number): number {
    return this.#sql('SELECT coalesce(max(ordinal) + 1, 0) FROM chunks WHERE document_id = ?').pluck().get(documentId) as number;
  }

  chunkCount(documentId: number): number {
    return this.#sql('SELECT count(*) FROM chunks WHERE document_id = ?').pluck().get(documentId) as number;
  }

  /** A document waiting for OCR becomes an indexed one once OCR gave it text. */
  markIndexed(documentId: number): void {
    this.#sql(`UPDATE documents SET status = 'indexed', error_code = NULL, reason = NULL WHERE id = ?`).run(documentId);
  }

  /** A document OCR found no text in (every page read) is skipped, with why. */
  markNoText(documentId: number, reason: string): void {
    this.#sql(`UPDATE documents SET status = 'skipped', error_code = 'no-text', reason = ? WHERE id = ?`).run(reason, documentId);
  }

  /** Pages queued for OCR and not yet read with `languages`, and the documents they belong to. */
  waiting(languages: string): { pages: number; documents: number } {
    const jobs = this.#sql(`SELECT payload FROM jobs WHERE kind = 'ocr'`).pluck().all() as string[];
    let pages = 0;
    const hashes = new Set<string>();
    for (const text of jobs) {
      const payload = JSON.parse(text) as OcrJobPayload;
      if (hashes.has(payload.hash)) continue;
      const left = payload.pages.filter((p) => this.page(payload.hash, p)?.languages !== languages).length;
      if (left > 0) hashes.add(payload.hash);
      pages += left;
    }
    return { pages, documents: hashes.size };
  }

  /** How many pages OCR gave up on (too slow, could not be rendered). */
  failedPages(): number {
    return this.#sql('SELECT count(*) FROM ocr_pages WHERE error IS NOT NULL').pluck().get() as number;
  }
}
