// A document's chunks as the source viewer reads them: where each lies in the document's text
// (without the text, so a long document costs little), the text of a run of them, and one chunk
// with its text, checked to belong to the document.
import type { SqliteDatabase, SqliteStatement } from '../../native/sqlite.ts';

export interface ChunkSpanRecord {
  id: number;
  ordinal: number;
  start: number;
  end: number;
  page: number | null;
  headingPath: string[];
}

type SpanRow = Omit<ChunkSpanRecord, 'headingPath'> & { headingPath: string };

const SPAN_COLUMNS = 'id, ordinal, start_offset AS start, end_offset AS end, page, heading_path AS headingPath';

export class DocumentTextQueries {
  private readonly spansStatement: SqliteStatement;
  private readonly textsStatement: SqliteStatement;
  private readonly chunkStatement: SqliteStatement;
  private readonly sourceStatement: SqliteStatement;

  constructor(db: SqliteDatabase) {
    this.spansStatement = db.prepare(`SELECT ${SPAN_COLUMNS} FROM chunks WHERE document_id = ? ORDER BY ordinal`);
    this.textsStatement = db.prepare('SELECT text FROM chunks WHERE document_id = ? AND ordinal BETWEEN ? AND ? ORDER BY ordinal');
    this.chunkStatement = db.prepare(`SELECT ${SPAN_COLUMNS}, text FROM chunks WHERE id = ? AND document_id = ?`);
    this.sourceStatement = db.prepare('SELECT s.kind, s.uri FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.id = ?');
  }

  /** Every chunk of the document, in order, without its text. */
  spans(documentId: number): ChunkSpanRecord[] {
    return (this.spansStatement.all(documentId) as SpanRow[]).map(parse);
  }

  /** The texts of the chunks with ordinals from `first` to `last`, in order. */
  texts(documentId: number, first: number, last: number): string[] {
    return (this.textsStatement.all(documentId, first, last) as { text: string }[]).map((r) => r.text);
  }

  /** One chunk with its text, or null when the document has no chunk with this id (any more). */
  chunk(documentId: number, chunkId: number): (ChunkSpanRecord & { text: string }) | null {
    const row = this.chunkStatement.get(chunkId, documentId) as (SpanRow & { text: string }) | undefined;
    return row ? { ...parse(row), text: row.text } : null;
  }

  /** The kind and uri (a folder's or added file's path) of the source the document belongs to. */
  source(documentId: number): { kind: string; uri: string } | null {
    return (this.sourceStatement.get(documentId) as { kind: string; uri: string } | undefined) ?? null;
  }
}

function parse<T extends SpanRow>(row: T): Omit<T, 'headingPath'> & { headingPath: string[] } {
  return { ...row, headingPath: JSON.parse(row.headingPath) as string[] };
}
