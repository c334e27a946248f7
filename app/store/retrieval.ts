// The read side of search: full-text (BM25) candidates, filters as SQL, and hits hydrated with
// their document. Ranking logic (fusion, snippets) lives in app/search; only SQL lives here.
import type { DocumentKind, SearchFiltersParsed } from '../contract/index.ts';
import type { SqliteDatabase } from '../../native/sqlite.ts';
import { ChunkDocuments, type ChunkMap } from './chunk-documents.ts';

export interface SqlCondition {
  sql: string;
  params: unknown[];
}

export type ParsedFilters = SearchFiltersParsed;

function likeContains(value: string): string {
  return '%' + value.replace(/[!%_]/g, '!$&') + '%';
}

/**
 * The filters as a condition over `d` (documents), or undefined when nothing is filtered. Its SQL
 * text depends only on which filters are set (values are parameters), so the statements built
 * from it are bounded: at most one per combination of filters.
 */
export function filterCondition(filters: ParsedFilters): SqlCondition | undefined {
  const parts: string[] = [];
  const params: unknown[] = [];
  // Lists go in as one JSON parameter: the SQL text stays the same whatever their length.
  if (filters.sourceIds?.length) {
    parts.push('d.source_id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(filters.sourceIds));
  }
  if (filters.kinds?.length) {
    parts.push('d.kind IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(filters.kinds));
  }
  if (filters.pathPrefix) {
    parts.push('substr(coalesce(d.path, d.uri), 1, ?) = ?');
    params.push(filters.pathPrefix.length, filters.pathPrefix);
  }
  if (filters.dateFrom !== undefined) {
    parts.push('d.date >= ?');
    params.push(filters.dateFrom);
  }
  if (filters.dateTo !== undefined) {
    parts.push('d.date <= ?');
    params.push(filters.dateTo);
  }
  if (filters.from) {
    parts.push(`d.sender LIKE ? ESCAPE '!'`);
    params.push(likeContains(filters.from));
  }
  if (filters.to) {
    parts.push(`d.recipients LIKE ? ESCAPE '!'`);
    params.push(likeContains(filters.to));
  }
  if (filters.folder) {
    // Mailbox documents (and their attachments) have the folder's uri, imap://…/FOLDER, as path.
    parts.push(`d.path LIKE 'imap://%' AND substr(d.path, -?) = ?`);
    params.push(filters.folder.length + 1, '/' + filters.folder);
  }
  return parts.length ? { sql: parts.join(' AND '), params } : undefined;
}

/**
 * The chunks a filtered search may return: a bitset over chunk ids (a bit each: 125 KB for a
 * million chunks), tested in constant time and rebuilt in place when the library changes. Ids
 * past MAX_BIT (none in practice: SQLite hands out row ids in order) are kept in a set.
 */
export class AllowedChunks {
  #bits = new Uint8Array(0);
  #beyond = new Set<number>();
  /** How many chunks are allowed. */
  count = 0;

  has(id: number): boolean {
    if (id >= MAX_BIT) return this.#beyond.has(id);
    const byte = id >>> 3;
    return byte < this.#bits.length && (this.#bits[byte]! & (1 << (id & 7))) !== 0;
  }

  /** The chunks allowed, ascending (any past MAX_BIT last). */
  ids(): number[] {
    const out: number[] = [];
    const bits = this.#bits;
    for (let byte = 0; byte < bits.length; byte++) {
      const b = bits[byte]!;
      if (b !== 0) for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) out.push(byte * 8 + bit);
    }
    for (const id of this.#beyond) out.push(id);
    return out;
  }

  /** Allows exactly `ids` (chunk ids: positive integers), reusing the memory it has. */
  set(ids: number[]): void {
    let top = 0;
    for (const id of ids) if (id > top && id < MAX_BIT) top = id;
    const bytes = (top >>> 3) + 1;
    if (this.#bits.length < bytes) this.#bits = new Uint8Array(Math.max(bytes, this.#bits.length * 2));
    else this.#bits.fill(0);
    this.#beyond.clear();
    const bits = this.#bits;
    for (const id of ids) {
      if (id < MAX_BIT) bits[id >>> 3]! |= 1 << (id & 7);
      else this.#beyond.add(id);
    }
    this.count = ids.length;
  }

  /**
   * Allows the chunks whose document is flagged in `passing` (by document id), from the map of
   * each chunk's document: one pass over the chunk ids, a byte of bits at a time.
   */
  fill({ documentOf, top }: ChunkMap, passing: Uint8Array): void {
    const bytes = (top >>> 3) + 1;
    if (this.#bits.length < bytes) this.#bits = new Uint8Array(bytes + (bytes >>> 3));
    this.#beyond.clear();
    const bits = this.#bits;
    let count = 0;
    for (let byte = 0; byte < bytes; byte++) {
      let b = 0;
      for (let bit = 0, id = byte << 3; bit < 8; bit++, id++) {
        // Past the map's end both read undefined: not allowed.
        if (passing[documentOf[id]!]) {
          b |= 1 << bit;
          count++;
        }
      }
      bits[byte] = b;
    }
    bits.fill(0, bytes);
    this.count = count;
  }
}

/** Chunk ids below this are kept as bits (at most 16 MB), any above in a set. */
const MAX_BIT = 2 ** 27;
/** Filters whose chunks are kept per connection: a search asks twice (keywords, vectors), and a UI switches between a few. */
const FILTERS_KEPT = 8;

interface KeptFilter {
  mark: string;
  /** Null when every chunk passes: nothing to test. */
  allowed: AllowedChunks | null;
  chunks: AllowedChunks;
}

/** Per connection: the filters kept, and findAllowed with the connection's map of each chunk's document. */
interface Connection {
  kept: Map<string, KeptFilter>;
  find: (filter: SqlCondition, mark: string, into: AllowedChunks) => AllowedChunks | null;
}
const connections = new WeakMap<SqliteDatabase, Connection>();

function connection(db: SqliteDatabase): Connection {
  let state = connections.get(db);
  if (!state) {
    const chunkDocuments = new ChunkDocuments(db);
    const find = (filter: SqlCondition, mark: string, into: AllowedChunks) => findAllowed(db, filter, into, chunkDocuments.current(mark));
    // In one read transaction (the caller's when it has one: the keyword thread's snapshot).
    const inSnapshot = db.transaction(find);
    connections.set(db, (state = { kept: new Map(), find: (...args) => (db.inTransaction ? find(...args) : inSnapshot.deferred(...args)) }));
  }
  return state;
}

/**
 * The chunks whose document passes `filter`, or null when every chunk does (a filter that keeps
 * everything costs nothing to test). The filter is evaluated on the documents alone (one query:
 * the cost of the filter itself), and their chunks found by one pass over the connection's map
 * of each chunk's document (see chunk-documents.ts), which a change to the library only
 * brings up to date. Kept for the last FILTERS_KEPT filters while the library is unchanged, and
 * found again in the same memory when it changed. In a transaction of a connection that writes
 * (it may roll back what the map would have taken in) the chunks are asked of SQL and nothing is
 * kept.
 */
export function allowedChunks(db: SqliteDatabase, filter: SqlCondition): AllowedChunks | null {
  // A read-only connection's transactions only read (the keyword thread searches in one).
  if (db.inTransaction && !db.readonly) return findAllowed(db, filter, new AllowedChunks(), null);
  const mark = changeMark(db);
  const key = `${filter.sql}\n${JSON.stringify(filter.params)}`;
  const { kept, find } = connection(db);
  let entry = kept.get(key);
  if (entry) {
    kept.delete(key); // re-inserted below: the most recently used last
    if (entry.mark === mark) {
      kept.set(key, entry);
      return entry.allowed;
    }
  } else {
    let chunks = new AllowedChunks();
    if (kept.size >= FILTERS_KEPT) {
      const [oldest, least] = kept.entries().next().value!;
      kept.delete(oldest);
      chunks = least.chunks;
    }
    entry = { mark, allowed: null, chunks };
  }
  entry.allowed = find(filter, mark, entry.chunks);
  entry.mark = mark;
  kept.set(key, entry);
  return entry.allowed;
}

/**
 * The documents that pass, then their chunks: from `map` when there is one, else by a join.
 * Null when every document passes.
 */
function findAllowed(db: SqliteDatabase, filter: SqlCondition, into: AllowedChunks, map: ChunkMap | null): AllowedChunks | null {
  const passing = db.prepare(`SELECT d.id FROM documents d WHERE ${filter.sql}`).pluck().all(...filter.params) as number[];
  if (passing.length === (db.prepare('SELECT count(*) FROM documents').pluck().get() as number)) return null;
  if (map) {
    // Documents with no chunk (ids past the map's last) need no flag; 0 in the map is no chunk.
    const flags = new Uint8Array(map.lastDocument + 1);
    for (const id of passing) if (id > 0 && id <= map.lastDocument) flags[id] = 1;
    into.fill(map, flags);
  } else {
    const ids = db
      .prepare(`SELECT c.id FROM documents d CROSS JOIN chunks c ON c.document_id = d.id WHERE ${filter.sql}`)
      .pluck()
      .all(...filter.params) as number[];
    into.set(ids);
  }
  return into;
}

/**
 * A value that changes whenever the library's content may have: commits by this connection
 * (total_changes) or by any other (data_version). For caches of derived figures.
 */
function changeMark(db: SqliteDatabase): string {
  const local = db.prepare('SELECT total_changes()').pluck().get() as number;
  return `${db.prepare('PRAGMA data_version').pluck().get() as number}:${local}`;
}

export interface HitRow {
  chunkId: number;
  documentId: number;
  uri: string;
  title: string;
  kind: DocumentKind;
  page: number | null;
  headingPath: string[];
  text: string;
  date: number | null;
  from: string | null;
  /** Present (true) when the chunk's text was read by OCR. */
  ocr?: true;
}

export class RetrievalQueries {
  private readonly db: SqliteDatabase;
  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  /**
   * Chunks matching an FTS5 expression, best first, with their BM25 score (lower is better, as
   * FTS5 reports it). `titleWeight` scales title matches against body matches.
   */
  fullText(match: string, k: number, titleWeight: number, where?: SqlCondition): { chunkId: number; score: number }[] {
    const weight = Number.isFinite(titleWeight) ? titleWeight : 1;
    const join = where ? 'JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.document_id' : '';
    const filter = where ? `AND ${where.sql}` : '';
    return this.db
      .prepare(
        `SELECT f.rowid AS chunkId, bm25(chunk_fts, ?, 1.0) AS score FROM chunk_fts f ${join}
         WHERE chunk_fts MATCH ? ${filter} ORDER BY score LIMIT ?`,
      )
      .all(weight, match, ...(where?.params ?? []), k) as { chunkId: number; score: number }[];
  }

  /** The largest chunk id (0 in an empty library). */
  lastChunkId(): number {
    return (this.db.prepare('SELECT max(id) FROM chunks').pluck().get() as number | null) ?? 0;
  }

  /** The text of the first chunk whose id is `id` or more, or null when there is none. */
  chunkTextFrom(id: number): string | null {
    return (this.db.prepare('SELECT text FROM chunks WHERE id >= ? ORDER BY id LIMIT 1').pluck().get(id) as string | undefined) ?? null;
  }

  /** How many chunks contain `term` (one word, matched as FTS5 matches it: stemmed, folded). */
  chunksWithTerm(term: string): number {
    return this.db.prepare('SELECT count(*) FROM chunk_fts WHERE chunk_fts MATCH ?').pluck().get(`"${term.replaceAll('"', '""')}"`) as number;
  }

  /**
   * A value that changes whenever the library's content may have: commits by this connection
   * (total_changes) or by any other (data_version). For caches of derived figures.
   */
  changeMark(): string {
    return changeMark(this.db);
  }

  /** The chunks a filtered search may return, or null when every chunk may (see allowedChunks). */
  allowedChunks(filter: SqlCondition): AllowedChunks | null {
    return allowedChunks(this.db, filter);
  }

  hits(chunkIds: number[]): Map<number, HitRow> {
    const out = new Map<number, HitRow>();
    if (chunkIds.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT c.id AS chunkId, d.id AS documentId, d.uri, d.title, d.kind, c.page, c.heading_path AS headingPath,
           c.text, d.date, d.sender AS "from", c.ocr
         FROM chunks c JOIN documents d ON d.id = c.document_id
         WHERE c.id IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(chunkIds)) as (Omit<HitRow, 'headingPath' | 'ocr'> & { headingPath: string; ocr: number })[];
    for (const { ocr, ...row } of rows) out.set(row.chunkId, { ...row, headingPath: JSON.parse(row.headingPath) as string[], ...(ocr ? { ocr: true as const } : {}) });
    return out;
  }
}
