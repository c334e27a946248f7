// The API between any UI (CLI, web, Electron renderer) and the engine: request, response and
// event types with their zod schemas. No Node imports here: the renderer compiles against it too.
import { z } from 'zod';

export * from './models.ts';
export * from './chat.ts';
export * from './sources.ts';
export * from './source-status.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './imports.ts';

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

/**
 * The longest query a request may carry. Search reads only a query's first 64 distinct words and
 * cuts the rest, so this cap is only for transport sanity: a request is one message in memory.
 */
export const MAX_QUERY_CHARS = 1_000_000;

export const SearchRequest = z.object({
  query: z.string().max(MAX_QUERY_CHARS, 'Query too long: at most 1,000,000 characters (search reads only its first 64 distinct words).'),
  k: z.number().int().min(1).max(1000).default(10),
  mode: SearchMode.default('hybrid'),
  filters: SearchFilters.default({}),
  weights: FusionWeights.optional(),
  /** Highlighted snippets for the first this many hits (default: all); later hits get none. */
  snippets: z.number().int().min(0).optional(),
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
  /** A short window of `text` around the matched words; '' past the request's `snippets`. */
  snippet: z.string(),
  /** [start, end) character ranges inside `snippet` that matched the query. */
  highlights: z.array(z.tuple([z.number(), z.number()])),
  score: z.number(),
  /** 1-based rank in each retriever that found this chunk. */
  ranks: z.object({ bm25: z.number().optional(), vector: z.number().optional() }),
  /** Cosine similarity to the query, for a hit vector search found (what a relevance cut needs besides ranks). */
  similarity: z.number().optional(),
  date: z.number().nullable(),
  from: z.string().nullable(),
  /** True when the text was read by OCR from an image of the page (a scan, a photo): it may have misread words. */
  ocr: z.boolean().optional(),
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

/**
 * Vectors being made with the configured embedding model (after it changed, or was first set on a
 * library indexed without one): `done` of `total` chunks have one. Search keeps the previous
 * model's vectors until all do. The work continues in whatever indexes the library (`cairn
 * index`, `cairn watch`, `cairn mail sync`, the app) and resumes where it stopped.
 */
export const ReembedStatus = z.object({
  model: z.string(),
  done: z.number(),
  total: z.number(),
  /** Whether search still uses another model's vectors meanwhile (false: the first model; search is keyword-only until done). */
  replacing: z.boolean(),
  /** The process embedding now ("cairn watch (pid 4242)"), or null: none is, it waits for the next one that indexes. */
  by: z.string().nullable(),
});
export type ReembedStatus = z.infer<typeof ReembedStatus>;

/** Which problems a status lists: `limit` of them from `offset` (by status, then uri). */
export const ProblemsPage = z.object({
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(10_000).default(200),
});
export type ProblemsPage = z.input<typeof ProblemsPage>;

export const LibraryStatus = z.object({
  dbPath: z.string(),
  documents: z.record(DocumentStatus, z.number()),
  chunks: z.number(),
  pendingJobs: z.number(),
  /** One page of the documents that failed or were skipped (see ProblemsPage). */
  problems: z.array(DocumentProblem),
  /** How many problems there are in all. */
  problemCount: z.number(),
  /** Where the next page of problems starts; null when `problems` runs to the last one. */
  problemsNext: z.number().nullable(),
  embeddingModels: z.array(EmbeddingModelInfo),
  /** The embedder configured for this library, or null (keyword-only). */
  embedder: z.string().nullable(),
  /** OCR: whether it runs, its languages, and the pages waiting for it or given up on. */
  ocr: z.object({
    enabled: z.boolean(),
    languages: z.array(z.string()),
    pagesWaiting: z.number(),
    documentsWaiting: z.number(),
    pagesFailed: z.number(),
  }).optional(),
  /** Embedding work in progress (the configured model lacks vectors for some chunks), else null. */
  reembed: ReembedStatus.nullable(),
});
export type LibraryStatus = z.infer<typeof LibraryStatus>;
