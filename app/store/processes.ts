// The processes using a library, so that running jobs and named locks have an owner. A process
// registers when it first claims a job or takes a lock, refreshes its heartbeat every few seconds
// (an unref'd timer) while the library is open, and leaves on close. Another process is dead when
// its pid is gone on this host, or when its heartbeat is older than `staleMs` (another host, or a
// hung or suspended process): its locks are freed and its running jobs queued again (JobQueue).
// A live process's work and locks are never taken.
import { hostname } from 'node:os';
import type { SqliteDatabase, SqliteStatement } from '../../native/sqlite.ts';

export interface ProcessInfo {
  id: number;
  pid: number;
  host: string;
  /** What the process is, for people: "cairn watch", "the Cairn app". */
  description: string;
  startedAt: number;
  heartbeatAt: number;
}

export interface PresenceOptions {
  heartbeatMs: number;
  /** A heartbeat older than this is a dead (or hung) process's. */
  staleMs: number;
}

export const defaultPresenceOptions: PresenceOptions = { heartbeatMs: 5_000, staleMs: 120_000 };

/** A lock taken (with a signal that aborts if this process loses it), or the live process holding it. */
export type LockResult = { held: true; lost: AbortSignal } | { held: false; holder: ProcessInfo };

const COLUMNS = 'id, pid, host, description, started_at AS startedAt, heartbeat_at AS heartbeatAt';

export class Presence {
  readonly #db: SqliteDatabase;
  readonly #options: PresenceOptions;
  readonly #host = hostname();
  #id: number | null = null;
  #description = 'a Cairn process';
  #timer: NodeJS.Timeout | null = null;
  /** Locks this process holds: how many times taken, and the controller that aborts when it is lost. */
  readonly #locks = new Map<string, { count: number; controller: AbortController }>();

  constructor(db: SqliteDatabase, options: Partial<PresenceOptions> = {}) {
    this.#db = db;
    this.#options = { ...defaultPresenceOptions, ...options };
  }

  /** Says what this process is ("cairn watch", "the Cairn app"): a refused second watcher names it. */
  describe(description: string): void {
    this.#description = description;
    if (this.#id !== null) this.#db.prepare('UPDATE processes SET description = ? WHERE id = ?').run(description, this.#id);
  }

  /** This process's id in the library, registering it on first use. */
  get id(): number {
    if (this.#id === null) {
      const now = Date.now();
      this.#id = this.#db
        .prepare('INSERT INTO processes (pid, host, description, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?) RETURNING id')
        .pluck()
        .get(process.pid, this.#host, this.#description, now, now) as number;
      // Prepared now, with the registration, not on the first beat some seconds later.
      const beat = this.#db.prepare('UPDATE processes SET heartbeat_at = ? WHERE id = ?');
      this.#timer = setInterval(() => this.#beat(beat), this.#options.heartbeatMs);
      this.#timer.unref();
    }
    return this.#id;
  }

  /** This process's id if it is registered, without registering it. */
  get currentId(): number | null {
    return this.#id;
  }

  /** Ids of the other processes that are dead (read only: nothing is written when all are alive). */
  deadProcesses(): number[] {
    const now = Date.now();
    const rows = this.#db.prepare(`SELECT ${COLUMNS} FROM processes`).all() as ProcessInfo[];
    return rows.filter((p) => p.id !== this.#id && !this.#alive(p, now)).map((p) => p.id);
  }

  /** Deletes processes' rows: their locks go with them and their jobs lose their owner (foreign keys). */
  remove(ids: number[]): void {
    if (ids.length) this.#db.prepare('DELETE FROM processes WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
  }

  /**
   * Takes the named lock for this process. A dead holder's lock is taken over; a live one's is
   * not, and the result names the holder. Taken again by this process, it is counted: it is let
   * go after as many unlock() calls (or on close).
   */
  lock(name: string): LockResult {
    const me = this.id;
    const holder = this.#db.transaction(() => {
      this.remove(this.deadProcesses());
      this.#db.prepare('INSERT INTO locks (name, owner, taken_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING').run(name, me, Date.now());
      return this.#db.prepare(`SELECT ${COLUMNS} FROM processes WHERE id = (SELECT owner FROM locks WHERE name = ?)`).get(name) as ProcessInfo;
    }).immediate();
    if (holder.id !== me) return { held: false, holder };
    let held = this.#locks.get(name);
    if (!held) this.#locks.set(name, (held = { count: 0, controller: new AbortController() }));
    held.count++;
    return { held: true, lost: held.controller.signal };
  }

  /** The live process holding the named lock (this one included), or null; reads only. */
  holder(name: string): ProcessInfo | null {
    const holder = this.#db.prepare(`SELECT ${COLUMNS} FROM processes WHERE id = (SELECT owner FROM locks WHERE name = ?)`).get(name) as ProcessInfo | undefined;
    return holder && (holder.id === this.#id || this.#alive(holder, Date.now())) ? holder : null;
  }

  unlock(name: string): void {
    const held = this.#locks.get(name);
    if (!held || --held.count > 0) return;
    this.#locks.delete(name);
    if (this.#id !== null) this.#db.prepare('DELETE FROM locks WHERE name = ? AND owner = ?').run(name, this.#id);
  }

  /** Leaves the library: this process's locks go with its row (its jobs are released first, by JobQueue). */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    const id = this.#id;
    this.#id = null;
    this.#locks.clear();
    try {
      if (id !== null) this.#db.prepare('DELETE FROM processes WHERE id = ?').run(id);
    } catch {
      // Cannot write (busy, read-only, disk full): the row's heartbeat ages and others take it for dead.
    }
  }

  #beat(statement: SqliteStatement): void {
    if (this.#id === null) return;
    let registered: boolean;
    try {
      registered = statement.run(Date.now(), this.#id).changes > 0;
    } catch {
      return; // the library is busy or closing: the next beat tries again
    }
    if (!registered) this.#forget();
  }

  /**
   * Another process took this one for dead (it was suspended or hung past staleMs): its jobs and
   * locks may be someone else's now. Its locks are lost; it registers afresh when it next needs to.
   */
  #forget(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#id = null;
    for (const [name, { controller }] of this.#locks) {
      controller.abort(new Error(`Another process took over the '${name}' lock: this one was unresponsive for too long.`));
    }
    this.#locks.clear();
  }

  #alive(p: ProcessInfo, now: number): boolean {
    if (now - p.heartbeatAt > this.#options.staleMs) return false;
    return p.host !== this.#host || pidExists(p.pid);
  }
}

/** Whether a process with this pid exists on this machine (EPERM: it does, as another user). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
