// IMAP mailboxes: each account is a source of kind 'mailbox' (its settings, never its secret, in
// the source's config), with per-folder sync state (UIDVALIDITY, highest UID seen) and the
// account's state. Messages fetched from the server wait in the job queue with their raw bytes
// (job_blobs, deleted with the job), so a crash between fetching and indexing loses nothing.
import type { SqliteDatabase } from '../../native/sqlite.ts';
import type { Job, JobQueue } from './jobs.ts';

export interface MailFolderState {
  /** UIDVALIDITY as a decimal string (it is a 32-bit unsigned number; imapflow gives a bigint). */
  uidValidity: string;
  lastUid: number;
}

export interface MailAccountStateRow {
  state: string;
  done: number | null;
  total: number | null;
  reason: string | null;
  code: string | null;
  updatedAt: number;
  /** When its last sync completed (epoch ms), or null. */
  syncedAt: number | null;
}

/** What a 'mail' job carries: the message's place; its bytes are in job_blobs. */
export interface MailJobPayload {
  sourceId: number;
  /** The message's uri (imap://user@host:port/FOLDER;UIDVALIDITY=v/;UID=n). */
  path: string;
  /** The folder's uri, the documents' `path` (so a folder can be filtered and cleared). */
  folder: string;
  /** The folder's name on the server (INBOX, Sent...). */
  mailbox: string;
  uid: number;
  uidValidity: string;
  /** The server's INTERNALDATE (epoch ms): the message's date when it has no Date or Received header. */
  internalDate?: number;
}

export class MailboxRepository {
  private readonly db: SqliteDatabase;
  private readonly queue: JobQueue;
  constructor(db: SqliteDatabase, queue: JobQueue) {
    this.db = db;
    this.queue = queue;
  }

  config<T>(sourceId: number): T | null {
    const row = this.db.prepare(`SELECT config FROM sources WHERE id = ? AND kind = 'mailbox'`).get(sourceId) as { config: string } | undefined;
    return row ? (JSON.parse(row.config) as T) : null;
  }

  setConfig(sourceId: number, config: unknown): void {
    this.db.prepare('UPDATE sources SET config = ? WHERE id = ?').run(JSON.stringify(config), sourceId);
  }

  /** Removes an account: its documents, folders, state and queued messages go with it (foreign keys). */
  removeAccount(sourceId: number): void {
    this.db.prepare(`DELETE FROM sources WHERE id = ? AND kind = 'mailbox'`).run(sourceId);
  }

  folderState(sourceId: number, folder: string): MailFolderState | null {
    const row = this.db
      .prepare('SELECT uid_validity AS uidValidity, last_uid AS lastUid FROM mail_folders WHERE source_id = ? AND path = ?')
      .get(sourceId, folder) as MailFolderState | undefined;
    return row ?? null;
  }

  /** Records a folder's sync state (nothing when the account was removed meanwhile, by another process). */
  setFolderState(sourceId: number, folder: string, state: MailFolderState): void {
    this.db
      .prepare(
        `INSERT INTO mail_folders (source_id, path, uid_validity, last_uid)
         SELECT @sourceId, @folder, @uidValidity, @lastUid WHERE EXISTS (SELECT 1 FROM sources WHERE id = @sourceId)
         ON CONFLICT (source_id, path) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid`,
      )
      .run({ sourceId, folder, ...state });
  }

  /** UIDs (of this UIDVALIDITY) indexed from a folder or waiting in the queue. */
  knownUids(sourceId: number, folderUri: string, uidValidity: string): Set<number> {
    const uids = new Set<number>();
    const prefix = `${folderUri};UIDVALIDITY=${uidValidity}/;UID=`;
    const uris = this.db
      .prepare('SELECT uri FROM documents WHERE path = ? AND parent_id IS NULL AND source_id = ?')
      .pluck()
      .all(folderUri, sourceId) as string[];
    for (const uri of uris) if (uri.startsWith(prefix)) uids.add(Number(uri.slice(prefix.length)));
    for (const job of this.jobs(sourceId, folderUri)) if (job.payload.uidValidity === uidValidity) uids.add(job.payload.uid);
    return uids;
  }

  /** Everything indexed or queued from a folder leaves (its UIDVALIDITY changed, or it is no longer synced). */
  clearFolder(sourceId: number, folderUri: string): number {
    this.dropJobs(sourceId, folderUri);
    return this.db.prepare('DELETE FROM documents WHERE path = ? AND parent_id IS NULL AND source_id = ?').run(folderUri, sourceId).changes;
  }

  /** A message left the folder (expunged or moved): its document and any queued job go. */
  removeMessage(payload: Pick<MailJobPayload, 'sourceId' | 'folder' | 'path'>): number {
    for (const job of this.jobs(payload.sourceId, payload.folder)) if (job.payload.path === payload.path) this.db.prepare('DELETE FROM jobs WHERE id = ?').run(job.id);
    return this.db.prepare('DELETE FROM documents WHERE uri = ? AND parent_id IS NULL').run(payload.path).changes;
  }

  /** Queues a fetched message with its bytes (again: its bytes are replaced); false when the account is gone. */
  enqueueMessage(payload: MailJobPayload, bytes: Uint8Array): boolean {
    const id = this.queue.enqueueId('mail', payload);
    if (id === null) return false;
    this.db.prepare('INSERT INTO job_blobs (job_id, bytes) VALUES (?, ?) ON CONFLICT (job_id) DO UPDATE SET bytes = excluded.bytes').run(id, bytes);
    return true;
  }

  /** A claimed 'mail' job's payload and bytes (null bytes: the blob is missing). */
  loadJob(job: Job): { payload: MailJobPayload; bytes: Uint8Array | null } {
    const payload = JSON.parse(job.payload) as MailJobPayload;
    const bytes = this.db.prepare('SELECT bytes FROM job_blobs WHERE job_id = ?').pluck().get(job.id) as Buffer | undefined;
    return { payload, bytes: bytes ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null };
  }

  pendingMessages(sourceId?: number): number {
    return sourceId === undefined
      ? (this.db.prepare(`SELECT count(*) FROM jobs WHERE kind = 'mail'`).pluck().get() as number)
      : (this.db.prepare(`SELECT count(*) FROM jobs WHERE kind = 'mail' AND source_id = ?`).pluck().get(sourceId) as number);
  }

  /** Indexed messages (top-level documents) of an account. */
  messageCount(sourceId: number): number {
    return this.db.prepare(`SELECT count(*) FROM documents WHERE source_id = ? AND parent_id IS NULL`).pluck().get(sourceId) as number;
  }

  /** Records what an account is doing (nothing when it was removed meanwhile, by another process). */
  setState(sourceId: number, state: { state: string; done?: number | null; total?: number | null; reason?: string | null; code?: string | null }): void {
    this.db
      .prepare(
        `INSERT INTO mail_accounts (source_id, state, done, total, reason, code, updated_at)
         SELECT @sourceId, @state, @done, @total, @reason, @code, @now WHERE EXISTS (SELECT 1 FROM sources WHERE id = @sourceId)
         ON CONFLICT (source_id) DO UPDATE SET state = excluded.state, done = excluded.done, total = excluded.total,
           reason = excluded.reason, code = excluded.code, updated_at = excluded.updated_at`,
      )
      .run({ sourceId, state: state.state, done: state.done ?? null, total: state.total ?? null, reason: state.reason ?? null, code: state.code ?? null, now: Date.now() });
  }

  /** Records that a sync of the account completed now. */
  markSynced(sourceId: number): void {
    this.db.prepare('UPDATE mail_accounts SET synced_at = ? WHERE source_id = ?').run(Date.now(), sourceId);
  }

  state(sourceId: number): MailAccountStateRow | null {
    const row = this.db
      .prepare('SELECT state, done, total, reason, code, updated_at AS updatedAt, synced_at AS syncedAt FROM mail_accounts WHERE source_id = ?')
      .get(sourceId) as MailAccountStateRow | undefined;
    return row ?? null;
  }

  private jobs(sourceId: number, folderUri: string | null): { id: number; payload: MailJobPayload }[] {
    const rows = this.db.prepare(`SELECT id, payload FROM jobs WHERE kind = 'mail' AND source_id = ?`).all(sourceId) as { id: number; payload: string }[];
    return rows
      .map((r) => ({ id: r.id, payload: JSON.parse(r.payload) as MailJobPayload }))
      .filter((j) => folderUri === null || j.payload.folder === folderUri);
  }

  private dropJobs(sourceId: number, folderUri: string | null): void {
    const drop = this.db.prepare('DELETE FROM jobs WHERE id = ?');
    for (const job of this.jobs(sourceId, folderUri)) drop.run(job.id);
  }
}
