// Imports as a UI shows them: files and folders added together (a drop, `library.add`) or
// documents read again (`documents.retry`, `documents.reindex`) are one import, with its state
// (kept across restarts), its stage, how far it got, and at the end what it came to: counts and
// every document that failed or was skipped, with why.
import { z } from 'zod';

export const ImportState = z.enum(['running', 'paused', 'cancelled', 'done']);
export type ImportState = z.infer<typeof ImportState>;

/**
 * What an import is doing: waiting behind other work, scanning (listing its folders: how many
 * files there are is not known yet), reading (its files are read, chunked, embedded and written);
 * null once it ended.
 */
export const ImportStage = z.enum(['waiting', 'scanning', 'reading']).nullable();
export type ImportStage = z.infer<typeof ImportStage>;

export const ImportStatus = z.object({
  id: z.number(),
  /** add: files and folders added; retry: documents read again. */
  origin: z.enum(['add', 'retry']),
  /** The first few of its paths; `pathCount` says how many there are. */
  paths: z.array(z.string()),
  pathCount: z.number(),
  state: ImportState,
  stage: ImportStage,
  /** Files (and messages of mailbox files) read so far. */
  filesDone: z.number(),
  /** Files still to read; null while folders are being scanned (not known yet). */
  filesTotal: z.number().nullable(),
  /** Documents (attachments too) that failed or were skipped so far. */
  problems: z.number(),
  /** Passages written. */
  chunks: z.number(),
  /** Files found unchanged since they were last read (not read again). */
  unchanged: z.number(),
  /** Files left unread because the import was cancelled. */
  dropped: z.number(),
  /** The file being read now, when known. */
  currentFile: z.string().nullable(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type ImportStatus = z.infer<typeof ImportStatus>;

/** A document of an import that failed or was skipped: why, and its id for the detail and a retry. */
export const ImportProblem = z.object({
  id: z.number(),
  /** The document it is inside (an attachment's email or file), or null. */
  parentId: z.number().nullable(),
  uri: z.string(),
  path: z.string().nullable(),
  title: z.string(),
  status: z.enum(['failed', 'skipped']),
  code: z.string().nullable(),
  reason: z.string(),
});
export type ImportProblem = z.infer<typeof ImportProblem>;

/** What an import came to (so far, while it runs): its top-level documents by status, and its problems a page at a time (failed first). */
export const ImportSummary = z.object({
  import: ImportStatus,
  counts: z.object({ pending: z.number(), indexed: z.number(), skipped: z.number(), failed: z.number() }),
  problems: z.object({ total: z.number(), items: z.array(ImportProblem) }),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

/** An import changed: started, moved on (at most a few times a second), paused, resumed, cancelled or ended. */
export const ImportEvent = z.object({ type: z.literal('import'), import: ImportStatus });
export type ImportEvent = z.infer<typeof ImportEvent>;

/** What to read again: one document, the failures of one import, or every failed document. */
export const RetryTarget = z.union([
  z.object({ id: z.number().int().positive() }).strict(),
  z.object({ importId: z.number().int().positive() }).strict(),
  z.object({ allFailed: z.literal(true) }).strict(),
]);
export type RetryTarget = z.infer<typeof RetryTarget>;

export const RetryResult = z.object({
  /** Files queued to be read again. */
  queued: z.number(),
  /** The import they were queued as (its progress and summary follow as import events), or null when nothing was queued. */
  importId: z.number().nullable(),
  /** Documents that cannot be read again this way (a mailbox's messages: the server is asked again when it changes them). */
  notRetried: z.number(),
});
export type RetryResult = z.infer<typeof RetryResult>;
