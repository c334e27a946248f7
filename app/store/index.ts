// The SQLite library file: connection and pragmas, numbered migrations, and one repository per
// table group. No other folder writes SQL.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openSqlite, type SqliteDatabase } from '../../native/sqlite.ts';
import { CairnError } from '../contract/index.ts';
import { ConversationRepository } from './conversations.ts';
import { DocumentRepository } from './documents.ts';
import { DocumentListing } from './document-listing.ts';
import { JobQueue } from './jobs.ts';
import { MailboxRepository } from './mailboxes.ts';
import { migrate } from './migrations.ts';
import { ModelRepository } from './models.ts';
import { RetrievalQueries } from './retrieval.ts';
import { SettingsRepository } from './settings.ts';
import { SourceRepository } from './sources.ts';
import { WebCacheRepository } from './web-cache.ts';

export type { ChunkInput, DocumentInput, FileState, MoveCandidate } from './documents.ts';
export type { ChunkRecord, DocumentListing, DocumentRecord, ListedDocument, ListQuery, ListSort, ProblemRecord } from './document-listing.ts';
export type { ConversationInput, ConversationRepository, MessageInput } from './conversations.ts';
export type { Job, JobKind } from './jobs.ts';
export type { MailAccountStateRow, MailboxRepository, MailFolderState, MailJobPayload } from './mailboxes.ts';
export type { HitRow, ParsedFilters, SqlCondition } from './retrieval.ts';
export { filterCondition } from './retrieval.ts';
export type { SourceKind, SourceRow } from './sources.ts';
export type { EmbeddingModelRow, ModelState } from './vectors.ts';
export { VectorStore, usesBitIndex } from './vectors.ts';
export { SignIndex } from './sign-index.ts';
export { migrate, migrations, currentVersion } from './migrations.ts';
export type { CachedPage, CachedSearch, WebCacheRepository } from './web-cache.ts';
export { ScratchFullText } from './scratch-index.ts';

export class Library {
  readonly path: string;
  readonly db: SqliteDatabase;
  readonly conversations: ConversationRepository;
  readonly documents: DocumentRepository;
  /** Documents as a UI browses them (pages, detail, problems). */
  readonly listing: DocumentListing;
  readonly jobs: JobQueue;
  readonly mailboxes: MailboxRepository;
  readonly models: ModelRepository;
  readonly retrieval: RetrievalQueries;
  readonly settings: SettingsRepository;
  readonly sources: SourceRepository;
  readonly webCache: WebCacheRepository;

  private constructor(path: string, db: SqliteDatabase) {
    this.path = path;
    this.db = db;
    this.conversations = new ConversationRepository(db);
    this.documents = new DocumentRepository(db);
    this.listing = new DocumentListing(db);
    this.jobs = new JobQueue(db);
    this.mailboxes = new MailboxRepository(db);
    this.models = new ModelRepository(db);
    this.retrieval = new RetrievalQueries(db);
    this.settings = new SettingsRepository(db);
    this.sources = new SourceRepository(db);
    this.webCache = new WebCacheRepository(db);
  }

  /** Opens (creating and migrating as needed) the library at `path`. */
  static open(path: string): Library {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let db: SqliteDatabase | undefined;
    try {
      db = openSqlite(path);
      migrate(db);
    } catch (error) {
      db?.close();
      const message = (error as Error).message;
      const code = /not a database|malformed|corrupt/i.test(message) ? 'library-corrupt' : 'library-unreadable';
      throw new CairnError(code, `Cannot open the library at ${path}: ${message}`, { cause: error });
    }
    return new Library(path, db);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
export { defaultDataDir, resolveLibraryPath } from './location.ts';
