// Vectors per embedding model. Model N keeps its vectors in `vectors_N` (a plain table, each
// vector int8 with its own scale: see quantized-vectors.ts) and, when its dimension allows, their
// sign bits in the sqlite-vec table `vector_bits_N` for a fast first pass: the nearest by hamming
// distance (scanned in memory, see SignIndex) are ranked by cosine against a copy of the stored
// vectors held in memory (QuantizedVectors), filled in the background after the first search.
// Changing model builds new tables beside the old ones. Statements name a model's tables, so each
// model adds its own few statements to the connection's (bounded by the models a library has had).
import type { SqliteDatabase } from '../../native/sqlite.ts';
import { cosineDistance, QuantizedVectors, quantize, storedComponents, storedDot } from './quantized-vectors.ts';
import { allowedChunks, type SqlCondition } from './retrieval.ts';
import { signBits, SignIndex } from './sign-index.ts';

export type ModelState = 'building' | 'active' | 'retired';

export interface EmbeddingModelRow {
  id: number;
  key: string;
  spec: string;
  dimensions: number;
  state: ModelState;
}

/** Binary quantization keeps enough signal only with many dimensions (and needs whole bytes). */
export function usesBitIndex(dimensions: number): boolean {
  return dimensions >= 128 && dimensions % 8 === 0;
}

/**
 * A filter that allows at most one chunk in this many gives the sign index the list of its
 * chunks instead of a test: at a million chunks, one that allowed 0.65% of them cost 5 ms more
 * than no filter as a test (150,000 slots listed and tested), about nothing as a list.
 */
const LIST_BELOW = 64;

/** Vectors copied into memory a slice at a time, between other work (about 4 ms each). */
const WARM_SLICE = 1_000;

/**
 * A model's in-memory indexes, shared by every VectorStore of that model on one connection: the
 * sign bits, and the int8 vectors for re-ranking. Writes through VectorStore.put keep them
 * current; a commit by another connection (seen in `PRAGMA data_version`) makes them reload on
 * the next search. Chunks deleted by this connection are found out when a search would return
 * them (their row is gone).
 */
export interface VectorCache {
  index: SignIndex | null;
  /** Filled in the background once `index` is loaded; until it is complete, ranking reads what it lacks from `vectors_N`. */
  vectors: QuantizedVectors | null;
  /** Settles when `vectors` holds every vector (or was replaced). */
  warm: Promise<void> | null;
  dataVersion: number;
}

export function emptyVectorCache(): VectorCache {
  return { index: null, vectors: null, warm: null, dataVersion: -1 };
}

export class VectorStore {
  readonly model: EmbeddingModelRow;
  private readonly db: SqliteDatabase;
  private readonly table: string;
  private readonly bits: string | null;
  private readonly cache: VectorCache;

  constructor(db: SqliteDatabase, model: EmbeddingModelRow, cache: VectorCache = emptyVectorCache()) {
    this.db = db;
    this.model = model;
    this.cache = cache;
    this.table = `vectors_${model.id}`;
    this.bits = usesBitIndex(model.dimensions) ? `vector_bits_${model.id}` : null;
  }

  /** Creates this model's tables (idempotent). */
  create(): void {
    const { table, bits } = this;
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS ${table} (
        chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
        embedding BLOB NOT NULL
      );
    `);
    if (bits) {
      this.db.exec(`
        CREATE VIRTUAL TABLE IF NOT EXISTS ${bits} USING vec0(embedding bit[${this.model.dimensions}]);
        CREATE TRIGGER IF NOT EXISTS ${table}_delete_bits AFTER DELETE ON ${table} BEGIN
          DELETE FROM ${bits} WHERE rowid = old.chunk_id;
        END;
      `);
    }
  }

  drop(): void {
    Object.assign(this.cache, emptyVectorCache());
    if (this.bits) this.db.exec(`DROP TABLE IF EXISTS ${this.bits}`);
    this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
  }

  put(chunkId: number, vector: Float32Array): void {
    if (vector.length !== this.model.dimensions) {
      throw new Error(`vector has ${vector.length} dimensions; model ${this.model.key} has ${this.model.dimensions}`);
    }
    this.write(chunkId, quantize(vector));
  }

  /** Copies the vector of `fromChunk` to `toChunk` (same content at another path), byte for byte. */
  copy(fromChunk: number, toChunk: number): boolean {
    const row = this.db.prepare(`SELECT embedding FROM ${this.table} WHERE chunk_id = ?`).get(fromChunk) as { embedding: Buffer } | undefined;
    if (!row) return false;
    this.write(toChunk, row.embedding);
    return true;
  }

  /** Writes a stored vector (see quantize) and its sign bits. */
  private write(chunkId: number, stored: Buffer): void {
    this.db.prepare(`INSERT OR REPLACE INTO ${this.table} (chunk_id, embedding) VALUES (?, ?)`).run(chunkId, stored);
    if (this.bits) {
      // signBits makes the bits vec_quantize_binary makes (tested so).
      const bits = signBits(storedComponents(stored));
      this.db.prepare(`DELETE FROM ${this.bits} WHERE rowid = ?`).run(BigInt(chunkId));
      this.db.prepare(`INSERT INTO ${this.bits} (rowid, embedding) VALUES (?, vec_bit(?))`).run(BigInt(chunkId), bits);
      this.cache.index?.set(chunkId, bits);
      this.cache.vectors?.set(chunkId, stored);
    }
  }

  count(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM ${this.table}`).get() as { n: number }).n;
  }

  /** Chunks that have no vector in this model yet, oldest first. */
  missing(limit: number): { id: number; text: string }[] {
    return this.db.prepare(
      `SELECT c.id, c.text FROM chunks c LEFT JOIN ${this.table} v ON v.chunk_id = c.id
       WHERE v.chunk_id IS NULL ORDER BY c.id LIMIT ?`,
    ).all(limit) as { id: number; text: string }[];
  }

  /**
   * Nearest chunks to `query` (L2-normalised) by cosine distance, among the chunks whose document
   * passes `filter` (a condition on documents `d`) when given. With a bit index: the nearest
   * `max(8k, 200 √(n / 100,000), 200)` of the n vectors by hamming distance (more as the library
   * grows past 100,000: a query has more near neighbours to tell apart), ranked by cosine against
   * the stored vectors (the copy in memory, or `vectors_N` while it is being made). Recall@10
   * against exhaustive search over the float vectors is about 0.99 at 100,000 chunks (bench b).
   * Without one (small models): an exhaustive scan.
   */
  nearest(query: Float32Array, k: number, filter?: SqlCondition): { chunkId: number; distance: number }[] {
    const index = this.bits && this.signIndex();
    if (!index) return this.scan(query, k, filter);
    const allowed = filter && allowedChunks(this.db, filter);
    if (allowed?.count === 0) return [];
    const wanted = Math.ceil(Math.max(k * 8, 200 * Math.sqrt(Math.max(1, index.count / 100_000))));
    // A narrow filter hands over its few chunks, whose distances alone are reckoned; a broad one
    // is a test of the slots the first pass lists.
    const among = allowed && (allowed.count * LIST_BELOW <= index.count ? allowed.ids() : (id: number) => allowed.has(id));
    const candidates = index.nearest(signBits(query), wanted, among ?? undefined);
    const ranked = this.rank(query, candidates);
    // Chunks deleted by this connection since the copy was made are still in it: the best k are
    // looked up (their row ids only), and any gone make way for the next ones.
    const found: { chunkId: number; distance: number }[] = [];
    for (let next = 0; found.length < k && next < ranked.length; ) {
      const batch = ranked.slice(next, next + k - found.length);
      next += batch.length;
      const present = this.present(batch.map((r) => r.chunkId));
      for (const hit of batch) {
        if (present.has(hit.chunkId)) found.push(hit);
        else this.forget(hit.chunkId);
      }
    }
    return found;
  }

  /** Every vector (of the chunks `filter` allows) against `query`, for models without a bit index. */
  private scan(query: Float32Array, k: number, filter?: SqlCondition): { chunkId: number; distance: number }[] {
    const where = filter ? `WHERE ${filter.sql}` : '';
    const rows = this.db
      .prepare(
        `SELECT v.chunk_id, v.embedding FROM ${this.table} v JOIN chunks c ON c.id = v.chunk_id JOIN documents d ON d.id = c.document_id ${where}`,
      )
      .raw()
      .iterate(...(filter?.params ?? [])) as Iterable<[number, Buffer]>;
    const all: { chunkId: number; distance: number }[] = [];
    for (const [chunkId, stored] of rows) all.push({ chunkId, distance: cosineDistance(query, stored) });
    return all.sort(byDistance).slice(0, k);
  }

  /** Which of these chunks still have a vector. */
  private present(chunkIds: number[]): Set<number> {
    const ids = this.db
      .prepare(`SELECT chunk_id FROM ${this.table} WHERE chunk_id IN (SELECT value FROM json_each(?))`)
      .pluck()
      .all(JSON.stringify(chunkIds)) as number[];
    return new Set(ids);
  }

  /**
   * The candidates by cosine distance to `query`, nearest first: from the vectors in memory, and
   * from `vectors_N` for those not copied yet (chunks gone from it are forgotten).
   */
  private rank(query: Float32Array, candidates: number[]): { chunkId: number; distance: number }[] {
    const vectors = this.cache.vectors;
    const ranked: { chunkId: number; distance: number }[] = [];
    const unread: number[] = [];
    for (const chunkId of candidates) {
      const similarity = vectors?.dot(query, chunkId);
      if (similarity === undefined) unread.push(chunkId);
      else ranked.push({ chunkId, distance: 1 - similarity });
    }
    if (unread.length) {
      const rows = this.db
        .prepare(`SELECT chunk_id, embedding FROM ${this.table} WHERE chunk_id IN (SELECT value FROM json_each(?))`)
        .raw()
        .all(JSON.stringify(unread)) as [number, Buffer][];
      const read = new Map(rows);
      for (const chunkId of unread) {
        const stored = read.get(chunkId);
        if (!stored) {
          this.forget(chunkId);
          continue;
        }
        vectors?.set(chunkId, stored);
        ranked.push({ chunkId, distance: 1 - storedDot(query, stored) });
      }
    }
    return ranked.sort(byDistance);
  }

  /** Drops a chunk whose vector is gone (its chunk was deleted) from the in-memory indexes. */
  private forget(chunkId: number): void {
    this.cache.index?.delete(chunkId);
    this.cache.vectors?.delete(chunkId);
  }

  /**
   * Settles once the in-memory copy of the vectors for re-ranking is complete (at once when
   * there is none to make: small models, no search yet). Searches never wait for it.
   */
  warmed(): Promise<void> {
    return this.cache.warm ?? Promise.resolve();
  }

  /**
   * Copies `vectors_N` into `vectors`, WARM_SLICE rows at a time in order of chunk id, each slice
   * when the event loop is free: the first search after opening does not wait for all of it
   * (seconds at a million vectors), and no search waits for more than a slice. Stops when the
   * copy is replaced (a reload, a dropped model) or the connection closes.
   */
  private warm(vectors: QuantizedVectors): Promise<void> {
    const read = this.db.prepare(`SELECT chunk_id, embedding FROM ${this.table} WHERE chunk_id > ? ORDER BY chunk_id LIMIT ?`).raw();
    return new Promise((resolve) => {
      let after = 0;
      const slice = () => {
        if (this.cache.vectors !== vectors || !this.db.open) return resolve();
        const rows = read.all(after, WARM_SLICE) as [number, Buffer][];
        for (const [chunkId, embedding] of rows) {
          // A vector put since the copy began is there already, and newer.
          if (!vectors.has(chunkId)) vectors.set(chunkId, embedding);
        }
        if (rows.length < WARM_SLICE) return resolve();
        after = rows.at(-1)![0];
        setImmediate(slice);
      };
      setImmediate(slice);
    });
  }

  /**
   * The sign index, loaded from `vector_bits_N` on first use and after other connections wrote;
   * the copy of the vectors for re-ranking starts with it.
   */
  private signIndex(): SignIndex {
    const dataVersion = this.db.prepare('PRAGMA data_version').pluck().get() as number;
    if (!this.cache.index || this.cache.dataVersion !== dataVersion) {
      const index = new SignIndex(this.model.dimensions);
      if (!this.loadPacked(index)) {
        const rows = this.db.prepare(`SELECT rowid, embedding FROM ${this.bits}`).raw().iterate() as Iterable<[number | bigint, Buffer]>;
        for (const [id, bits] of rows) index.set(Number(id), bits);
      }
      const vectors = new QuantizedVectors(this.model.dimensions);
      Object.assign(this.cache, { index, vectors, dataVersion });
      this.cache.warm = this.warm(vectors);
      return index;
    }
    return this.cache.index;
  }

  /**
   * Reads the sign bits straight from sqlite-vec's storage: blocks of up to 1,024 vectors with
   * their row ids and a validity bitmap (vec0's shadow tables `_chunks` and `_vector_chunks00`),
   * a few hundred blobs for a million vectors instead of a million rows through the virtual
   * table (seconds). False, having read nothing, when the tables are not as expected (another
   * sqlite-vec): then the virtual table is read.
   */
  private loadPacked(index: SignIndex): boolean {
    const bytes = this.model.dimensions / 8;
    let blocks: [number, number, Buffer, Buffer, Buffer][];
    try {
      blocks = this.db
        .prepare(
          `SELECT c.chunk_id, c.size, c.validity, c.rowids, v.vectors FROM ${this.bits}_chunks c
           JOIN ${this.bits}_vector_chunks00 v ON v.rowid = c.chunk_id ORDER BY c.chunk_id`,
        )
        .raw()
        .all() as [number, number, Buffer, Buffer, Buffer][];
    } catch {
      return false;
    }
    if (!blocks.every(([, size, validity, rowids, vectors]) => validity.length * 8 >= size && rowids.length === size * 8 && vectors.length === size * bytes)) return false;
    for (const [, size, validity, rowids, vectors] of blocks) {
      // The row ids (int64, little-endian) as 32-bit halves of an aligned copy: a BigInt for each
      // of a million took 200 ms of the first search.
      const aligned = new Uint8Array(size * 8);
      aligned.set(rowids.subarray(0, size * 8));
      const low = new Uint32Array(aligned.buffer);
      const high = new Int32Array(aligned.buffer);
      // Runs of valid slots go in at once (a block is one run unless vectors were deleted).
      for (let slot = 0; slot < size; ) {
        if (!(validity[slot >> 3]! & (1 << (slot & 7)))) {
          slot++;
          continue;
        }
        let end = slot;
        while (end < size && validity[end >> 3]! & (1 << (end & 7))) end++;
        const ids = new Float64Array(end - slot);
        for (let i = 0; i < ids.length; i++) ids[i] = high[2 * (slot + i) + 1]! * 2 ** 32 + low[2 * (slot + i)]!;
        index.addMany(ids, vectors.subarray(slot * bytes, end * bytes));
        slot = end;
      }
    }
    return true;
  }
}

function byDistance(a: { chunkId: number; distance: number }, b: { chunkId: number; distance: number }): number {
  return a.distance - b.distance || a.chunkId - b.chunkId;
}
