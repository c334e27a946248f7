// The web cache: search results per provider and query, and pages read per URL, each with the
// time it was fetched and when it expires. Expired rows are never returned and are pruned.
import type { SqliteDatabase } from '../../native/sqlite.ts';

export interface CachedSearch {
  /** JSON of the provider's results. */
  results: string;
  fetchedAt: number;
}

export interface CachedPage {
  url: string;
  /** JSON of what was read (status, title, sections or the reason it was skipped). */
  content: string;
  fetchedAt: number;
}

export class WebCacheRepository {
  private readonly db: SqliteDatabase;
  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  search(provider: string, query: string, now = Date.now()): CachedSearch | null {
    const row = this.db
      .prepare('SELECT results, fetched_at AS fetchedAt FROM web_search_cache WHERE provider = ? AND query = ? AND expires_at > ?')
      .get(provider, query, now) as CachedSearch | undefined;
    return row ?? null;
  }

  putSearch(provider: string, query: string, results: string, ttlMs: number, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO web_search_cache (provider, query, results, fetched_at, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (provider, query) DO UPDATE SET results = excluded.results, fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
      )
      .run(provider, query, results, now, now + ttlMs);
  }

  page(url: string, now = Date.now()): CachedPage | null {
    const row = this.db
      .prepare('SELECT url, content, fetched_at AS fetchedAt FROM web_page_cache WHERE url = ? AND expires_at > ?')
      .get(url, now) as CachedPage | undefined;
    return row ?? null;
  }

  putPage(url: string, content: string, ttlMs: number, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO web_page_cache (url, content, fetched_at, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (url) DO UPDATE SET content = excluded.content, fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
      )
      .run(url, content, now, now + ttlMs);
  }

  /** Deletes expired rows; returns how many. */
  prune(now = Date.now()): number {
    const a = this.db.prepare('DELETE FROM web_search_cache WHERE expires_at <= ?').run(now).changes;
    const b = this.db.prepare('DELETE FROM web_page_cache WHERE expires_at <= ?').run(now).changes;
    return a + b;
  }

  /** Rows held (expired or not), for tests and status. */
  counts(): { searches: number; pages: number } {
    const searches = (this.db.prepare('SELECT count(*) AS n FROM web_search_cache').get() as { n: number }).n;
    const pages = (this.db.prepare('SELECT count(*) AS n FROM web_page_cache').get() as { n: number }).n;
    return { searches, pages };
  }
}
