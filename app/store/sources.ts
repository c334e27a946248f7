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
