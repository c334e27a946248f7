// Documents and their chunks. A document is written with its chunks and full-text rows in one
// go, so a crash never leaves half a document behind (the caller wraps it in a transaction).
import type { DocumentKind, DocumentStatus } from '../contract/index.ts';
import type { SqliteDatabase } from '../../native/sqlite.ts';

export interface DocumentInput {
  sourceId: number;
  parentId: number | null;
  uri: string;
  /** Filesystem path of the file (children share their parent's), for path filters. */
  path: string | null;
  kind: DocumentKind;
  title: string;
  mime: string | null;
  size: number | null;
  mtime: number | null;
  contentHash: string | null;
  status: DocumentStatus;
  errorCode: string | null;
  reason: string | null;
  metadata: Record<string, unknown>;
  date: number | null;
  /** Sender ("Name <address>"), for display and filters. */
  sender: string | null;
  /** Recipients (to and cc), one per line, for filters. */
  recipients: string | null;
}

export interface ChunkInput {
  text: string;
  start: number;
  end: number;
  page: number | null;
  headingPath: string[];
  tokenCount: number;
  /** Analysed text for the full-text index (see app/search/analyze.ts). */
  ftsTitle: string;
  ftsBody: string;
  /** Read by OCR from an image of the page. */
  ocr?: boolean;
}

export interface FileState {
  size: number | null;
  mtime: number | null;
  status: DocumentStatus;
}

export interface MoveCandidate {
  id: number;
  path: string;
  contentHash: string;
  title: string;
  sender: string | null;
}

/** Bounds of `path` and everything below it, for range scans on the path index. */
function pathRange(path: string): [string, string, string] {
  const base = path.replace(/[\\/]+$/, '');
  const sep = base.includes('\\') && !base.includes('/') ? '\\' : '/';
  // Every path below `base` sorts between base + sep and base + (sep + 1).
  return [base, base + sep, base + String.fromCharCode(sep.charCodeAt(0) + 1)];
}

export class DocumentRepository {
  private readonly db: SqliteDatabase;
  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  /** Inserts or replaces the document at `uri`, dropping its old chunks and children. */
  upsert(doc: DocumentInput): number {
    const row = this.db
      .prepare(
        `INSERT INTO documents (source_id, parent_id, uri, path, kind, title, mime, size, mtime, content_hash,
           status, error_code, reason, metadata, date, sender, recipients, indexed_at)
         VALUES (@sourceId, @parentId, @uri, @path, @kind, @title, @mime, @size, @mtime, @contentHash,
           @status, @errorCode, @reason, @metadata, @date, @sender, @recipients, @indexedAt)
         ON CONFLICT (uri) DO UPDATE SET source_id = excluded.source_id, parent_id = excluded.parent_id,
           path = excluded.path, kind = excluded.kind, title = excluded.title, mime = excluded.mime,
           size = excluded.size, mtime = excluded.mtime, content_hash = excluded.content_hash,
           status = excluded.status, error_code = excluded.error_code, reason = excluded.reason,
           metadata = excluded.metadata, date = excluded.date, sender = excluded.sender,
           recipients = excluded.recipients, indexed_at = excluded.indexed_at
         RETURNING id`,
      )
      .get({ ...doc, metadata: JSON.stringify(doc.metadata), indexedAt: Date.now() }) as { id: number };
    this.db.prepare('DELETE FROM chunks WHERE document_id = ?').run(row.id);
    this.db.prepare('DELETE FROM documents WHERE parent_id = ?').run(row.id);
    return row.id;
  }

  /** Inserts chunks numbered from `firstOrdinal` (OCR pages are added after the document's own text). */
  insertChunks(documentId: number, chunks: ChunkInput[], firstOrdinal = 0): number[] {
    const insert = this.db.prepare(
      `INSERT INTO chunks (document_id, ordinal, text, start_offset, end_offset, page, heading_path, token_count, ocr)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    );
    const fts = this.db.prepare('INSERT INTO chunk_fts (rowid, title, body) VALUES (?, ?, ?)');
    return chunks.map((chunk, i) => {
      const { id } = insert.get(documentId, firstOrdinal + i, chunk.text, chunk.start, chunk.end, chunk.page,
        JSON.stringify(chunk.headingPath), chunk.tokenCount, chunk.ocr ? 1 : 0) as { id: number };
      fts.run(id, chunk.ftsTitle, chunk.ftsBody);
      return id;
    });
  }

  /**
   * Copies the chunks of `fromDocument` to `toDocument` (same content at another path), with
   * full-text rows made by `analyse`; returns [from, to] chunk id pairs so vectors can follow.
   */
  copyChunks(fromDocument: number, toDocument: number, ftsTitle: string, analyse: (text: string) => string): [number, number][] {
    const rows = this.db
      .prepare(
        `SELECT id, text, start_offset AS start, end_offset AS end, page, heading_path AS headingPath,
           token_count AS tokenCount, ocr FROM chunks WHERE document_id = ? ORDER BY ordinal`,
      )
      .all(fromDocument) as { id: number; text: string; start: number; end: number; page: number | null; headingPath: string; tokenCount: number; ocr: number }[];
    const ids = this.insertChunks(
      toDocument,
      rows.map((r) => ({ ...r, ocr: r.ocr === 1, headingPath: JSON.parse(r.headingPath) as string[], ftsTitle, ftsBody: analyse(r.text) })),
    );
    return rows.map((r, i) => [r.id, ids[i]!]);
  }

  /**
   * An indexed document with the same content that has chunks, other than `uri`. (`+d.status`
   * keeps the planner on the hash index: by status it would read every indexed document.)
   */
  findIndexedByHash(hash: string, exceptUri: string): number | null {
    const row = this.db
      .prepare(
        `SELECT d.id FROM documents d WHERE d.content_hash = ? AND d.uri != ? AND +d.status = 'indexed'
         AND EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id) LIMIT 1`,
      )
      .get(hash, exceptUri) as { id: number } | undefined;
    return row?.id ?? null;
  }

  /**
   * Top-level file documents of this size with a content hash, at paths other than `exceptPath`:
   * the documents a new file may have been moved or renamed from (the caller checks which are gone).
   */
  moveCandidates(size: number, exceptPath: string, limit = 32): MoveCandidate[] {
    return this.db
      .prepare(
        `SELECT id, path, content_hash AS contentHash, title, sender FROM documents
         WHERE size = ? AND parent_id IS NULL AND kind = 'file' AND content_hash IS NOT NULL AND path != ? LIMIT ?`,
      )
      .all(size, exceptPath, limit) as MoveCandidate[];
  }

  /**
   * Moves a document (and the documents inside it) to another path without touching its chunks
   * or vectors. A document already at the new uri is replaced. With `fts`, the title changes and
   * the full-text rows are rewritten with it.
   */
  relabel(
    id: number,
    to: { sourceId: number; uri: string; path: string; title: string; size: number; mtime: number },
    fts?: { title: string; analyse: (text: string) => string },
  ): void {
    const old = this.db.prepare('SELECT uri FROM documents WHERE id = ?').get(id) as { uri: string } | undefined;
    if (!old) return;
    this.db.prepare('DELETE FROM documents WHERE uri = ? AND id != ?').run(to.uri, id);
    this.db
      .prepare('UPDATE documents SET source_id = ?, uri = ?, path = ?, title = ?, size = ?, mtime = ? WHERE id = ?')
      .run(to.sourceId, to.uri, to.path, to.title, to.size, to.mtime, id);
    // Children's uris are their parent's plus '#key'.
    this.db
      .prepare(
        `WITH RECURSIVE tree(id) AS (SELECT id FROM documents WHERE parent_id = ?
           UNION ALL SELECT d.id FROM documents d JOIN tree t ON d.parent_id = t.id)
         UPDATE documents SET uri = ? || substr(uri, ?), path = ?, source_id = ? WHERE id IN (SELECT id FROM tree)`,
      )
      .run(id, to.uri, old.uri.length + 1, to.path, to.sourceId);
    if (fts) {
      const rows = this.db.prepare('SELECT id, text FROM chunks WHERE document_id = ?').all(id) as { id: number; text: string }[];
      const drop = this.db.prepare('DELETE FROM chunk_fts WHERE rowid = ?');
      const insert = this.db.prepare('INSERT INTO chunk_fts (rowid, title, body) VALUES (?, ?, ?)');
      for (const row of rows) {
        drop.run(row.id);
        insert.run(row.id, fts.title, fts.analyse(row.text));
      }
    }
  }

  /** Top-level documents per source id. */
  countBySource(): Map<number, number> {
    const rows = this.db.prepare('SELECT source_id AS id, count(*) AS n FROM documents WHERE parent_id IS NULL GROUP BY source_id').all() as { id: number; n: number }[];
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  /** Gives the documents at or below `path` to another source (a folder now watched there). */
  reassignSource(path: string, sourceId: number): number {
    const [base, lo, hi] = pathRange(path);
    return this.db
      .prepare('UPDATE documents SET source_id = ? WHERE path = ? OR (path >= ? AND path < ?)')
      .run(sourceId, base, lo, hi).changes;
  }

  /**
   * Size, mtime and status of the top-level document at exactly `path`, or null. (`+parent_id`
   * keeps the planner on the path index: by parent it would read every top-level document.)
   */
  fileState(path: string): FileState | null {
    const row = this.db
      .prepare('SELECT size, mtime, status FROM documents WHERE path = ? AND +parent_id IS NULL')
      .get(path) as FileState | undefined;
    return row ?? null;
  }

  /** Size, mtime and status of every top-level document at or below `root`, by path. */
  fileStates(root: string): Map<string, FileState> {
    const [base, lo, hi] = pathRange(root);
    const rows = this.db
      .prepare(
        `SELECT path, size, mtime, status FROM documents
         WHERE parent_id IS NULL AND (path = ? OR (path >= ? AND path < ?))`,
      )
      .all(base, lo, hi) as ({ path: string } & FileState)[];
    return new Map(rows.map((r) => [r.path, { size: r.size, mtime: r.mtime, status: r.status }]));
  }

  /** Removes the documents at or below `path` (children, chunks and vectors go with them). */
  removeUnder(path: string): number {
    const [base, lo, hi] = pathRange(path);
    return this.db
      .prepare('DELETE FROM documents WHERE parent_id IS NULL AND (path = ? OR (path >= ? AND path < ?))')
      .run(base, lo, hi).changes;
  }

  removeByPath(path: string): number {
    return this.db.prepare('DELETE FROM documents WHERE parent_id IS NULL AND path = ?').run(path).changes;
  }

  countsByStatus(): Record<DocumentStatus, number> {
    const counts: Record<DocumentStatus, number> = { pending: 0, indexed: 0, skipped: 0, failed: 0 };
    const rows = this.db.prepare('SELECT status, count(*) AS n FROM documents GROUP BY status').all() as { status: DocumentStatus; n: number }[];
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  chunkCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
  }
}
