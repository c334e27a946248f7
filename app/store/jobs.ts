// The persistent job queue: work is written down before it is done, so killing the process at
// any moment loses nothing. A job is deleted in the same transaction that stores its result.
// Several processes share the queue: a claimed job belongs to the process that claimed it (see
// processes.ts) and goes back in the queue only when that process is dead, releases it, or
// closes. A job belongs to its source too: removing the source deletes its jobs (foreign key).
import type { SqliteDatabase } from '../../native/sqlite.ts';
import type { Presence } from './processes.ts';

export type JobKind = 'scan' | 'file' | 'embed' | 'mail' | 'ocr';

export interface Job {
  id: number;
  kind: JobKind;
  payload: string;
  attempts: number;
}

/** Whether this process still holds a job it claimed: gone (deleted meanwhile: its source or file was removed) or lost (handed to another process). */
export type JobHold = 'held' | 'gone' | 'lost';

export class JobQueue {
  private readonly db: SqliteDatabase;
  private readonly presence: Presence;
  constructor(db: SqliteDatabase, presence: Presence) {
    this.db = db;
    this.presence = presence;
  }

  /** Queues a job unless the same one is already queued or running, or its source is gone; says whether it was queued. */
  enqueue(kind: JobKind, payload: unknown): boolean {
    return this.insert(kind, payload) > 0;
  }

  /**
   * The id of the job (queued now or already), or null when its source (payload.sourceId) no
   * longer exists: nothing is ever queued for a removed source.
   */
  enqueueId(kind: JobKind, payload: unknown): number | null {
    if (this.insert(kind, payload) < 0) return null;
    return this.db.prepare('SELECT id FROM jobs WHERE kind = ? AND payload = ?').pluck().get(kind, JSON.stringify(payload)) as number;
  }

  /** 1: queued; 0: the same job was there already; -1: its source is gone. */
  private insert(kind: JobKind, payload: unknown): number {
    const sourceId = (payload as { sourceId?: number }).sourceId ?? null;
    const queued = this.db
      .prepare(
        `INSERT INTO jobs (kind, payload, source_id, created_at)
         SELECT @kind, @payload, @sourceId, @now WHERE @sourceId IS NULL OR EXISTS (SELECT 1 FROM sources WHERE id = @sourceId)
         ON CONFLICT (kind, payload) DO NOTHING`,
      )
      .run({ kind, payload: JSON.stringify(payload), sourceId, now: Date.now() }).changes;
    if (queued > 0) return 1;
    return sourceId === null || this.db.prepare('SELECT 1 FROM sources WHERE id = ?').get(sourceId) ? 0 : -1;
  }

  /** Marks up to `limit` queued jobs of `kind` as running, owned by this process, and returns them, oldest first. */
  claim(kind: JobKind, limit: number): Job[] {
    return this.db
      .prepare(
        `UPDATE jobs SET state = 'running', owner = ?, attempts = attempts + 1
         WHERE id IN (SELECT id FROM jobs WHERE kind = ? AND state = 'queued' ORDER BY id LIMIT ?)
         RETURNING id, kind, payload, attempts`,
      )
      .all(this.presence.id, kind, limit)
      .sort((a, b) => (a as Job).id - (b as Job).id) as Job[];
  }

  /** Whether this process still holds a job it claimed (checked in the transaction that writes its result). */
  hold(id: number): JobHold {
    const row = this.db.prepare('SELECT owner FROM jobs WHERE id = ?').get(id) as { owner: number | null } | undefined;
    if (!row) return 'gone';
    return row.owner !== null && row.owner === this.presence.currentId ? 'held' : 'lost';
  }

  done(id: number): void {
    this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
  }

  /** Puts jobs this process claimed but did not finish back in the queue (a run stopped or failed). */
  release(ids: Iterable<number>): void {
    const owner = this.presence.currentId;
    const list = [...ids];
    if (owner === null || list.length === 0) return;
    this.db
      .prepare(`UPDATE jobs SET state = 'queued', owner = NULL WHERE owner = ? AND id IN (SELECT value FROM json_each(?))`)
      .run(owner, JSON.stringify(list));
  }

  /** Puts every job this process holds back in the queue (it is closing). */
  releaseAll(): void {
    const owner = this.presence.currentId;
    if (owner !== null) this.db.prepare(`UPDATE jobs SET state = 'queued', owner = NULL WHERE owner = ?`).run(owner);
  }

  /**
   * Puts the running jobs of dead processes back in the queue (and frees their locks); a live
   * process's jobs stay its own. Writes nothing when there is nothing to do. Returns how many.
   */
  requeueDead(): number {
    const dead = this.presence.deadProcesses();
    const orphaned = this.db.prepare(`SELECT 1 FROM jobs WHERE state = 'running' AND owner IS NULL LIMIT 1`).get() !== undefined;
    if (dead.length === 0 && !orphaned) return 0;
    return this.db.transaction(() => {
      this.presence.remove(dead);
      return this.db.prepare(`UPDATE jobs SET state = 'queued' WHERE state = 'running' AND owner IS NULL`).run().changes;
    }).immediate();
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
      .prepare(`SELECT source_id AS id, count(*) AS n FROM jobs WHERE kind = 'file' GROUP BY source_id`)
      .all() as { id: number; n: number }[];
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  /** Jobs of these kinds waiting to be claimed (not those running, here or in another process). */
  queued(kinds: JobKind[]): number {
    return this.db.prepare(`SELECT count(*) FROM jobs WHERE state = 'queued' AND kind IN (SELECT value FROM json_each(?))`).pluck().get(JSON.stringify(kinds)) as number;
  }

  count(kind?: JobKind): number {
    const row = kind
      ? this.db.prepare('SELECT count(*) AS n FROM jobs WHERE kind = ?').get(kind)
      : this.db.prepare('SELECT count(*) AS n FROM jobs').get();
    return (row as { n: number }).n;
  }
}
