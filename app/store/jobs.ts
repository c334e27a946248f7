// The persistent job queue: work is written down before it is done, so killing the process at
// any moment loses nothing. A job is deleted in the same transaction that stores its result.
import type { SqliteDatabase } from '../../native/sqlite.ts';

export type JobKind = 'scan' | 'file' | 'embed' | 'mail' | 'ocr';

export interface Job {
  id: number;
  kind: JobKind;
  payload: string;
  attempts: number;
}

export class JobQueue {
  private readonly db: SqliteDatabase;
  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  /** Queues a job unless the same one is already queued or running; says whether it was queued. */
  enqueue(kind: JobKind, payload: unknown): boolean {
    return this.db
      .prepare(`INSERT INTO jobs (kind, payload, created_at) VALUES (?, ?, ?) ON CONFLICT (kind, payload) DO NOTHING`)
      .run(kind, JSON.stringify(payload), Date.now()).changes > 0;
  }

  /** Marks up to `limit` queued jobs of `kind` as running and returns them, oldest first. */
  claim(kind: JobKind, limit: number): Job[] {
    return this.db
      .prepare(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1
         WHERE id IN (SELECT id FROM jobs WHERE kind = ? AND state = 'queued' ORDER BY id LIMIT ?)
         RETURNING id, kind, payload, attempts`,
      )
      .all(kind, limit)
      .sort((a, b) => (a as Job).id - (b as Job).id) as Job[];
  }

  /** Puts a claimed job back in the queue (work on it stopped before it was finished). */
  release(id: number): void {
    this.db.prepare(`UPDATE jobs SET state = 'queued' WHERE id = ?`).run(id);
  }

  done(id: number): void {
    this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
  }

  /** Puts jobs left running by a process that died back in the queue. */
  requeueRunning(): number {
    return this.db.prepare(`UPDATE jobs SET state = 'queued' WHERE state = 'running'`).run().changes;
  }

  /** Drops queued file jobs at or below a path (the user removed it before they ran). */
  dropFileJobsUnder(path: string): void {
    const base = path.replace(/[\\/]+$/, '');
    const jobs = this.db.prepare(`SELECT id, payload FROM jobs WHERE kind IN ('scan', 'file')`).all() as { id: number; payload: string }[];
    const drop = this.db.prepare('DELETE FROM jobs WHERE id = ?');
    for (const job of jobs) {
      const target = (JSON.parse(job.payload) as { path?: string }).path ?? '';
      if (target === base || target.startsWith(base + '/') || target.startsWith(base + '\\')) drop.run(job.id);
    }
  }

  /** Queued or running file jobs per source id. */
  fileJobsBySource(): Map<number, number> {
    const rows = this.db
      .prepare(`SELECT json_extract(payload, '$.sourceId') AS id, count(*) AS n FROM jobs WHERE kind = 'file' GROUP BY 1`)
      .all() as { id: number; n: number }[];
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  /** Drops the scan and file jobs of a source (it is being removed). */
  dropForSource(sourceId: number): number {
    return this.db
      .prepare(`DELETE FROM jobs WHERE kind IN ('scan', 'file') AND json_extract(payload, '$.sourceId') = ?`)
      .run(sourceId).changes;
  }

  count(kind?: JobKind): number {
    const row = kind
      ? this.db.prepare('SELECT count(*) AS n FROM jobs WHERE kind = ?').get(kind)
      : this.db.prepare('SELECT count(*) AS n FROM jobs').get();
    return (row as { n: number }).n;
  }
}
