// Where documents come from: imported paths now; watched folders, mailboxes and the web later.
import type { SqliteDatabase } from '../../native/sqlite.ts';

export type SourceKind = 'folder' | 'mailbox' | 'import' | 'web';

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
