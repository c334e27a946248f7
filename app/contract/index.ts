// The API between any UI (CLI, web, Electron renderer) and the engine: request, response and
// event types with their zod schemas. No Node imports here: the renderer compiles against it too.
import { z } from 'zod';

export * from './models.ts';
export * from './chat.ts';
export * from './sources.ts';
export * from './source-status.ts';
export * from './errors.ts';
export * from './events.ts';

export const DocumentKind = z.enum(['file', 'email', 'web']);
export type DocumentKind = z.infer<typeof DocumentKind>;

export const DocumentStatus = z.enum(['pending', 'indexed', 'skipped', 'failed']);
export type DocumentStatus = z.infer<typeof DocumentStatus>;

export const SearchMode = z.enum(['bm25', 'vector', 'hybrid']);
export type SearchMode = z.infer<typeof SearchMode>;

/** A date bound: epoch milliseconds or anything Date.parse understands (ISO 8601). */
const DateBound = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${String(v)}` });
    return z.NEVER;
  }
  return ms;
});

export const SearchFilters = z.object({
  sourceIds: z.array(z.number().int()).optional(),
  kinds: z.array(DocumentKind).optional(),
  /** Only documents whose path (or uri) starts with this. */
  pathPrefix: z.string().optional(),
  dateFrom: DateBound.optional(),
  dateTo: DateBound.optional(),
  /** Email sender contains this (case-insensitive): a name or an address. */
  from: z.string().optional(),
  /** Email recipient (to or cc) contains this (case-insensitive). */
  to: z.string().optional(),
  /** Email from this mailbox folder (e.g. INBOX, Sent), in any account. */
  folder: z.string().optional(),
});
/** Filters as callers write them (dates as ISO strings or epoch ms). */
export type SearchFilters = z.input<typeof SearchFilters>;
/** Filters after validation (dates as epoch ms). */
export type SearchFiltersParsed = z.output<typeof SearchFilters>;

export const FusionWeights = z.object({
  bm25: z.number().min(0).default(1),
  vector: z.number().min(0).default(1),
});
export type FusionWeights = z.infer<typeof FusionWeights>;

export const SearchRequest = z.object({
  query: z.string().max(100_000),
  k: z.number().int().min(1).max(1000).default(10),
  mode: SearchMode.default('hybrid'),
  filters: SearchFilters.default({}),
  weights: FusionWeights.optional(),
});
export type SearchRequest = z.input<typeof SearchRequest>;
export type SearchRequestParsed = z.output<typeof SearchRequest>;

export const SearchHit = z.object({
  chunkId: z.number(),
  documentId: z.number(),
  uri: z.string(),
  title: z.string(),
  kind: DocumentKind,
  page: z.number().nullable(),
  headingPath: z.array(z.string()),
  text: z.string(),
  /** A short window of `text` around the matched words. */
  snippet: z.string(),
  /** [start, end) character ranges inside `snippet` that matched the query. */
  highlights: z.array(z.tuple([z.number(), z.number()])),
  score: z.number(),
  /** 1-based rank in each retriever that found this chunk. */
  ranks: z.object({ bm25: z.number().optional(), vector: z.number().optional() }),
  date: z.number().nullable(),
  from: z.string().nullable(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResponse = z.object({
  hits: z.array(SearchHit),
  /** The mode actually used: hybrid falls back to bm25 when there are no vectors. */
  mode: SearchMode,
  keywordOnly: z.boolean(),
  /** A line for the user about how the search ran (e.g. why it was keyword-only). */
  notice: z.string().nullable(),
});
export type SearchResponse = z.infer<typeof SearchResponse>;

export const DocumentProblem = z.object({
  uri: z.string(),
  status: z.enum(['skipped', 'failed']),
  code: z.string().nullable(),
  reason: z.string(),
});
export type DocumentProblem = z.infer<typeof DocumentProblem>;

export const EmbeddingModelInfo = z.object({
  key: z.string(),
  dimensions: z.number(),
  state: z.enum(['building', 'active', 'retired']),
  /** Chunks that have a vector in this model. */
  vectors: z.number(),
});
export type EmbeddingModelInfo = z.infer<typeof EmbeddingModelInfo>;

export const LibraryStatus = z.object({
  dbPath: z.string(),
  documents: z.record(DocumentStatus, z.number()),
  chunks: z.number(),
  pendingJobs: z.number(),
  problems: z.array(DocumentProblem),
  embeddingModels: z.array(EmbeddingModelInfo),
  /** The embedder configured for this library, or null (keyword-only). */
  embedder: z.string().nullable(),
});
export type LibraryStatus = z.infer<typeof LibraryStatus>;
