// Where documents come from: imported paths now; watched folders, mailboxes and the web later.
import type { SqliteDatabase } from '../../native/sqlite.ts';

export type SourceKind = 'folder' | 'mailbox' | 'import' | 'web';

/**
 * The setting listing the ids of sources the user paused: not watched or synced, and their queued
 * jobs wait (JobQueue.claim reads it in SQL), until resumed.
 */
export const PAUSED_SOURCES_SETTING = 'paused-sources';

export interface SourceRow {
  id: number;
  kind: SourceKind;
  uri: string;
  name: string;
}

export class SourceRepository {
  private readonly db: SqliteDatabase;
  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  /** The source of this kind at `uri`, created if new. */
  ensure(kind: SourceKind, uri: string, name: string): SourceRow {
    this.db
      .prepare('INSERT INTO sources (kind, uri, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, uri) DO NOTHING')
      .run(kind, uri, name, Date.now());
    return this.db.prepare('SELECT id, kind, uri, name FROM sources WHERE kind = ? AND uri = ?').get(kind, uri) as SourceRow;
  }

  list(): SourceRow[] {
    return this.db.prepare('SELECT id, kind, uri, name FROM sources ORDER BY id').all() as SourceRow[];
  }

  /** The source's settings (JSON in the config column), or null when there is no such source. */
  config(id: number): unknown {
    const row = this.db.prepare('SELECT config FROM sources WHERE id = ?').get(id) as { config: string } | undefined;
    return row ? (JSON.parse(row.config) as unknown) : null;
  }

  setConfig(id: number, config: unknown): void {
    this.db.prepare('UPDATE sources SET config = ? WHERE id = ?').run(JSON.stringify(config), id);
  }

  /** Ids of the sources the user paused. */
  paused(): Set<number> {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(PAUSED_SOURCES_SETTING) as string | undefined;
    const ids: unknown = row ? JSON.parse(row) : [];
    return new Set(Array.isArray(ids) ? ids.filter((id): id is number => typeof id === 'number') : []);
  }

  setPaused(id: number, paused: boolean): void {
    const ids = this.paused();
    if (paused) ids.add(id);
    else ids.delete(id);
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(PAUSED_SOURCES_SETTING, JSON.stringify([...ids]));
  }

  byKind(kind: SourceKind): SourceRow[] {
    return this.db.prepare('SELECT id, kind, uri, name FROM sources WHERE kind = ? ORDER BY id').all(kind) as SourceRow[];
  }

  /** Deletes a source; its documents go with it (foreign key cascade). */
  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM sources WHERE id = ?').run(id).changes > 0;
  }

  /** Removes sources whose uri is `path` or lies below it. */
  removeUnder(path: string): number {
    const base = path.replace(/[\\/]+$/, '');
    return this.db
      .prepare(`DELETE FROM sources WHERE uri = ? OR uri LIKE ? ESCAPE '!' OR uri LIKE ? ESCAPE '!'`)
      .run(base, likePrefix(base + '/'), likePrefix(base + '\\')).changes;
  }
}

function likePrefix(prefix: string): string {
  return prefix.replace(/[!%_]/g, '!$&') + '%';
}
