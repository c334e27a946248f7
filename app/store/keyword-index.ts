// The keyword index: for each token of the full-text index, the chunks that hold it, so that
// app/search can rank BM25 top-k itself instead of FTS5's bm25() scoring row by row through
// SQL callbacks. Tokens are FTS5's own (fts-tokens.ts) over the same analysed text as the
// full-text rows (title and sender, body), so the statistics are FTS5's: chunks and tokens in
// all, chunks per token, and per posting the title and body counts and the chunk's length.
//
// Postings are kept by token in blocks of chunk ids (BLOCK at most, ordered), each a blob of
// varints. Triggers (migration 10) keep the bookkeeping exact whatever writes the chunks: a new
// chunk is queued in keyword_pending, a deleted one leaves keyword_chunks (its tokens go to
// keyword_removed, and the totals follow), a document whose title or sender changes queues its
// chunks again. sync() applies the queues in the caller's transaction (Library.transaction does
// it before every commit), so the index commits with the chunks or not at all; while anything
// is queued, current() is false and search asks FTS5 instead.
import { analyze } from '../search/analyze.ts';
import type { SqliteDatabase } from '../../native/sqlite.ts';
import { tokenize, type TokenCounts } from './fts-tokens.ts';

/**
 * Postings a block holds after a write (a block inside grows to twice this before it is split).
 * Reading a row costs about 1.5 µs whatever its size: at a million chunks, blocks of 1,024 made
 * keyword top-k 15% cheaper than blocks of 256 (4,096: no cheaper again), and appending to the
 * last block copies its bytes without decoding them, so writes cost no more.
 */
const BLOCK = 1024;
/** Chunk ids the index keys can hold (a block's key is term id × this + its last chunk id). */
export const MAX_CHUNK_ID = 2 ** 27;
// A term's blocks: keys from @term × 2^27 on (with their last chunk ids or not); the first at or past chunk @at; the last; one by its last chunk.
const TERM_BLOCKS = 'SELECT postings FROM keyword_blocks WHERE key >= @term * 134217728 AND key < (@term + 1) * 134217728 ORDER BY key';
const TERM_BLOCKS_LAST_IDS = `SELECT key - @term * 134217728, postings FROM keyword_blocks
  WHERE key >= @term * 134217728 AND key < (@term + 1) * 134217728 ORDER BY key`;
const BLOCK_AT = `SELECT key - @term * 134217728, postings FROM keyword_blocks
  WHERE key >= @term * 134217728 + @at AND key < (@term + 1) * 134217728 ORDER BY key LIMIT 1`;
const LAST_BLOCK = `SELECT key - @term * 134217728, postings FROM keyword_blocks
  WHERE key >= @term * 134217728 AND key < (@term + 1) * 134217728 ORDER BY key DESC LIMIT 1`;
const DROP_BLOCK = 'DELETE FROM keyword_blocks WHERE key = @term * 134217728 + @at';
/** Chunks read and indexed at a time by sync(): memory stays flat however much is queued. */
const PAGE = 2_000;

/** A token's postings, in chunk id order. */
export interface Postings {
  count: number;
  ids: Float64Array;
  title: Uint32Array;
  body: Uint32Array;
  length: Uint32Array;
}

export interface KeywordTerm {
  id: number;
  /** Chunks that hold the token. */
  chunks: number;
  /** At least as many times as it occurs in any chunk's title, and in any chunk's body. */
  maxTitle: number;
  maxBody: number;
  /** At most the length of any chunk that holds it. */
  minLength: number;
}

export interface KeywordTotals {
  chunks: number;
  tokens: number;
}

interface Posting {
  id: number;
  title: number;
  body: number;
  length: number;
}

/** The schema of migration 10 (see the file comment). */
export const KEYWORD_SCHEMA = `
  -- Per token: chunks that hold it, and bounds on its postings for ranking with MaxScore (the
  -- most it occurs in a title and in a body, the shortest chunk): kept when postings go, so
  -- they may be loose but never too tight.
  CREATE TABLE keyword_terms (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    chunks INTEGER NOT NULL,
    max_title INTEGER NOT NULL DEFAULT 0,
    max_body INTEGER NOT NULL DEFAULT 0,
    min_length INTEGER NOT NULL DEFAULT 2147483647
  );
  -- Postings of a token in blocks, keyed by term id × 2^27 + the block's last chunk id (a rowid:
  -- its rows keep blobs of a few KB inline, where an index's overflow past 1 KB): varints of
  -- the number of postings, then of each (chunk id delta, body count, title count, chunk length).
  CREATE TABLE keyword_blocks (
    key INTEGER PRIMARY KEY,
    postings BLOB NOT NULL
  );
  -- Every indexed chunk: its length in tokens and its term ids (varints of the deltas), so
  -- that its postings can be found again when it goes.
  CREATE TABLE keyword_chunks (
    chunk_id INTEGER PRIMARY KEY,
    length INTEGER NOT NULL,
    terms BLOB NOT NULL
  );
  CREATE TABLE keyword_pending (chunk_id INTEGER PRIMARY KEY);
  CREATE TABLE keyword_removed (chunk_id INTEGER NOT NULL, terms BLOB NOT NULL);
  CREATE TABLE keyword_totals (id INTEGER PRIMARY KEY CHECK (id = 1), chunks INTEGER NOT NULL, tokens INTEGER NOT NULL);
  INSERT INTO keyword_totals (id, chunks, tokens) VALUES (1, 0, 0);

  CREATE TRIGGER chunks_insert_keywords AFTER INSERT ON chunks BEGIN
    INSERT INTO keyword_pending (chunk_id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM keyword_pending WHERE chunk_id = new.id);
  END;
  CREATE TRIGGER chunks_delete_keywords AFTER DELETE ON chunks BEGIN
    DELETE FROM keyword_pending WHERE chunk_id = old.id;
    DELETE FROM keyword_chunks WHERE chunk_id = old.id;
  END;
  CREATE TRIGGER keyword_chunks_insert AFTER INSERT ON keyword_chunks BEGIN
    UPDATE keyword_totals SET chunks = chunks + 1, tokens = tokens + new.length;
  END;
  CREATE TRIGGER keyword_chunks_delete AFTER DELETE ON keyword_chunks BEGIN
    INSERT INTO keyword_removed (chunk_id, terms) VALUES (old.chunk_id, old.terms);
    UPDATE keyword_totals SET chunks = chunks - 1, tokens = tokens - old.length;
  END;
  -- The title row of every chunk is its document's title and sender. (No OR IGNORE inside
  -- triggers: the statement that fires one, an upsert, imposes its own conflict policy.)
  CREATE TRIGGER documents_title_keywords AFTER UPDATE OF title, sender ON documents
  WHEN old.title IS NOT new.title OR old.sender IS NOT new.sender BEGIN
    DELETE FROM keyword_chunks WHERE chunk_id IN (SELECT id FROM chunks WHERE document_id = new.id);
    INSERT INTO keyword_pending (chunk_id) SELECT id FROM chunks
    WHERE document_id = new.id AND id NOT IN (SELECT chunk_id FROM keyword_pending);
  END;
`;

export class KeywordIndex {
  private readonly db: SqliteDatabase;
  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  /** Whether the index holds exactly what the full-text index does (nothing queued). */
  current(): boolean {
    return !this.db.prepare('SELECT EXISTS (SELECT 1 FROM keyword_pending) OR EXISTS (SELECT 1 FROM keyword_removed)').pluck().get();
  }

  /** Applies what is queued: removed chunks leave their postings, pending ones are tokenized and added. */
  sync(): void {
    if (this.current()) return;
    this.applyRemovals();
    this.indexPending();
  }

  /** The largest chunk id the index holds (0 when empty). */
  lastChunkId(): number {
    return (this.db.prepare('SELECT max(chunk_id) FROM keyword_chunks').pluck().get() as number | null) ?? 0;
  }

  totals(): KeywordTotals {
    return this.db.prepare('SELECT chunks, tokens FROM keyword_totals').get() as KeywordTotals;
  }

  /** The terms of these tokens (null where no chunk has the token), in the same order. */
  terms(tokens: readonly string[]): (KeywordTerm | null)[] {
    const find = this.db.prepare('SELECT id, chunks, max_title AS maxTitle, max_body AS maxBody, min_length AS minLength FROM keyword_terms WHERE token = ?');
    return tokens.map((token) => (find.get(token) as KeywordTerm | undefined) ?? null);
  }

  /**
   * Every posting of a term, in chunk id order, in arrays this index reuses: valid until the
   * next call.
   */
  postings(term: Pick<KeywordTerm, 'id'>): Postings {
    const blocks = this.db.prepare(TERM_BLOCKS).pluck().all({ term: term.id }) as Buffer[];
    let count = 0;
    for (const blob of blocks) count += blockCount(blob);
    const out = this.scratchFor(count);
    let at = 0;
    for (const blob of blocks) at = decodeInto(blob, out, at);
    return out;
  }

  /**
   * The postings of a term for some chunks (ids ascending): `found(i, title, body, length)` for
   * each ids[i] the term has. Reads only the blocks those chunks fall in, one at a time, or all
   * of them in one go when that is cheaper (a block read alone costs about what it does in a
   * whole read); blocks without any of the chunks are not decoded.
   */
  lookup(term: KeywordTerm, ids: ArrayLike<number>, found: Found): void {
    if (ids.length === 0) return;
    const all = ids.length >= (2 * term.chunks) / BLOCK ? (this.db.prepare(TERM_BLOCKS_LAST_IDS).raw().all({ term: term.id }) as [number, Buffer][]) : null;
    const blockAt = this.db.prepare(BLOCK_AT).raw();
    for (let i = 0, next = 0; i < ids.length; ) {
      let row: [number, Buffer] | undefined;
      if (all) {
        while (next < all.length && all[next]![0] < ids[i]!) next++;
        row = all[next++];
      } else {
        row = blockAt.get({ term: term.id, at: ids[i] }) as [number, Buffer] | undefined;
      }
      if (!row) return;
      i = matchBlock(row[1], row[0], ids, i, found);
    }
  }

  private scratch: Postings = { count: 0, ids: new Float64Array(0), title: new Uint32Array(0), body: new Uint32Array(0), length: new Uint32Array(0) };

  private scratchFor(count: number): Postings {
    if (this.scratch.ids.length < count) {
      const size = Math.max(count, this.scratch.ids.length * 2);
      this.scratch = { count, ids: new Float64Array(size), title: new Uint32Array(size), body: new Uint32Array(size), length: new Uint32Array(size) };
    }
    this.scratch.count = count;
    return this.scratch;
  }

  /** Rebuilds the index from the chunks (the migration that adds it; repair). */
  rebuild(): void {
    if (!this.db.inTransaction) return this.db.transaction(() => this.rebuild())();
    this.db.exec(`
      DELETE FROM keyword_terms; DELETE FROM keyword_blocks; DELETE FROM keyword_chunks; DELETE FROM keyword_removed;
      UPDATE keyword_totals SET chunks = 0, tokens = 0;
      INSERT OR IGNORE INTO keyword_pending (chunk_id) SELECT id FROM chunks;
    `);
    this.sync();
  }

  /**
   * Rewrites every term's postings in blocks of `size` (migration 16: libraries written before
   * BLOCK was 1,024 hold blocks of 256). A term at a time: memory grows with the commonest.
   */
  reblock(size = BLOCK): void {
    const termIds = this.db.prepare('SELECT id FROM keyword_terms ORDER BY id').pluck().all() as number[];
    const blocks = this.db.prepare('SELECT count(*) FROM keyword_blocks WHERE key >= @term * 134217728 AND key < (@term + 1) * 134217728').pluck();
    const drop = this.db.prepare('DELETE FROM keyword_blocks WHERE key >= @term * 134217728 AND key < (@term + 1) * 134217728');
    for (const id of termIds) {
      if ((blocks.get({ term: id }) as number) < 2) continue;
      const p = this.postings({ id });
      drop.run({ term: id });
      for (let at = 0; at < p.count; at += size) {
        const block: Posting[] = [];
        for (let i = at; i < Math.min(p.count, at + size); i++) block.push({ id: p.ids[i]!, title: p.title[i]!, body: p.body[i]!, length: p.length[i]! });
        this.writeBlock(id, block);
      }
    }
  }

  private applyRemovals(): void {
    const read = this.db.prepare('SELECT rowid, chunk_id, terms FROM keyword_removed WHERE rowid > ? ORDER BY rowid LIMIT ?').raw();
    const byTerm = new Map<number, number[]>();
    for (let after = 0; ; ) {
      const rows = read.all(after, PAGE) as [number, number, Buffer][];
      if (rows.length === 0) break;
      for (const [, chunkId, terms] of rows) {
        for (const termId of decodeTerms(terms)) {
          let ids = byTerm.get(termId);
          if (!ids) byTerm.set(termId, (ids = []));
          ids.push(chunkId);
        }
      }
      after = rows.at(-1)![0];
    }
    for (const [termId, ids] of byTerm) this.removePostings(termId, ids.sort((a, b) => a - b));
    this.db.prepare('DELETE FROM keyword_removed').run();
  }

  private removePostings(termId: number, ids: number[]): void {
    const blockAt = this.db.prepare(BLOCK_AT).raw();
    const drop = this.db.prepare(DROP_BLOCK);
    let removed = 0;
    for (let i = 0; i < ids.length; ) {
      const row = blockAt.get({ term: termId, at: ids[i] }) as [number, Buffer] | undefined;
      if (!row) break;
      const [lastId, blob] = row;
      const gone = new Set<number>();
      while (i < ids.length && ids[i]! <= lastId) gone.add(ids[i++]!);
      const postings = decodeBlock(blob);
      const kept = postings.filter((p) => !gone.has(p.id));
      removed += postings.length - kept.length;
      drop.run({ term: termId, at: lastId });
      if (kept.length) this.writeBlock(termId, kept);
    }
    const left = (this.db.prepare('UPDATE keyword_terms SET chunks = chunks - ? WHERE id = ? RETURNING chunks').pluck().get(removed, termId) as number | undefined) ?? 0;
    if (left <= 0) this.db.prepare('DELETE FROM keyword_terms WHERE id = ?').run(termId);
  }

  private indexPending(): void {
    const page = this.db.prepare(
      `SELECT c.id, c.text, d.title || ' ' || coalesce(d.sender, '') FROM keyword_pending p
       JOIN chunks c ON c.id = p.chunk_id JOIN documents d ON d.id = c.document_id
       WHERE p.chunk_id < 134217728 ORDER BY p.chunk_id LIMIT ?`,
    ).raw();
    const done = this.db.prepare('DELETE FROM keyword_pending WHERE chunk_id IN (SELECT value FROM json_each(?))');
    for (;;) {
      const rows = page.all(PAGE) as [number, string, string][];
      if (rows.length === 0) break;
      this.add(rows);
      done.run(JSON.stringify(rows.map((r) => r[0])));
    }
    // Queued chunks whose document is gone (the join missed them) are gone themselves. Chunk ids
    // past MAX_CHUNK_ID stay queued: such a library is ranked by FTS5 alone.
    this.db.prepare('DELETE FROM keyword_pending WHERE chunk_id < 134217728').run();
  }

  /** Adds chunks [id, text, title] (never indexed, or removed before). */
  private add(rows: [number, string, string][]): void {
    const titles = new Map<string, number>();
    for (const [, , title] of rows) if (!titles.has(title)) titles.set(title, titles.size);
    const titleTexts = [...titles.keys()];
    const tokens = tokenize([...titleTexts.map(analyze), ...rows.map(([, text]) => analyze(text))]);
    const termIds = this.termIds(tokens);
    const byTerm = new Map<number, Posting[]>();
    const chunkRow = this.db.prepare('INSERT INTO keyword_chunks (chunk_id, length, terms) VALUES (?, ?, ?)');
    rows.forEach(([id, , title], i) => {
      const titleCounts = tokens[titles.get(title)!]!;
      const bodyCounts = tokens[titleTexts.length + i]!;
      let length = 0;
      for (const n of titleCounts.values()) length += n;
      for (const n of bodyCounts.values()) length += n;
      const counts = new Map<number, Posting>();
      for (const [token, n] of titleCounts) counts.set(termIds.get(token)!, { id, title: n, body: 0, length });
      for (const [token, n] of bodyCounts) {
        const termId = termIds.get(token)!;
        const posting = counts.get(termId);
        if (posting) posting.body = n;
        else counts.set(termId, { id, title: 0, body: n, length });
      }
      for (const [termId, posting] of counts) {
        let list = byTerm.get(termId);
        if (!list) byTerm.set(termId, (list = []));
        list.push(posting);
      }
      chunkRow.run(id, length, encodeTerms([...counts.keys()].sort((a, b) => a - b)));
    });
    const count = this.db.prepare(
      `UPDATE keyword_terms SET chunks = chunks + ?, max_title = max(max_title, ?), max_body = max(max_body, ?),
         min_length = min(min_length, ?) WHERE id = ?`,
    );
    for (const [termId, postings] of byTerm) {
      this.insertPostings(termId, postings.sort((a, b) => a.id - b.id));
      let [maxTitle, maxBody, minLength] = [0, 0, Infinity];
      for (const p of postings) [maxTitle, maxBody, minLength] = [Math.max(maxTitle, p.title), Math.max(maxBody, p.body), Math.min(minLength, p.length)];
      count.run(postings.length, maxTitle, maxBody, minLength, termId);
    }
  }

  /** Term ids of every token in these counts, made for new tokens. */
  private termIds(counts: TokenCounts[]): Map<string, number> {
    const find = this.db.prepare('SELECT id FROM keyword_terms WHERE token = ?').pluck();
    const make = this.db.prepare('INSERT INTO keyword_terms (token, chunks) VALUES (?, 0) RETURNING id').pluck();
    const ids = new Map<string, number>();
    for (const map of counts) {
      for (const token of map.keys()) {
        if (ids.has(token)) continue;
        ids.set(token, ((find.get(token) as number | undefined) ?? make.get(token)) as number);
      }
    }
    return ids;
  }

  /** Merges postings (by id, none already there) into a term's blocks. */
  private insertPostings(termId: number, postings: Posting[]): void {
    const blockAt = this.db.prepare(BLOCK_AT).raw();
    const lastBlock = this.db.prepare(LAST_BLOCK).raw();
    const drop = this.db.prepare(DROP_BLOCK);
    for (let i = 0; i < postings.length; ) {
      // The block these go in: the first that ends after the next one, else the last block.
      let row = blockAt.get({ term: termId, at: postings[i]!.id }) as [number, Buffer] | undefined;
      const tail = !row;
      if (tail) row = lastBlock.get({ term: termId }) as [number, Buffer] | undefined;
      let j = i;
      if (tail) j = postings.length;
      else while (j < postings.length && postings[j]!.id <= row![0]) j++;
      const incoming = postings.slice(i, j);
      i = j;
      if (!row) {
        this.writeBlocks(termId, incoming);
        continue;
      }
      if (tail) {
        // Appended to the last block as bytes, without decoding it: it fills up to BLOCK, and
        // the rest start new blocks.
        const room = Math.max(0, BLOCK - blockCount(row[1]));
        if (room > 0) {
          const added = incoming.slice(0, room);
          drop.run({ term: termId, at: row[0] });
          this.putBlock(termId, added.at(-1)!.id, appendToBlock(row[1], row[0], added));
        }
        this.writeBlocks(termId, incoming.slice(room));
        continue;
      }
      // Into a block inside: merged, and split once it holds more than twice BLOCK.
      const merged = mergeById(decodeBlock(row[1]), incoming);
      drop.run({ term: termId, at: row[0] });
      if (merged.length <= 2 * BLOCK) this.writeBlock(termId, merged);
      else this.writeBlocks(termId, merged);
    }
  }

  /** Writes postings as blocks of BLOCK. */
  private writeBlocks(termId: number, postings: Posting[]): void {
    for (let at = 0; at < postings.length; at += BLOCK) this.writeBlock(termId, postings.slice(at, at + BLOCK));
  }

  private writeBlock(termId: number, postings: Posting[]): void {
    this.putBlock(termId, postings.at(-1)!.id, encodeBlock(postings));
  }

  private putBlock(termId: number, lastId: number, postings: Buffer): void {
    this.db.prepare('INSERT INTO keyword_blocks (key, postings) VALUES (@term * 134217728 + @at, @postings)').run({ term: termId, at: lastId, postings });
  }
}

function mergeById(a: Posting[], b: Posting[]): Posting[] {
  const out: Posting[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.id < b[j]!.id)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

// Varints: 7 bits a byte, low first; arithmetic rather than bit operations, so that chunk ids
// past 2^31 survive.

class Writer {
  bytes: number[] = [];
  put(value: number): void {
    while (value >= 0x80) {
      this.bytes.push((value % 0x80) + 0x80);
      value = Math.floor(value / 0x80);
    }
    this.bytes.push(value);
  }
}

function encodeBlock(postings: Posting[]): Buffer {
  const w = new Writer();
  w.put(postings.length);
  putPostings(w, postings, 0);
  return Buffer.from(w.bytes);
}

/** A block (its last chunk id `lastId`) with postings of later chunks added at its end, its bytes copied as they are. */
function appendToBlock(blob: Uint8Array, lastId: number, postings: Posting[]): Buffer {
  const count = new Writer();
  count.put(blockCount(blob) + postings.length);
  const added = new Writer();
  putPostings(added, postings, lastId);
  return Buffer.concat([Buffer.from(count.bytes), blob.subarray(varintEnd(blob, 0)), Buffer.from(added.bytes)]);
}

/** Each posting's varints: chunk id (as the step from the one before, `previous` for the first), body count, title count, length. */
function putPostings(w: Writer, postings: Posting[], previous: number): void {
  for (const p of postings) {
    w.put(p.id - previous);
    w.put(p.body);
    w.put(p.title);
    w.put(p.length);
    previous = p.id;
  }
}

/** How many postings a block holds (its first varint). */
function blockCount(blob: Uint8Array): number {
  return readVarint(blob, 0);
}

/**
 * Decodes a block's postings into `out` from index `at`; returns the index after them. This and
 * matchBlock read their varints inline rather than through readVarint: the two loops are where
 * keyword search spends its time, and one reader shared by both (its end kept in a module
 * variable) made top-50 at 1M chunks 2-4% slower.
 */
function decodeInto(blob: Uint8Array, out: Postings, at: number): number {
  const { ids, body, title, length } = out;
  const count = blockCount(blob);
  let pos = 0;
  while (blob[pos++]! >= 0x80);
  let id = 0;
  for (let n = 0; n < count; n++, at++) {
    // Four varints, each nearly always one or two bytes: read inline.
    let byte = blob[pos++]!;
    let value = byte & 0x7f;
    for (let scale = 0x80; byte >= 0x80; scale *= 0x80) {
      byte = blob[pos++]!;
      value += (byte & 0x7f) * scale;
    }
    id += value;
    ids[at] = id;
    byte = blob[pos++]!;
    value = byte & 0x7f;
    for (let scale = 0x80; byte >= 0x80; scale *= 0x80) {
      byte = blob[pos++]!;
      value += (byte & 0x7f) * scale;
    }
    body[at] = value;
    byte = blob[pos++]!;
    value = byte & 0x7f;
    for (let scale = 0x80; byte >= 0x80; scale *= 0x80) {
      byte = blob[pos++]!;
      value += (byte & 0x7f) * scale;
    }
    title[at] = value;
    byte = blob[pos++]!;
    value = byte & 0x7f;
    for (let scale = 0x80; byte >= 0x80; scale *= 0x80) {
      byte = blob[pos++]!;
      value += (byte & 0x7f) * scale;
    }
    length[at] = value;
  }
  return at;
}

type Found = (i: number, title: number, body: number, length: number) => void;

/**
 * Calls `found` for the postings of a block (its last chunk id `lastId`) of the chunks ids[i...]
 * up to lastId, which it reads straight from the varints: a posting of another chunk has only
 * its id decoded, and the block is left once past the chunks. Returns the index after them.
 */
function matchBlock(blob: Uint8Array, lastId: number, ids: ArrayLike<number>, i: number, found: Found): number {
  const count = blockCount(blob);
  let pos = 0;
  while (blob[pos++]! >= 0x80);
  let id = 0;
  for (let n = 0; n < count && i < ids.length && ids[i]! <= lastId; n++) {
    let byte = blob[pos++]!;
    let value = byte & 0x7f;
    for (let scale = 0x80; byte >= 0x80; scale *= 0x80) {
      byte = blob[pos++]!;
      value += (byte & 0x7f) * scale;
    }
    id += value;
    while (i < ids.length && ids[i]! < id) i++;
    if (i === ids.length || ids[i] !== id) {
      // Not wanted: skip its body count, title count and length.
      while (blob[pos++]! >= 0x80);
      while (blob[pos++]! >= 0x80);
      while (blob[pos++]! >= 0x80);
      continue;
    }
    const body = readVarint(blob, pos);
    pos = varintEnd(blob, pos);
    const title = readVarint(blob, pos);
    pos = varintEnd(blob, pos);
    const length = readVarint(blob, pos);
    pos = varintEnd(blob, pos);
    found(i++, title, body, length);
  }
  while (i < ids.length && ids[i]! <= lastId) i++;
  return i;
}

function readVarint(blob: Uint8Array, pos: number): number {
  let value = 0;
  for (let scale = 1; ; pos++, scale *= 0x80) {
    value += (blob[pos]! & 0x7f) * scale;
    if (blob[pos]! < 0x80) return value;
  }
}

function varintEnd(blob: Uint8Array, pos: number): number {
  while (blob[pos++]! >= 0x80);
  return pos;
}

function decodeBlock(blob: Uint8Array): Posting[] {
  const count = blockCount(blob);
  const out: Postings = { count, ids: new Float64Array(count), title: new Uint32Array(count), body: new Uint32Array(count), length: new Uint32Array(count) };
  decodeInto(blob, out, 0);
  return Array.from({ length: count }, (_, i) => ({ id: out.ids[i]!, title: out.title[i]!, body: out.body[i]!, length: out.length[i]! }));
}

function encodeTerms(ids: number[]): Buffer {
  const w = new Writer();
  let previous = 0;
  for (const id of ids) {
    w.put(id - previous);
    previous = id;
  }
  return Buffer.from(w.bytes);
}

function decodeTerms(blob: Uint8Array): number[] {
  const ids: number[] = [];
  let pos = 0;
  let previous = 0;
  while (pos < blob.length) {
    previous += readVarint(blob, pos);
    pos = varintEnd(blob, pos);
    ids.push(previous);
  }
  return ids;
}
