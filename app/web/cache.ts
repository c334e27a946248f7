// The web cache over the library's tables: search results per provider and query, pages read per
// URL, each kept for a time-to-live. Only lasting outcomes are kept: a page that timed out or could
// not be reached is tried again next time, one that is not HTML or PDF is not.
import type { Library } from '../store/index.ts';
import type { ReadPage } from './reader.ts';
import type { WebSearchResult } from './types.ts';

export interface CacheTtl {
  searchMs: number;
  pageMs: number;
}

export const defaultCacheTtl: CacheTtl = { searchMs: 24 * 3600_000, pageMs: 7 * 24 * 3600_000 };

const LASTING = new Set(['unsupported', 'too-large', 'redirect-loop', 'redirects', 'no-text', 'bad-url']);

export class WebCache {
  private readonly library: Library;
  private readonly ttl: CacheTtl;
  private readonly now: () => number;

  constructor(library: Library, ttl: Partial<CacheTtl> = {}, now: () => number = Date.now) {
    this.library = library;
    this.ttl = { ...defaultCacheTtl, ...ttl };
    this.now = now;
  }

  search(providerKey: string, query: string): WebSearchResult[] | null {
    const row = this.library.webCache.search(providerKey, normalise(query), this.now());
    return row ? (JSON.parse(row.results) as WebSearchResult[]) : null;
  }

  putSearch(providerKey: string, query: string, results: WebSearchResult[]): void {
    this.library.webCache.putSearch(providerKey, normalise(query), JSON.stringify(results), this.ttl.searchMs, this.now());
  }

  page(url: string): ReadPage | null {
    const row = this.library.webCache.page(url, this.now());
    return row ? (JSON.parse(row.content) as ReadPage) : null;
  }

  /** Keeps a page read, or skipped for a lasting reason; transient failures are not kept. */
  putPage(url: string, page: ReadPage): boolean {
    if (!page.ok && !LASTING.has(page.code)) return false;
    this.library.webCache.putPage(url, JSON.stringify(page), this.ttl.pageMs, this.now());
    return true;
  }

  prune(): number {
    return this.library.webCache.prune(this.now());
  }
}

/** The same question asked with other spacing or case is the same search. */
function normalise(query: string): string {
  return query.replace(/\s+/g, ' ').trim().toLowerCase();
}
