// Which document each chunk belongs to, held in memory per connection (4 bytes a chunk id), so
// that a filter is evaluated on the documents alone and its chunks found by one pass over this
// map (allowedChunks in retrieval.ts) instead of a join that hands every allowed chunk id to JS,
// which at a million chunks cost 80 ms for a filter passing half the documents, again for every
// new filter and after every change to the library.
//
// The map is read whole once, then caught up after a change by reading only what may differ:
// - Chunks added: SQLite gives a new row the id after the largest there is, so every chunk added
//   since the map was read has an id past any chunk held that is still there.
// - Chunks removed (or given another id or document): the triggers of migration 15 count them per
//   block of 1,024 ids in chunk_removals; the blocks whose count changed are read again. Without
//   them an id freed at the top and handed to another document's chunk would go unseen: the
//   number of chunks and the largest id can both come back to what they were.
// The number of chunks checks the result. When it disagrees (a chunk written with an id of its
// own choosing), or when catching up would read more than a sixteenth of the chunks, the map is
// read anew: by id, chunk rows are read with their text (about 0.5 µs each at 1 KB of text, and
// more once they outgrow the page cache), where reading the map whole takes only the index
// (about 0.1 µs a chunk).
import type { SqliteDatabase, SqliteStatement } from '../../native/sqlite.ts';

/** chunk_removals counts removals per block of 2^BLOCK_BITS chunk ids (see migration 15). */
export const BLOCK_BITS = 10;
/** Chunk ids (and document ids) the map holds: past them, or far sparser than the chunks, none is kept. */
const MAX_ID = 2 ** 27;
/** Documents whose chunks are read at a time when the map is read whole: bounded garbage. */
const READ_DOCUMENTS = 16_384;

export interface ChunkMap {
  /** The document of each chunk id, 0 where there is no chunk. */
  documentOf: Int32Array;
  /** The largest chunk id, and the largest document id any chunk has. */
  top: number;
  lastDocument: number;
}

export class ChunkDocuments {
  /** Times the map was read whole (for tests: ordinary changes are caught up with, not read anew). */
  wholeReads = 0;
  #documentOf = new Int32Array(0);
  #top = 0;
  #lastDocument = 0;
  /** Chunks in the map. */
  #size = 0;
  /** What the map was read as of: the connection's change mark (null: never read), the removal counts per block and their sum. */
  #mark: string | null = null;
  #removals = new Map<number, number>();
  #removalSum = 0;

  /** Prepared when the connection first filters, all at once: catching up later prepares nothing. */
  readonly #state: SqliteStatement;
  readonly #byDocuments: SqliteStatement;
  readonly #byIds: SqliteStatement;
  readonly #blocks: SqliteStatement;

  constructor(db: SqliteDatabase) {
    this.#state = db
      .prepare(
        `SELECT (SELECT count(*) FROM chunks), (SELECT min(id) FROM chunks), (SELECT max(id) FROM chunks),
           (SELECT min(document_id) FROM chunks), (SELECT max(document_id) FROM chunks), (SELECT total(version) FROM chunk_removals)`,
      )
      .raw();
    this.#byDocuments = db.prepare('SELECT json_group_array(id), json_group_array(document_id) FROM chunks WHERE document_id > ? AND document_id <= ?').raw();
    this.#byIds = db.prepare('SELECT json_group_array(id), json_group_array(document_id) FROM chunks WHERE id > ? AND id <= ?').raw();
    this.#blocks = db.prepare('SELECT block, version FROM chunk_removals').raw();
  }

  /**
   * The map as of now, or null when the library's ids are not ones it holds (then the caller
   * asks SQL). `mark` is changeMark's value, taken before: an unchanged mark reads nothing. Call
   * in a read transaction (what it reads must be one state) and never in a write transaction: a
   * rollback would leave the map holding chunks that never were.
   */
  current(mark: string): ChunkMap | null {
    if (mark !== this.#mark) {
      const [chunks, lowest, highest, firstDocument, lastDocument, removalSum] = this.#state.get() as [number, number | null, number | null, number | null, number | null, number];
      const bound = Math.min(MAX_ID, 4 * chunks + 65_536);
      if ((lowest ?? 1) < 1 || (highest ?? 0) >= bound || (firstDocument ?? 1) < 1 || (lastDocument ?? 0) >= bound) {
        this.#forget();
        return null;
      }
      if (this.#mark === null || !this.#catchUp(chunks, highest ?? 0, removalSum)) this.#readAll(highest ?? 0, lastDocument ?? 0, removalSum);
      this.#top = highest ?? 0;
      this.#lastDocument = lastDocument ?? 0;
      this.#mark = mark;
    }
    return { documentOf: this.#documentOf, top: this.#top, lastDocument: this.#lastDocument };
  }

  #forget(): void {
    this.#documentOf = new Int32Array(0);
    this.#top = this.#lastDocument = this.#size = this.#removalSum = 0;
    this.#removals = new Map();
    this.#mark = null;
  }

  /** Every chunk, read by document through their index (chunks_by_document holds both ids: no row is read). */
  #readAll(highest: number, lastDocument: number, removalSum: number): void {
    this.wholeReads++;
    this.#reserve(highest);
    this.#documentOf.fill(0);
    this.#size = 0;
    for (let after = 0; after < lastDocument; after += READ_DOCUMENTS) this.#put(this.#byDocuments.get(after, after + READ_DOCUMENTS) as [string, string]);
    this.#removals = this.#readRemovals();
    this.#removalSum = removalSum;
  }

  /**
   * Brings the map to the current state, or false when it could not tell (then the map is read
   * whole). `chunks`, `highest`, `removalSum`: the count, largest id and removal total now.
   */
  #catchUp(chunks: number, highest: number, removalSum: number): boolean {
    let removals = this.#removals;
    const changed = new Set<number>();
    if (removalSum !== this.#removalSum) {
      removals = this.#readRemovals();
      for (const [block, count] of removals) if (this.#removals.get(block) !== count) changed.add(block);
      for (const block of this.#removals.keys()) if (!removals.has(block)) changed.add(block);
    }
    // The largest chunk held in a block where nothing was removed is still there: every chunk
    // added since has a larger id, and below it only the changed blocks can differ.
    const documentOf = this.#documentOf;
    let kept = this.#top;
    while (kept > 0 && (documentOf[kept] === 0 || changed.has(kept >> BLOCK_BITS))) kept--;
    const below = [...changed].filter((block) => block << BLOCK_BITS <= kept);
    if (below.length * 2 ** BLOCK_BITS + (highest - kept) > chunks / 16 + 4_096) return false;
    for (const block of below) this.#readRange((block << BLOCK_BITS) - 1, Math.min(kept, ((block + 1) << BLOCK_BITS) - 1));
    this.#readRange(kept, Math.max(highest, this.#top));
    if (this.#size !== chunks) return false;
    this.#removals = removals;
    this.#removalSum = removalSum;
    return true;
  }

  /** Reads the chunks with ids in (after, upTo] again, in place of what the map held there. */
  #readRange(after: number, upTo: number): void {
    this.#reserve(upTo);
    const documentOf = this.#documentOf;
    for (let id = after + 1; id <= upTo; id++) {
      if (documentOf[id] !== 0) {
        documentOf[id] = 0;
        this.#size--;
      }
    }
    this.#put(this.#byIds.get(after, upTo) as [string, string]);
  }

  /** Puts chunks (ids and their documents, as JSON arrays: a million numbers parse in about 20 ms, as rows in over 200) into the map. */
  #put([idsJson, documentsJson]: [string, string]): void {
    const ids = JSON.parse(idsJson) as number[];
    const documents = JSON.parse(documentsJson) as number[];
    const documentOf = this.#documentOf;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (documentOf[id] === 0) this.#size++;
      documentOf[id] = documents[i]!;
    }
  }

  #readRemovals(): Map<number, number> {
    return new Map(this.#blocks.all() as [number, number][]);
  }

  /** Room for chunk ids up to `id`, keeping what is held; an eighth more, for the chunks to come. */
  #reserve(id: number): void {
    if (id < this.#documentOf.length) return;
    const grown = new Int32Array(id + 1 + (id >>> 3) + 1_024);
    grown.set(this.#documentOf);
    this.#documentOf = grown;
  }
}
