// Documents as a UI browses them: pages of top-level documents sorted and filtered, one
// document's detail with its chunks and children, and every problem a page at a time. Each sort
// is its own constant SQL text, prepared once on first use; filters are parameters.
import type { DocumentKind, DocumentStatus } from '../contract/index.ts';
import type { SqliteDatabase, SqliteStatement } from '../../native/sqlite.ts';

export type ListSort = 'title' | 'path' | 'date' | 'indexed' | 'size' | 'status';

export interface ListQuery {
  offset: number;
  limit: number;
  sort: ListSort;
  order: 'asc' | 'desc';
  sourceId?: number | undefined;
  kind?: DocumentKind | undefined;
  status?: DocumentStatus | undefined;
  /** Matched in the title, path or uri (case-insensitive for ASCII, as SQLite's LIKE is). */
  text?: string | undefined;
}

export interface ListedDocument {
  id: number;
  sourceId: number;
  uri: string;
  path: string | null;
  kind: DocumentKind;
  title: string;
  mime: string | null;
  size: number | null;
  date: number | null;
  indexedAt: number | null;
  status: DocumentStatus;
  code: string | null;
  reason: string | null;
  chunks: number;
  children: number;
}

export interface DocumentRecord extends ListedDocument {
  parentId: number | null;
  metadata: Record<string, unknown>;
  sender: string | null;
  recipients: string[];
}

export interface ChunkRecord {
  id: number;
  ordinal: number;
  text: string;
  start: number;
  end: number;
  page: number | null;
  headingPath: string[];
}

/** A chunk with where it lies in the document's text: [start, end) offsets, as the chunker cut it. */
export interface ChunkSpan {
  ordinal: number;
  text: string;
  start: number;
  end: number;
  page: number | null;
}

export interface ProblemRecord {
  uri: string;
  status: 'skipped' | 'failed';
  code: string | null;
  reason: string;
}

const COLUMNS = `d.id, d.source_id AS sourceId, d.uri, d.path, d.kind, d.title, d.mime, d.size, d.date,
  d.indexed_at AS indexedAt, d.status, d.error_code AS code, d.reason,
  (SELECT count(*) FROM chunks c WHERE c.document_id = d.id) AS chunks,
  (SELECT count(*) FROM documents k WHERE k.parent_id = d.id) AS children`;

const FILTER = `d.parent_id IS NULL
  AND (@sourceId IS NULL OR d.source_id = @sourceId)
  AND (@kind IS NULL OR d.kind = @kind)
  AND (@status IS NULL OR d.status = @status)
  AND (@text IS NULL OR d.title LIKE @text ESCAPE '!' OR d.path LIKE @text ESCAPE '!' OR d.uri LIKE @text ESCAPE '!')`;

/**
 * One constant statement per sort and order; ties broken by id so pages never overlap. The page's
 * ids come first (an index walk: migration 11), and only its rows get their columns: SQLite
 * computes the columns of every row an OFFSET skips, and the counts of chunks and children are
 * subqueries.
 */
const pageSql = (order: string) =>
  `SELECT ${COLUMNS} FROM (SELECT d.id FROM documents d WHERE ${FILTER} ORDER BY ${order} LIMIT @limit OFFSET @offset) page
   JOIN documents d ON d.id = page.id ORDER BY ${order}`;

const PAGE_SQL: Record<`${ListSort}:${'asc' | 'desc'}`, string> = {
  'title:asc': pageSql('d.title COLLATE NOCASE ASC, d.id ASC'),
  'title:desc': pageSql('d.title COLLATE NOCASE DESC, d.id DESC'),
  'path:asc': pageSql('d.uri ASC, d.id ASC'),
  'path:desc': pageSql('d.uri DESC, d.id DESC'),
  'date:asc': pageSql('d.date ASC, d.id ASC'),
  'date:desc': pageSql('d.date DESC, d.id DESC'),
  'indexed:asc': pageSql('d.indexed_at ASC, d.id ASC'),
  'indexed:desc': pageSql('d.indexed_at DESC, d.id DESC'),
  'size:asc': pageSql('d.size ASC, d.id ASC'),
  'size:desc': pageSql('d.size DESC, d.id DESC'),
  'status:asc': pageSql('d.status ASC, d.id ASC'),
  'status:desc': pageSql('d.status DESC, d.id DESC'),
};

function filterParams(query: Pick<ListQuery, 'sourceId' | 'kind' | 'status' | 'text'>) {
  return {
    sourceId: query.sourceId ?? null,
    kind: query.kind ?? null,
    status: query.status ?? null,
    text: query.text?.trim() ? `%${query.text.trim().replace(/[!%_]/g, '!$&')}%` : null,
  };
}

type DocumentRow = Omit<DocumentRecord, 'metadata' | 'recipients'> & { metadata: string; recipients: string | null };

export class DocumentListing {
  private readonly db: SqliteDatabase;
  private readonly pages = new Map<string, SqliteStatement>();
  private readonly countStatement: SqliteStatement;
  private readonly countsStatement: SqliteStatement;
  private readonly detailStatement: SqliteStatement;
  private readonly childrenStatement: SqliteStatement;
  private readonly chunksStatement: SqliteStatement;
  private readonly problemsStatement: SqliteStatement;
  private readonly problemCountStatement: SqliteStatement;
  private readonly spansStatement: SqliteStatement;
  private readonly pageSpansStatement: SqliteStatement;
  private readonly extentStatement: SqliteStatement;
  private readonly chunkAtStatement: SqliteStatement;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.countStatement = db.prepare(`SELECT count(*) AS n FROM documents d WHERE ${FILTER}`);
    this.countsStatement = db.prepare(`SELECT d.status, count(*) AS n FROM documents d WHERE ${FILTER} GROUP BY d.status`);
    this.detailStatement = db.prepare(`SELECT ${COLUMNS}, d.parent_id AS parentId, d.metadata, d.sender, d.recipients FROM documents d WHERE d.id = ?`);
    this.childrenStatement = db.prepare(`SELECT ${COLUMNS} FROM documents d WHERE d.parent_id = ? ORDER BY d.id`);
    this.chunksStatement = db.prepare(
      'SELECT id, ordinal, text, start_offset AS start, end_offset AS end, page, heading_path AS headingPath FROM chunks WHERE document_id = ? ORDER BY ordinal LIMIT ?',
    );
    this.problemsStatement = db.prepare(
      `SELECT uri, status, error_code AS code, coalesce(reason, '') AS reason FROM documents
       WHERE status IN ('failed', 'skipped') ORDER BY status, uri LIMIT ? OFFSET ?`,
    );
    this.problemCountStatement = db.prepare(`SELECT count(*) AS n FROM documents WHERE status IN ('failed', 'skipped')`);
    // Chunks read by OCR have their offsets in their page's OCR text, not in the document's text:
    // reads by offset leave them out, and a page read by OCR is read in its own offsets.
    const span = 'SELECT ordinal, text, start_offset AS start, end_offset AS end, page FROM chunks';
    this.spansStatement = db.prepare(`${span} WHERE document_id = ? AND ocr = 0 AND end_offset > ? AND start_offset < ? ORDER BY ordinal`);
    this.pageSpansStatement = db.prepare(`${span} WHERE document_id = ? AND page = ? AND ocr = ? ORDER BY ordinal`);
    this.extentStatement = db.prepare(
      `SELECT coalesce(max(CASE WHEN ocr = 0 THEN end_offset END), 0) AS length, max(page) AS pages,
         count(DISTINCT CASE WHEN ocr = 1 THEN page END) AS ocrPages FROM chunks WHERE document_id = ?`,
    );
    this.chunkAtStatement = db.prepare('SELECT document_id AS documentId, start_offset AS start, page, ocr FROM chunks WHERE id = ?');
  }

  /** One page of top-level documents, and how many match in all. */
  page(query: ListQuery): { total: number; items: ListedDocument[] } {
    const key = `${query.sort}:${query.order}` as const;
    let statement = this.pages.get(key);
    if (!statement) {
      statement = this.db.prepare(PAGE_SQL[key]);
      this.pages.set(key, statement);
    }
    const filter = filterParams(query);
    const total = (this.countStatement.get(filter) as { n: number }).n;
    const items = statement.all({ ...filter, limit: query.limit, offset: query.offset }) as ListedDocument[];
    return { total, items };
  }

  /** Top-level documents by status among those the filter (but for its status) matches. */
  counts(query: Omit<ListQuery, 'offset' | 'limit' | 'sort' | 'order' | 'status'>): Record<DocumentStatus, number> {
    const counts: Record<DocumentStatus, number> = { pending: 0, indexed: 0, skipped: 0, failed: 0 };
    for (const row of this.countsStatement.all(filterParams({ ...query, status: undefined })) as { status: DocumentStatus; n: number }[]) counts[row.status] = row.n;
    return counts;
  }

  /** One document (top-level or inside another), or null. */
  detail(id: number): DocumentRecord | null {
    const row = this.detailStatement.get(id) as DocumentRow | undefined;
    if (!row) return null;
    return {
      ...row,
      metadata: JSON.parse(row.metadata) as Record<string, unknown>,
      recipients: row.recipients ? row.recipients.split('\n') : [],
    };
  }

  children(id: number): ListedDocument[] {
    return this.childrenStatement.all(id) as ListedDocument[];
  }

  /** The document's first `limit` chunks, in order. */
  chunks(id: number, limit: number): ChunkRecord[] {
    const rows = this.chunksStatement.all(id, limit) as (Omit<ChunkRecord, 'headingPath'> & { headingPath: string })[];
    return rows.map((r) => ({ ...r, headingPath: JSON.parse(r.headingPath) as string[] }));
  }

  /** The chunks that hold any of the document's text from `start` to `end` (offsets), in order. */
  spans(id: number, start: number, end: number): ChunkSpan[] {
    return this.spansStatement.all(id, start, end) as ChunkSpan[];
  }

  /**
   * The chunks of one page of the document, in order: those of its text layer, or where it has
   * none, those OCR read (`ocr`: their offsets are in the page's OCR text).
   */
  pageSpans(id: number, page: number): { spans: ChunkSpan[]; ocr: boolean } {
    const spans = this.pageSpansStatement.all(id, page, 0) as ChunkSpan[];
    if (spans.length) return { spans, ocr: false };
    const read = this.pageSpansStatement.all(id, page, 1) as ChunkSpan[];
    return { spans: read, ocr: read.length > 0 };
  }

  /**
   * How long the document's own text is (where its last chunk ends, OCR's left out), its last
   * page (null: no pages) and how many pages have text only OCR read.
   */
  extent(id: number): { length: number; pages: number | null; ocrPages: number } {
    return this.extentStatement.get(id) as { length: number; pages: number | null; ocrPages: number };
  }

  /** Which document a chunk is in and where its text starts, or null. */
  chunkAt(chunkId: number): { documentId: number; start: number; page: number | null; ocr: boolean } | null {
    const row = this.chunkAtStatement.get(chunkId) as { documentId: number; start: number; page: number | null; ocr: number } | undefined;
    return row ? { ...row, ocr: row.ocr === 1 } : null;
  }

  /** Skipped and failed documents (children too), a page at a time, and how many there are. */
  problems(offset: number, limit: number): { total: number; items: ProblemRecord[] } {
    const total = (this.problemCountStatement.get() as { n: number }).n;
    return { total, items: this.problemsStatement.all(limit, offset) as ProblemRecord[] };
  }
}
