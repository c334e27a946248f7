// The SQLite library file: connection and pragmas, numbered migrations, and one repository per
// table group. No other folder writes SQL.
import { openSqlite, type SqliteDatabase } from '../../native/sqlite.ts';
import { CairnError } from '../contract/index.ts';
import { ConversationRepository } from './conversations.ts';
import { DocumentRepository } from './documents.ts';
import { DocumentListing } from './document-listing.ts';
import { DocumentTextQueries } from './document-text.ts';
import { ImportRepository } from './imports.ts';
import { JobQueue } from './jobs.ts';
import { KeywordIndex } from './keyword-index.ts';
import { makeLibraryPrivate } from './location.ts';
import { MailboxRepository } from './mailboxes.ts';
import { migrate } from './migrations.ts';
import { ModelRepository } from './models.ts';
import { OcrRepository } from './ocr.ts';
import { Presence } from './processes.ts';
import { RetrievalQueries } from './retrieval.ts';
import { SettingsRepository } from './settings.ts';
import { SourceRepository } from './sources.ts';
import { damagedError, damageMark, storageError } from './storage-errors.ts';
import { WebCacheRepository } from './web-cache.ts';

export type { ChunkInput, DocumentInput, FileState, MoveCandidate, RetryCandidate } from './documents.ts';
export type { ChunkRecord, ChunkSpan, DocumentListing, DocumentRecord, ListedDocument, ListQuery, ListSort, ProblemRecord } from './document-listing.ts';
export type { ChunkSpanRecord, DocumentTextQueries } from './document-text.ts';
export type { ConversationInput, ConversationRepository, MessageInput } from './conversations.ts';
export type { ImportOrigin, ImportProblemRecord, ImportProgress, ImportRecord, ImportRepository, ImportState } from './imports.ts';
export type { Job, JobHold, JobKind } from './jobs.ts';
export type { OcrJobPayload, OcrPageRow, OcrTarget } from './ocr.ts';
export type { LockResult, ProcessInfo } from './processes.ts';
export type { MailAccountStateRow, MailboxRepository, MailFolderState, MailJobPayload } from './mailboxes.ts';
export type { HitRow, ParsedFilters, SqlCondition } from './retrieval.ts';
export { filterCondition } from './retrieval.ts';
export type { SourceKind, SourceRow } from './sources.ts';
export { PAUSED_SOURCES_SETTING } from './sources.ts';
export type { EmbeddingModelRow, ModelState } from './vectors.ts';
export { VectorStore, usesBitIndex } from './vectors.ts';
export { SignIndex, signBits } from './sign-index.ts';
export { dequantize, QuantizedVectors, quantize } from './quantized-vectors.ts';
export { migrate, migrations, currentVersion } from './migrations.ts';
export type { CachedPage, CachedSearch, WebCacheRepository } from './web-cache.ts';
export { ScratchFullText } from './scratch-index.ts';
export { KeywordIndex, MAX_CHUNK_ID, type KeywordTerm, type KeywordTotals, type Postings } from './keyword-index.ts';
export { tokenSequences } from './fts-tokens.ts';
export { checkLibrary, repairLibrary, type LibraryCheck, type RepairReport } from './repair.ts';

export class Library {
  readonly path: string;
  readonly db: SqliteDatabase;
  readonly conversations: ConversationRepository;
  readonly documents: DocumentRepository;
  /** Documents as a UI browses them (pages, detail, problems). */
  readonly listing: DocumentListing;
  /** Documents' chunks as the source viewer reads them. */
  readonly texts: DocumentTextQueries;
  readonly jobs: JobQueue;
  /** Imports (files and folders added together, documents read again): state, progress, what they ended with. */
  readonly imports: ImportRepository;
  /** Postings by token for BM25 top-k, kept in step with the chunks by every transaction. */
  readonly keywords: KeywordIndex;
  readonly mailboxes: MailboxRepository;
  readonly models: ModelRepository;
  readonly ocr: OcrRepository;
  /** This process among those using the library: owner of the jobs it claims and the locks it takes. */
  readonly presence: Presence;
  readonly retrieval: RetrievalQueries;
  readonly settings: SettingsRepository;
  readonly sources: SourceRepository;
  readonly webCache: WebCacheRepository;

  /** Opened by openReader: this connection only reads. */
  readonly reader: boolean;

  /** Turns SQLite's errors into what they mean for this library (see storage-errors.ts). */
  private readonly mapError: (error: unknown) => unknown;

  private constructor(path: string, db: SqliteDatabase, mapError: (error: unknown) => unknown, reader = false) {
    this.path = path;
    this.db = db;
    this.mapError = mapError;
    this.reader = reader;
    this.conversations = new ConversationRepository(db);
    this.documents = new DocumentRepository(db);
    this.listing = new DocumentListing(db);
    this.texts = new DocumentTextQueries(db);
    this.presence = new Presence(db);
    this.jobs = new JobQueue(db, this.presence);
    this.imports = new ImportRepository(db);
    this.keywords = new KeywordIndex(db);
    this.mailboxes = new MailboxRepository(db, this.jobs);
    this.models = new ModelRepository(db);
    this.ocr = new OcrRepository(db, this.jobs);
    this.retrieval = new RetrievalQueries(db);
    this.settings = new SettingsRepository(db);
    this.sources = new SourceRepository(db);
    this.webCache = new WebCacheRepository(db);
  }

  /**
   * Opens (creating and migrating as needed) the library at `path`, private to the user. A
   * library found damaged before is refused until `cairn doctor` checks or repairs it.
   */
  static open(path: string): Library {
    const mapError = (error: unknown) => storageError(error, path);
    let db: SqliteDatabase | undefined;
    try {
      if (path !== ':memory:') {
        const damage = damageMark(path);
        if (damage !== null) throw damagedError(path, damage);
        makeLibraryPrivate(path);
      }
      db = openSqlite(path, { mapError });
      migrate(db);
    } catch (error) {
      db?.close();
      throw openError(path, mapError, error);
    }
    return new Library(path, db, mapError);
  }

  /**
   * A second connection to a library another connection of this process has open (and so
   * migrated and made private), that only reads: for search on another thread. WAL lets it read
   * while the first one writes; each read transaction sees what was committed when it began.
   */
  static openReader(path: string): Library {
    const mapError = (error: unknown) => storageError(error, path);
    try {
      return new Library(path, openSqlite(path, { readonly: true, mapError }), mapError, true);
    } catch (error) {
      throw openError(path, mapError, error);
    }
  }

  /** Runs `fn` in one read transaction: every query in it sees the same committed state. */
  snapshot<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    try {
      return this.db.transaction(fn).deferred();
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /**
   * Runs `fn` in a write transaction. IMMEDIATE: the write lock is taken (waiting on another
   * process) at the start, so a transaction that reads before it writes never fails half way
   * because another process wrote meanwhile. The keyword index takes in the chunks written or
   * removed before it commits.
   */
  transaction<T>(fn: () => T): T {
    try {
      return this.db
        .transaction(() => {
          const result = fn();
          this.keywords.sync();
          return result;
        })
        .immediate();
    } catch (error) {
      // BEGIN and COMMIT are better-sqlite3's own statements: their errors come here unmapped.
      throw this.mapError(error);
    }
  }

  /** A number that changes whenever another connection commits (PRAGMA data_version): cheap to poll. */
  dataVersion(): number {
    // Prepared (and cached), not db.pragma(): that prepares anew on every call, and keeps the memory.
    return this.db.prepare('PRAGMA data_version').pluck().get() as number;
  }

  close(): void {
    if (!this.db.open) return;
    if (this.reader) {
      this.db.close();
      return;
    }
    try {
      // Jobs this process holds go back in the queue; its locks go with its row.
      this.transaction(() => this.jobs.releaseAll());
    } catch {
      // A library that cannot be written any more: another process takes the work once this one is gone.
    }
    this.presence.close();
    this.db.close();
  }
}
export { defaultDataDir, resolveLibraryPath } from './location.ts';

/** What opening the library at `path` failed with, as the user should hear it. */
function openError(path: string, mapError: (error: unknown) => unknown, error: unknown): unknown {
  const mapped = mapError(error);
  if (mapped instanceof CairnError) return mapped;
  return new CairnError('library-unreadable', `Cannot open the library at ${path}: ${(error as Error).message}`, { cause: error });
}
