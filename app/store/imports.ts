// Imports: files and folders added together (or documents read again), as the user sees one
// piece of work in the activity panel. The row keeps its state across restarts (running, paused,
// cancelled, done) and counters the pipeline adds to in the transaction that writes each batch;
// its jobs carry its id (jobs.ts), so pausing holds them and cancelling drops them. What an
// import ended with is read from the documents themselves: those at or below its paths written
// since it started.
import type { DocumentStatus, ImportStatus } from '../contract/index.ts';
import type { SqliteDatabase, SqliteStatement } from '../../native/sqlite.ts';

export type ImportOrigin = ImportStatus['origin'];
export type ImportState = ImportStatus['state'];
/** An import as the contract shows it (the file being read now is the pipeline's to tell). */
export type ImportRecord = ImportStatus;

export interface ImportProgress {
  filesDone?: number;
  problems?: number;
  chunks?: number;
  unchanged?: number;
}

export interface ImportProblemRecord {
  id: number;
  parentId: number | null;
  uri: string;
  path: string | null;
  title: string;
  status: 'failed' | 'skipped';
  code: string | null;
  reason: string;
}

/** Paths shown with an import (the rest are counted). */
const SHOWN_PATHS = 3;
/** Finished imports kept (the oldest go first). */
const KEEP_FINISHED = 50;

const STATUS = `i.id, i.origin, i.paths, i.state, i.started_at AS startedAt, i.finished_at AS finishedAt,
  i.files_done AS filesDone, i.problems, i.chunks, i.unchanged, i.dropped,
  (SELECT count(*) FROM jobs j WHERE j.import_id = i.id AND j.kind = 'scan') AS scansLeft,
  (SELECT count(*) FROM jobs j WHERE j.import_id = i.id AND j.kind != 'scan') AS filesLeft,
  (SELECT count(*) FROM jobs j WHERE j.import_id = i.id AND j.kind = 'scan' AND j.state = 'running') AS scanning,
  (SELECT count(*) FROM jobs j WHERE j.import_id = i.id AND j.kind != 'scan' AND j.state = 'running') AS reading`;

/**
 * The import's documents: written since it started, at or below one of its paths (each given as
 * [path, lo, hi]: everything below sorts between lo and hi, as DocumentRepository's ranges).
 */
const MINE = `d.indexed_at >= @since AND EXISTS (SELECT 1 FROM json_each(@roots) r
  WHERE d.path = json_extract(r.value, '$[0]') OR (d.path >= json_extract(r.value, '$[1]') AND d.path < json_extract(r.value, '$[2]')))`;

interface StatusRow {
  id: number;
  origin: ImportOrigin;
  paths: string;
  state: ImportState;
  startedAt: number;
  finishedAt: number | null;
  filesDone: number;
  problems: number;
  chunks: number;
  unchanged: number;
  dropped: number;
  scansLeft: number;
  filesLeft: number;
  scanning: number;
  reading: number;
}

export class ImportRepository {
  private readonly db: SqliteDatabase;
  private readonly statusStatement: SqliteStatement;
  private readonly listStatement: SqliteStatement;
  private readonly countsStatement: SqliteStatement;
  private readonly problemsStatement: SqliteStatement;
  private readonly problemCountStatement: SqliteStatement;
  private readonly failedStatement: SqliteStatement;

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.statusStatement = db.prepare(`SELECT ${STATUS} FROM imports i WHERE i.id = ?`);
    this.listStatement = db.prepare(
      `SELECT ${STATUS} FROM imports i WHERE i.state IN ('running', 'paused') OR i.id IN (SELECT id FROM imports WHERE state IN ('cancelled', 'done') ORDER BY id DESC LIMIT ?) ORDER BY i.id DESC`,
    );
    this.countsStatement = db.prepare(`SELECT d.status, count(*) AS n FROM documents d WHERE d.parent_id IS NULL AND ${MINE} GROUP BY d.status`);
    this.problemsStatement = db.prepare(
      `SELECT d.id, d.parent_id AS parentId, d.uri, d.path, d.title, d.status, d.error_code AS code, coalesce(d.reason, '') AS reason
       FROM documents d WHERE d.status IN ('failed', 'skipped') AND ${MINE}
       ORDER BY d.status, d.uri LIMIT @limit OFFSET @offset`,
    );
    this.problemCountStatement = db.prepare(`SELECT count(*) FROM documents d WHERE d.status IN ('failed', 'skipped') AND ${MINE}`);
    this.failedStatement = db.prepare(`SELECT d.id FROM documents d WHERE d.status = 'failed' AND ${MINE}`);
  }

  /** Records a new import (running) and returns its id. */
  create(origin: ImportOrigin, paths: string[]): number {
    const id = this.db
      .prepare(`INSERT INTO imports (origin, paths, state, started_at) VALUES (?, ?, 'running', ?) RETURNING id`)
      .pluck()
      .get(origin, JSON.stringify(paths), Date.now()) as number;
    // Old finished imports go; their documents stay.
    this.db
      .prepare(`DELETE FROM imports WHERE state IN ('cancelled', 'done') AND id NOT IN (SELECT id FROM imports WHERE state IN ('cancelled', 'done') ORDER BY id DESC LIMIT ?)`)
      .run(KEEP_FINISHED);
    return id;
  }

  get(id: number): ImportRecord | null {
    const row = this.statusStatement.get(id) as StatusRow | undefined;
    return row ? record(row) : null;
  }

  /** Imports running or paused, then the most recent finished ones; newest first. */
  list(finished = 20): ImportRecord[] {
    return (this.listStatement.all(finished) as StatusRow[]).map(record);
  }

  /** Pauses a running import or resumes a paused one; returns whether it changed. */
  setPaused(id: number, paused: boolean): boolean {
    const [from, to] = paused ? ['running', 'paused'] : ['paused', 'running'];
    return this.db.prepare('UPDATE imports SET state = ? WHERE id = ? AND state = ?').run(to, id, from).changes > 0;
  }

  /**
   * Cancels a running or paused import: its jobs are dropped (a run holding one drops it instead
   * of writing it), counted as `dropped`. What was read stays. Returns whether it was cancelled.
   */
  cancel(id: number): boolean {
    const dropped = this.db.prepare(`SELECT count(*) FROM jobs WHERE import_id = ? AND kind != 'scan'`).pluck().get(id) as number;
    const changed = this.db
      .prepare(`UPDATE imports SET state = 'cancelled', finished_at = ?, dropped = dropped + ? WHERE id = ? AND state IN ('running', 'paused')`)
      .run(Date.now(), dropped, id).changes;
    if (changed === 0) return false;
    this.db.prepare('DELETE FROM jobs WHERE import_id = ?').run(id);
    return true;
  }

  /** Adds to an import's counters (in the transaction that writes what they count). */
  progress(id: number, by: ImportProgress): void {
    this.db
      .prepare('UPDATE imports SET files_done = files_done + ?, problems = problems + ?, chunks = chunks + ?, unchanged = unchanged + ? WHERE id = ?')
      .run(by.filesDone ?? 0, by.problems ?? 0, by.chunks ?? 0, by.unchanged ?? 0, id);
  }

  /** Marks running imports with no job left as done; returns their ids. */
  finishIdle(): number[] {
    return this.db
      .prepare(
        `UPDATE imports SET state = 'done', finished_at = ? WHERE state = 'running' AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.import_id = imports.id) RETURNING id`,
      )
      .pluck()
      .all(Date.now()) as number[];
  }

  /** Forgets finished imports (their documents stay); returns how many. */
  clearFinished(): number {
    return this.db.prepare(`DELETE FROM imports WHERE state IN ('cancelled', 'done')`).run().changes;
  }

  /** Top-level documents of the import by status. */
  counts(id: number): Record<DocumentStatus, number> {
    const counts: Record<DocumentStatus, number> = { pending: 0, indexed: 0, skipped: 0, failed: 0 };
    const params = this.scope(id);
    if (!params) return counts;
    for (const row of this.countsStatement.all(params) as { status: DocumentStatus; n: number }[]) counts[row.status] = row.n;
    return counts;
  }

  /** The import's documents that failed or were skipped (attachments too), a page at a time: failed first. */
  problems(id: number, offset: number, limit: number): { total: number; items: ImportProblemRecord[] } {
    const params = this.scope(id);
    if (!params) return { total: 0, items: [] };
    return {
      total: this.problemCountStatement.pluck().get(params) as number,
      items: this.problemsStatement.all({ ...params, offset, limit }) as ImportProblemRecord[],
    };
  }

  /** Ids of the import's documents (attachments too) whose reading failed. */
  failedDocuments(id: number): number[] {
    const params = this.scope(id);
    return params ? (this.failedStatement.pluck().all(params) as number[]) : [];
  }

  private scope(id: number): { since: number; roots: string } | null {
    const row = this.db.prepare('SELECT paths, started_at AS since FROM imports WHERE id = ?').get(id) as { paths: string; since: number } | undefined;
    if (!row) return null;
    const roots = (JSON.parse(row.paths) as string[]).map(pathRange);
    return { since: row.since, roots: JSON.stringify(roots) };
  }
}

function record(row: StatusRow): ImportRecord {
  const { scansLeft, filesLeft, scanning, reading, paths: pathsJson, ...rest } = row;
  const paths = JSON.parse(pathsJson) as string[];
  // Its stage from its jobs (in any process): a folder being listed, files being read, or
  // work queued behind someone else's.
  const stage = row.state !== 'running' ? null : scanning > 0 ? 'scanning' : reading > 0 ? 'reading' : 'waiting';
  return {
    ...rest,
    paths: paths.slice(0, SHOWN_PATHS),
    pathCount: paths.length,
    stage,
    filesTotal: scansLeft > 0 ? null : row.filesDone + filesLeft,
    currentFile: null,
  };
}

/** [path, lo, hi]: every path below `path` sorts between lo and hi. */
function pathRange(path: string): [string, string, string] {
  const base = path.replace(/[\\/]+$/, '');
  const sep = base.includes('\\') && !base.includes('/') ? '\\' : '/';
  return [base, base + sep, base + String.fromCharCode(sep.charCodeAt(0) + 1)];
}
