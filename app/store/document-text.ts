// A document's chunks as the source viewer reads them: where each lies in the document's text
// (without the text, so a long document costs little), the text of a run of them, and one chunk
// with its text, checked to belong to the document.
import type { SqliteDatabase, SqliteStatement } from '../../native/sqlite.ts';

export interface ChunkSpanRecord {
  id: number;
  ordinal: number;
  /** Offsets in the document's text; for a chunk read by OCR, in its page's OCR text. */
  start: number;
  end: number;
  page: number | null;
  headingPath: string[];
  ocr: boolean;
}

type SpanRow = Omit<ChunkSpanRecord, 'headingPath' | 'ocr'> & { headingPath: string; ocr: number };

const SPAN_COLUMNS = 'id, ordinal, start_offset AS start, end_offset AS end, page, heading_path AS headingPath, ocr';

export class DocumentTextQueries {
  private readonly spansStatement: SqliteStatement;
  private readonly textsStatement: SqliteStatement;
  private readonly chunkStatement: SqliteStatement;
  private readonly sourceStatement: SqliteStatement;
  private readonly hashStatement: SqliteStatement;

  constructor(db: SqliteDatabase) {
    this.spansStatement = db.prepare(`SELECT ${SPAN_COLUMNS} FROM chunks WHERE document_id = ? ORDER BY ordinal`);
    this.textsStatement = db.prepare('SELECT id, text FROM chunks WHERE document_id = ? AND id IN (SELECT value FROM json_each(?))');
    this.chunkStatement = db.prepare(`SELECT ${SPAN_COLUMNS}, text FROM chunks WHERE id = ? AND document_id = ?`);
    this.sourceStatement = db.prepare('SELECT s.kind, s.uri FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.id = ?');
    this.hashStatement = db.prepare('SELECT content_hash FROM documents WHERE id = ?').pluck();
  }

  /** Every chunk of the document, in order, without its text. */
  spans(documentId: number): ChunkSpanRecord[] {
    return (this.spansStatement.all(documentId) as SpanRow[]).map(parse);
  }

  /** The texts of these chunks of the document, in the order given ('' for one it does not have). */
  texts(documentId: number, chunkIds: number[]): string[] {
    const rows = this.textsStatement.all(documentId, JSON.stringify(chunkIds)) as { id: number; text: string }[];
    const byId = new Map(rows.map((r) => [r.id, r.text]));
    return chunkIds.map((id) => byId.get(id) ?? '');
  }

  /** One chunk with its text, or null when the document has no chunk with this id (any more). */
  chunk(documentId: number, chunkId: number): (ChunkSpanRecord & { text: string }) | null {
    const row = this.chunkStatement.get(chunkId, documentId) as (SpanRow & { text: string }) | undefined;
    return row ? { ...parse(row), text: row.text } : null;
  }

  /** The hash of the document's content (what OCR results are kept by), or null. */
  contentHash(documentId: number): string | null {
    return (this.hashStatement.get(documentId) as string | null | undefined) ?? null;
  }

  /** The kind and uri (a folder's or added file's path) of the source the document belongs to. */
  source(documentId: number): { kind: string; uri: string } | null {
    return (this.sourceStatement.get(documentId) as { kind: string; uri: string } | undefined) ?? null;
  }
}

function parse<T extends SpanRow>(row: T): Omit<T, 'headingPath' | 'ocr'> & { headingPath: string[]; ocr: boolean } {
  return { ...row, headingPath: JSON.parse(row.headingPath) as string[], ocr: row.ocr === 1 };
}
