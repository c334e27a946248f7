// Numbered schema migrations. Each runs once, in order, in its own transaction, when a library
// is opened; `PRAGMA user_version` records the last one applied. Never edit a shipped migration:
// add the next number.
import type { SqliteDatabase } from '../../native/sqlite.ts';
// The full-text rows are what the analyser makes of the chunks' text: a migration that rebuilds
// them needs it (a leaf module: it imports nothing).
import { analyze, normalize } from '../search/analyze.ts';
import { KEYWORD_SCHEMA, KeywordIndex } from './keyword-index.ts';
// The stored form of vectors (int8 with a scale) that migration 14 converts float vectors to.
import { quantize } from './quantized-vectors.ts';

export interface Migration {
  version: number;
  name: string;
  up: (db: SqliteDatabase) => void;
  /**
   * The migration rebuilds a table that others reference (SQLite's 12-step table change): foreign
   * keys are switched off around its transaction (they cannot be inside one), so dropping the old
   * table deletes nothing through a cascade, and checked with foreign_key_check before it commits.
   */
  rebuildsTables?: boolean;
  /**
   * The migration leaves much of the file free (SQLite keeps freed pages in the file): VACUUM
   * after it commits, when more than a quarter of the file is free, gives the space back.
   */
  freesSpace?: boolean;
}

/** The migration from which vectors are stored as int8 (see quantizeVectors). */
export const QUANTIZED_VECTORS = 14;

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'sources, documents, chunks, full-text index',
    up(db) {
      db.exec(`
        CREATE TABLE sources (
          id INTEGER PRIMARY KEY,
          kind TEXT NOT NULL CHECK (kind IN ('folder', 'mailbox', 'import', 'web')),
          uri TEXT NOT NULL,
          name TEXT NOT NULL,
          config TEXT NOT NULL DEFAULT '{}',
          created_at INTEGER NOT NULL,
          UNIQUE (kind, uri)
        );

        CREATE TABLE documents (
          id INTEGER PRIMARY KEY,
          source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
          parent_id INTEGER REFERENCES documents(id) ON DELETE CASCADE,
          uri TEXT NOT NULL UNIQUE,
          path TEXT,
          kind TEXT NOT NULL CHECK (kind IN ('file', 'email', 'web')),
          title TEXT NOT NULL DEFAULT '',
          mime TEXT,
          size INTEGER,
          mtime INTEGER,
          content_hash TEXT,
          status TEXT NOT NULL CHECK (status IN ('pending', 'indexed', 'skipped', 'failed')),
          error_code TEXT,
          reason TEXT,
          metadata TEXT NOT NULL DEFAULT '{}',
          date INTEGER,
          sender TEXT,
          recipients TEXT,
          indexed_at INTEGER
        );
        CREATE INDEX documents_by_hash ON documents (content_hash);
        CREATE INDEX documents_by_parent ON documents (parent_id);
        CREATE INDEX documents_by_source ON documents (source_id);
        CREATE INDEX documents_by_path ON documents (path);
        CREATE INDEX documents_by_status ON documents (status);

        CREATE TABLE chunks (
          id INTEGER PRIMARY KEY,
          document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
          ordinal INTEGER NOT NULL,
          text TEXT NOT NULL,
          start_offset INTEGER NOT NULL,
          end_offset INTEGER NOT NULL,
          page INTEGER,
          heading_path TEXT NOT NULL DEFAULT '[]',
          token_count INTEGER NOT NULL
        );
        CREATE INDEX chunks_by_document ON chunks (document_id, ordinal);

        -- Contentless: the text lives in chunks; the index holds analysed text (CJK words
        -- segmented, see app/search/analyze.ts), keyed by chunk id.
        CREATE VIRTUAL TABLE chunk_fts USING fts5(
          title, body,
          content = '', contentless_delete = 1,
          tokenize = 'porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER chunks_delete_fts AFTER DELETE ON chunks BEGIN
          DELETE FROM chunk_fts WHERE rowid = old.id;
        END;

      `);
    },
  },
  {
    version: 2,
    name: 'embedding models, job queue, settings',
    up(db) {
      db.exec(`
        -- One row per embedding model the library has vectors for. Its vectors live in
        -- tables named after its id (see app/store/vectors.ts).
        CREATE TABLE embedding_models (
          id INTEGER PRIMARY KEY,
          key TEXT NOT NULL UNIQUE,
          spec TEXT NOT NULL,
          dimensions INTEGER NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('building', 'active', 'retired')),
          created_at INTEGER NOT NULL
        );

        CREATE TABLE jobs (
          id INTEGER PRIMARY KEY,
          kind TEXT NOT NULL,
          payload TEXT NOT NULL,
          state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running')),
          attempts INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL,
          UNIQUE (kind, payload)
        );

        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      `);
    },
  },
  {
    version: 3,
    name: 'conversations, messages and the sources each answer used',
    up(db) {
      db.exec(`
        -- AUTOINCREMENT: ids are never reused, so a client holding the id of a deleted
        -- conversation or replaced answer cannot reach another one by it.
        CREATE TABLE conversations (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          title TEXT NOT NULL,
          -- all: the whole library; sources: only source_ids; none: no retrieval (plain chat).
          scope TEXT NOT NULL CHECK (scope IN ('all', 'sources', 'none')),
          source_ids TEXT NOT NULL DEFAULT '[]',
          filters TEXT NOT NULL DEFAULT '{}',
          settings TEXT NOT NULL DEFAULT '{}',
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX conversations_by_updated ON conversations (updated_at);

        CREATE TABLE messages (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
          role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
          content TEXT NOT NULL,
          thought TEXT NOT NULL DEFAULT '',
          status TEXT NOT NULL CHECK (status IN ('complete', 'stopped', 'failed')),
          model_key TEXT,
          settings TEXT NOT NULL DEFAULT '{}',
          created_at INTEGER NOT NULL
        );
        CREATE INDEX messages_by_conversation ON messages (conversation_id, id);

        -- A snapshot of each source an answer was given (no foreign key to chunks or documents),
        -- so citations survive the document being removed or re-indexed later.
        CREATE TABLE message_sources (
          message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
          n INTEGER NOT NULL,
          cited INTEGER NOT NULL DEFAULT 0,
          chunk_id INTEGER NOT NULL,
          document_id INTEGER NOT NULL,
          uri TEXT NOT NULL,
          title TEXT NOT NULL,
          kind TEXT NOT NULL,
          page INTEGER,
          heading_path TEXT NOT NULL DEFAULT '[]',
          snippet TEXT NOT NULL,
          date INTEGER,
          sender TEXT,
          PRIMARY KEY (message_id, n)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 4,
    name: 'web cache: search results and pages read, with expiry',
    up(db) {
      db.exec(`
        -- provider: the provider and its base URL; results: JSON [{title, url, snippet}].
        CREATE TABLE web_search_cache (
          provider TEXT NOT NULL,
          query TEXT NOT NULL,
          results TEXT NOT NULL,
          fetched_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          PRIMARY KEY (provider, query)
        ) WITHOUT ROWID;
        -- content: JSON of what was read (title and sections) or why the page was skipped.
        CREATE TABLE web_page_cache (
          url TEXT PRIMARY KEY,
          content TEXT NOT NULL,
          fetched_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
        CREATE INDEX web_search_cache_by_expiry ON web_search_cache (expires_at);
        CREATE INDEX web_page_cache_by_expiry ON web_page_cache (expires_at);
      `);
    },
  },
  {
    version: 5,
    name: 'IMAP mailboxes: folder sync state, account state, queued message bytes',
    up(db) {
      db.exec(`
        -- One row per synced folder of a mailbox source; uid_validity as decimal text.
        CREATE TABLE mail_folders (
          source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
          path TEXT NOT NULL,
          uid_validity TEXT NOT NULL,
          last_uid INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (source_id, path)
        ) WITHOUT ROWID;
        -- What a mailbox is doing (syncing n of m, watching, error with the reason).
        CREATE TABLE mail_accounts (
          source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
          state TEXT NOT NULL,
          done INTEGER,
          total INTEGER,
          reason TEXT,
          updated_at INTEGER NOT NULL
        );
        -- Bytes a queued job works on (a message fetched from a server), gone with the job.
        CREATE TABLE job_blobs (
          job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
          bytes BLOB NOT NULL
        );
      `);
    },
  },
  {
    version: 6,
    name: 'documents by size, for finding the document a renamed or moved file came from',
    up(db) {
      db.exec(`
        -- A new file whose size matches a document whose file is gone is hashed to see if it moved.
        CREATE INDEX documents_by_size ON documents (size) WHERE parent_id IS NULL;
      `);
    },
  },
  {
    version: 7,
    name: 'processes using the library, named locks, job owners; source ids never reused',
    rebuildsTables: true,
    up(db) {
      db.exec(`
        -- Live processes using the library: a running job or a lock belongs to one of them. A
        -- process whose pid is gone (same host) or whose heartbeat is old is dead: its jobs are
        -- queued again and its locks freed. AUTOINCREMENT: a new process never takes a dead one's id.
        CREATE TABLE processes (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          pid INTEGER NOT NULL,
          host TEXT NOT NULL,
          description TEXT NOT NULL,
          started_at INTEGER NOT NULL,
          heartbeat_at INTEGER NOT NULL
        );
        -- Named locks (e.g. 'watch': one process watches a library), gone with their holder.
        CREATE TABLE locks (
          name TEXT PRIMARY KEY,
          owner INTEGER NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
          taken_at INTEGER NOT NULL
        );
        CREATE INDEX locks_by_owner ON locks (owner);

        -- sources again, with AUTOINCREMENT: SQLite hands out the largest rowid again once it is
        -- deleted, and a new source must never inherit what still names a removed one.
        CREATE TABLE sources_new (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          kind TEXT NOT NULL CHECK (kind IN ('folder', 'mailbox', 'import', 'web')),
          uri TEXT NOT NULL,
          name TEXT NOT NULL,
          config TEXT NOT NULL DEFAULT '{}',
          created_at INTEGER NOT NULL,
          UNIQUE (kind, uri)
        );
        INSERT INTO sources_new (id, kind, uri, name, config, created_at) SELECT id, kind, uri, name, config, created_at FROM sources;
        DROP TABLE sources;
        ALTER TABLE sources_new RENAME TO sources;

        -- A job belongs to its source (removing the source drops its jobs in the same transaction)
        -- and, while running, to the process that claimed it.
        ALTER TABLE jobs ADD COLUMN source_id INTEGER REFERENCES sources(id) ON DELETE CASCADE;
        ALTER TABLE jobs ADD COLUMN owner INTEGER REFERENCES processes(id) ON DELETE SET NULL;
        UPDATE jobs SET source_id = json_extract(payload, '$.sourceId');
        -- Ids still named by jobs left behind or by conversations are never handed out again.
        DELETE FROM sqlite_sequence WHERE name = 'sources';
        INSERT INTO sqlite_sequence (name, seq) SELECT 'sources', max(
          coalesce((SELECT max(id) FROM sources), 0),
          coalesce((SELECT max(source_id) FROM jobs), 0),
          coalesce((SELECT max(CAST(j.value AS INTEGER)) FROM conversations c, json_each(iif(json_valid(c.source_ids), c.source_ids, '[]')) j), 0));
        -- Jobs of sources removed before this release stayed behind and blocked the queue.
        DELETE FROM jobs WHERE source_id IS NOT NULL AND source_id NOT IN (SELECT id FROM sources);
        DELETE FROM job_blobs WHERE job_id NOT IN (SELECT id FROM jobs);
        CREATE INDEX jobs_by_source ON jobs (source_id);
        CREATE INDEX jobs_by_owner ON jobs (owner);
        CREATE INDEX jobs_by_kind_state ON jobs (kind, state, id);
      `);
    },
  },
  {
    version: 8,
    name: 'full-text rows of normalised text (NFKC: full-width letters and digits, ligatures)',
    up: reindexNormalisedText,
  },
  {
    version: 9,
    name: 'OCR: chunks marked as OCR text, pages read by OCR with their line boxes',
    up(db) {
      db.exec(`
        -- 1: the chunk's text was read by OCR from an image of its page. Its offsets are then
        -- within that page's OCR text (ocr_pages.text), not within the document's own text.
        ALTER TABLE chunks ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE message_sources ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0;

        -- What OCR read on one page of some content (by hash, so copies and re-indexing of the
        -- same bytes never read a page twice). lines: JSON [{start, end, box: [x0, y0, x1, y1]}],
        -- offsets into text and boxes in pixels of the width x height image read. error: why the
        -- page has no text (it took too long, it could not be rendered).
        CREATE TABLE ocr_pages (
          content_hash TEXT NOT NULL,
          page INTEGER NOT NULL,
          languages TEXT NOT NULL,
          text TEXT NOT NULL,
          lines TEXT NOT NULL DEFAULT '[]',
          width INTEGER,
          height INTEGER,
          confidence REAL,
          error TEXT,
          ms INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (content_hash, page)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 10,
    name: 'keyword index: postings by token, for BM25 top-k without scoring every match',
    up(db) {
      db.exec(KEYWORD_SCHEMA);
      new KeywordIndex(db).rebuild();
    },
  },
  {
    version: 11,
    name: 'imports: what each add or retry queued, paused or cancelled, and how far it got; the library table\'s sorts indexed',
    up(db) {
      db.exec(`
        -- One row per import (files and folders added together, or documents read again): its
        -- state, kept across restarts, and counters written with each batch of its files. Its
        -- documents are those at or below its paths written since it started. AUTOINCREMENT: a
        -- window never mistakes a new import for a cleared one.
        CREATE TABLE imports (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          origin TEXT NOT NULL CHECK (origin IN ('add', 'retry')),
          paths TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'cancelled', 'done')),
          started_at INTEGER NOT NULL,
          finished_at INTEGER,
          files_done INTEGER NOT NULL DEFAULT 0,
          problems INTEGER NOT NULL DEFAULT 0,
          chunks INTEGER NOT NULL DEFAULT 0,
          unchanged INTEGER NOT NULL DEFAULT 0,
          dropped INTEGER NOT NULL DEFAULT 0
        );
        -- A job queued for an import (its scan, and the files the scan found) waits while the
        -- import is paused and goes when it is cancelled.
        ALTER TABLE jobs ADD COLUMN import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL;
        CREATE INDEX jobs_by_import ON jobs (import_id);
        -- The library's table: top-level documents (parent_id IS NULL) in the order of each sort
        -- it offers, so a page deep into 100,000 rows is an index walk instead of a sort of them
        -- all. Each leads with parent_id, which the one on parent_id alone served.
        DROP INDEX documents_by_parent;
        CREATE INDEX documents_by_parent_indexed ON documents (parent_id, indexed_at);
        CREATE INDEX documents_by_parent_title ON documents (parent_id, title COLLATE NOCASE);
        CREATE INDEX documents_by_parent_date ON documents (parent_id, date);
        CREATE INDEX documents_by_parent_size ON documents (parent_id, size);
        CREATE INDEX documents_by_parent_status ON documents (parent_id, status);
      `);
    },
  },
  {
    version: 12,
    name: "when each mailbox last completed a sync, and its error's code",
    up(db) {
      db.exec(`
        -- Shown as "last sync" beside the account; null until its first sync completes.
        ALTER TABLE mail_accounts ADD COLUMN synced_at INTEGER;
        -- What kind of error stopped it (mail-auth-failed...), so that a window can say what to do.
        ALTER TABLE mail_accounts ADD COLUMN code TEXT;
      `);
    },
  },
  {
    version: 13,
    name: 'which search found each source of an answer',
    up(db) {
      db.exec(`
        -- 'keyword', 'meaning' or 'both'; NULL for answers stored before it was kept.
        ALTER TABLE message_sources ADD COLUMN found_by TEXT CHECK (found_by IN ('keyword', 'meaning', 'both'));
      `);
    },
  },
  {
    version: QUANTIZED_VECTORS,
    name: 'vectors stored as int8 with a scale each, a quarter of their float size',
    up: quantizeVectors,
    rebuildsTables: true,
    freesSpace: true,
  },
  {
    version: 15,
    name: 'chunk removals counted per block of ids, for the in-memory map of chunks to documents',
    up(db) {
      // See app/store/chunk-documents.ts: a connection keeps which document each chunk belongs
      // to, and after a change reads again only the blocks of 1,024 chunk ids (id >> 10) whose
      // count here changed, and the chunks past the largest it still holds. A row per block in
      // which a chunk was ever deleted, or changed id or document. (No OR IGNORE inside triggers:
      // the statement that fires one may impose its own conflict policy.)
      db.exec(`
        CREATE TABLE chunk_removals (block INTEGER PRIMARY KEY, version INTEGER NOT NULL);
        CREATE TRIGGER chunks_count_removal AFTER DELETE ON chunks BEGIN
          INSERT INTO chunk_removals (block, version) SELECT old.id >> 10, 0 WHERE NOT EXISTS (SELECT 1 FROM chunk_removals WHERE block = old.id >> 10);
          UPDATE chunk_removals SET version = version + 1 WHERE block = old.id >> 10;
        END;
        CREATE TRIGGER chunks_count_move AFTER UPDATE OF id, document_id ON chunks BEGIN
          INSERT INTO chunk_removals (block, version) SELECT old.id >> 10, 0 WHERE NOT EXISTS (SELECT 1 FROM chunk_removals WHERE block = old.id >> 10);
          UPDATE chunk_removals SET version = version + 1 WHERE block = old.id >> 10;
          INSERT INTO chunk_removals (block, version) SELECT new.id >> 10, 0 WHERE NOT EXISTS (SELECT 1 FROM chunk_removals WHERE block = new.id >> 10);
          UPDATE chunk_removals SET version = version + 1 WHERE block = new.id >> 10;
        END;
      `);
    },
  },
  {
    version: 16,
    name: 'keyword postings in blocks of 1,024',
    up(db) {
      // Blocks of 256 read as well, but each row read costs the same whatever its size: at a
      // million chunks this takes about 10 s and makes keyword search 15% cheaper.
      new KeywordIndex(db).reblock();
    },
  },
];

/** Vectors converted at a time by quantizeVectors. */
const QUANTIZE_PAGE = 5_000;

/**
 * Rewrites each model's `vectors_N` from float32 blobs to the stored form of quantize() (int8
 * with a scale), into a new table written in chunk order (full pages: about ten 384-d rows a 4 KB
 * page where there were two), which then takes the old one's name. The sign bits in
 * `vector_bits_N` stay as they are: quantize keeps every component's sign. A blob that is not
 * float32 of the model's dimension (none should be) is left out, as a vector not made yet: the
 * embedder makes it again.
 */
export function quantizeVectors(db: SqliteDatabase): void {
  const models = db.prepare('SELECT id, dimensions FROM embedding_models').all() as { id: number; dimensions: number }[];
  for (const { id, dimensions } of models) {
    const table = `vectors_${id}`;
    if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table)) continue;
    const bits = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(`vector_bits_${id}`) !== undefined;
    db.exec(`
      DROP TRIGGER IF EXISTS ${table}_delete_bits;
      CREATE TABLE ${table}_int8 (
        chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
        embedding BLOB NOT NULL
      );
    `);
    const page = db.prepare(`SELECT chunk_id, embedding FROM ${table} WHERE chunk_id > ? ORDER BY chunk_id LIMIT ?`).raw();
    const insert = db.prepare(`INSERT INTO ${table}_int8 (chunk_id, embedding) VALUES (?, ?)`);
    const floats = new Float32Array(dimensions);
    const bytes = new Uint8Array(floats.buffer);
    for (let after = Number.MIN_SAFE_INTEGER; ; ) {
      const rows = page.all(after, QUANTIZE_PAGE) as [number, Buffer][];
      if (rows.length === 0) break;
      for (const [chunkId, blob] of rows) {
        if (blob.byteLength !== bytes.byteLength) continue;
        bytes.set(blob);
        insert.run(chunkId, quantize(floats));
      }
      after = rows.at(-1)![0];
    }
    db.exec(`DROP TABLE ${table}; ALTER TABLE ${table}_int8 RENAME TO ${table};`);
    if (bits) {
      db.exec(`
        CREATE TRIGGER ${table}_delete_bits AFTER DELETE ON ${table} BEGIN
          DELETE FROM vector_bits_${id} WHERE rowid = old.chunk_id;
        END;
      `);
    }
  }
}

/** Chunks read at a time by reindexNormalisedText: memory stays flat however large the library. */
const REINDEX_PAGE = 1_000;

/**
 * Rewrites the full-text rows (see app/search/analyze.ts) of chunks whose text or title normalising
 * changes. For every other chunk the analyser makes exactly the row it made before, which stays.
 * The title row is the document's title and sender, as the pipeline writes it. All the deletes
 * come first, then all the inserts: FTS5 merges its segments as it goes, and interleaving the two
 * made that merging cost about four times as much.
 */
function reindexNormalisedText(db: SqliteDatabase): void {
  const drop = db.prepare('DELETE FROM chunk_fts WHERE rowid = ?');
  for (const rows of changedChunks(db)) for (const row of rows) drop.run(row.id);
  const insert = db.prepare('INSERT INTO chunk_fts (rowid, title, body) VALUES (?, ?, ?)');
  for (const rows of changedChunks(db)) for (const row of rows) insert.run(row.id, analyze(row.title), analyze(row.text));
}

/** The chunks normalising changes (text, or title with sender), a page at a time, by id. */
function* changedChunks(db: SqliteDatabase): Generator<{ id: number; text: string; title: string }[]> {
  const page = db.prepare(
    `SELECT c.id, c.text, d.title || ' ' || coalesce(d.sender, '') AS title FROM chunks c JOIN documents d ON d.id = c.document_id
     WHERE c.id > ? ORDER BY c.id LIMIT ?`,
  );
  for (let after = 0; ; ) {
    const rows = page.all(after, REINDEX_PAGE) as { id: number; text: string; title: string }[];
    if (rows.length === 0) return;
    yield rows.filter((row) => normalize(row.text) !== row.text || normalize(row.title) !== row.title);
    after = rows.at(-1)!.id;
  }
}

export function currentVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every migration newer than the database. Refuses a database from a newer Cairn. */
export function migrate(db: SqliteDatabase, list: Migration[] = migrations, onUpgrade?: (from: number, to: number) => void): void {
  const latest = list.at(-1)?.version ?? 0;
  const from = currentVersion(db);
  if (from > latest) {
    throw new Error(`This library was written by a newer Cairn (schema ${from}; this one knows ${latest}).`);
  }
  // An existing library (not a new one) is about to be rewritten: at a million chunks that takes
  // minutes, which the user should hear about instead of a silent wait.
  if (from > 0 && from < latest) onUpgrade?.(from, latest);
  let freedSpace = false;
  for (const migration of list) {
    if (migration.version <= from) continue;
    freedSpace ||= migration.freesSpace === true;
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
    if (migration.rebuildsTables) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        migration.up(db);
        if (migration.rebuildsTables && foreignKeys) {
          const broken = db.pragma('foreign_key_check') as { table: string; parent: string }[];
          if (broken.length) {
            throw new Error(`Migration ${migration.version} would leave ${broken.length} row(s) pointing nowhere (first: ${broken[0]!.table} → ${broken[0]!.parent}).`);
          }
        }
        db.pragma(`user_version = ${migration.version}`);
      })();
    } finally {
      if (migration.rebuildsTables && foreignKeys) db.pragma('foreign_keys = ON');
    }
  }
  if (freedSpace) compact(db);
}

/**
 * VACUUM when more than a quarter of the file is free pages: it writes the library anew, as
 * small as its rows, through the write-ahead log (emptied after). It takes about as long as
 * copying the file and as much free disk: when it fails (no room) nothing is lost, the library
 * works as it is and its free pages are used again as it grows.
 */
function compact(db: SqliteDatabase): void {
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  if (free * 4 <= pages) return;
  try {
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // Kept as it was (see above).
  }
}
