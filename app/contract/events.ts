// The one event stream: everything that changes by itself (indexing, sources, downloads,
// re-embedding, answers, the engine itself) as one discriminated union, validated wherever it
// crosses a process boundary. A UI renders these; it never polls for them.
import { z } from 'zod';
import { ChatEvent } from './chat.ts';
import { ErrorBody } from './errors.ts';
import { ImportEvent } from './imports.ts';
import { DownloadProgress, ModelInfo } from './models.ts';
import { SourceStatus } from './source-status.ts';
import { SourceStateEvent } from './sources.ts';

/**
 * What indexing is doing: scanning (listing folders), reading (files read, chunked, embedded and
 * written), embedding (passages written earlier given vectors, e.g. after the model changed), ocr
 * (pages with no text layer read from their images, after all text).
 */
export const IngestStage = z.enum(['scanning', 'reading', 'embedding', 'ocr']);
export type IngestStage = z.infer<typeof IngestStage>;

/** Indexing progress over all queued work: files read of those queued, chunks written, problems so far. */
export const IngestProgress = z.object({
  type: z.literal('progress'),
  stage: IngestStage,
  filesDone: z.number(),
  filesTotal: z.number(),
  chunks: z.number(),
  chunksPerSecond: z.number(),
  currentFile: z.string().nullable(),
  errors: z.number(),
  /** OCR, which runs after text: pages read so far in this run and pages queued in all (absent before OCR starts). */
  ocrPagesDone: z.number().optional(),
  ocrPagesTotal: z.number().optional(),
});
export type IngestProgress = z.infer<typeof IngestProgress>;

/** A document that could not be indexed (skipped or failed), with why. */
export const IngestIssue = z.object({
  type: z.literal('document-issue'),
  uri: z.string(),
  status: z.enum(['skipped', 'failed']),
  code: z.string(),
  reason: z.string(),
});
export type IngestIssue = z.infer<typeof IngestIssue>;

/**
 * Background embedding with a new model: `done` of `total` chunks have a vector in `model`; sent
 * when a run starts on it and after each batch. The rate is this run's; `secondsLeft` is null
 * until it has one.
 */
export const ReembedProgress = z.object({
  type: z.literal('reembed-progress'),
  model: z.string(),
  done: z.number(),
  total: z.number(),
  chunksPerSecond: z.number(),
  secondsLeft: z.number().nullable(),
});
export type ReembedProgress = z.infer<typeof ReembedProgress>;

/** Every source with its state, sent whenever any of it changes (added, removed, scanning, n of m…). */
export const SourcesEvent = z.object({ type: z.literal('sources'), sources: z.array(SourceStatus) });
export type SourcesEvent = z.infer<typeof SourcesEvent>;

/** A model download ended: done (with the model), cancelled (pull again to resume) or failed. */
export const ModelPullEnded = z.object({
  type: z.literal('model-pull'),
  file: z.string(),
  outcome: z.enum(['done', 'cancelled', 'failed']),
  model: ModelInfo.nullable(),
  error: ErrorBody.nullable(),
});
export type ModelPullEnded = z.infer<typeof ModelPullEnded>;

/** An answer that failed outright (an error, not a model's failure: those end with `done`). */
export const AnswerFailed = z.object({ type: z.literal('failed'), error: ErrorBody });

/**
 * One step of an answer, keyed by its conversation and question: `chat.ask` returns both at once,
 * then the answer streams (query, sources, thought and text deltas, notices) and ends with `done`
 * (the stored answer: complete, stopped or failed) or `failed`.
 */
export const AnswerEvent = z.object({
  type: z.literal('answer'),
  conversationId: z.number(),
  questionId: z.number(),
  event: z.union([ChatEvent, AnswerFailed]),
});
export type AnswerEvent = z.infer<typeof AnswerEvent>;

/**
 * The engine process itself: `stopped` when it died (requests under way fail; the host restarts
 * it), `ready` when it answers again (`restarts` says how many times it was restarted), `failed`
 * when it could not open the library or kept stopping, and will not be restarted (`reason` says
 * why; every request fails at once until the app is started again).
 */
export const EngineStateEvent = z.object({
  type: z.literal('engine'),
  state: z.enum(['ready', 'stopped', 'failed']),
  restarts: z.number().int().min(0),
  reason: z.string().nullable(),
});
export type EngineStateEvent = z.infer<typeof EngineStateEvent>;

export const EngineEvent = z.discriminatedUnion('type', [
  IngestProgress,
  IngestIssue,
  ImportEvent,
  ReembedProgress,
  SourceStateEvent,
  SourcesEvent,
  DownloadProgress,
  ModelPullEnded,
  AnswerEvent,
  EngineStateEvent,
]);
export type EngineEvent = z.infer<typeof EngineEvent>;
export type EngineEventType = EngineEvent['type'];
