// The method table: every capability a UI has, each a name with a zod schema for its params and
// one for its result. The engine serves exactly this table (app/service), every transport carries
// it unchanged (MessagePort, HTTP), and the `CairnApi` client type is derived from it, so adding a
// capability is one entry here and one handler there. No Node imports: the renderer uses it too.
import { z } from 'zod';
import {
  AskRequest,
  CatalogModel,
  ChatSettings,
  ConversationDetail,
  ConversationScope,
  ConversationSummary,
  DocumentKind,
  DocumentProblem,
  DocumentStatus,
  HardwareReport,
  ImportStatus,
  ImportSummary,
  LibraryStatus,
  MailAccountInfo,
  MailAccountSettings,
  MailSecurity,
  ModelFit,
  ModelInfo,
  ModelRecommendation,
  NewConversation,
  RetryResult,
  RetryTarget,
  SearchFilters,
  SearchRequest,
  SearchResponse,
  SourceStatus,
} from './index.ts';

const Id = z.number().int().positive();
const NoParams = z.object({});

// ---- library and documents -------------------------------------------------------------------

/** One page of a long list: `offset` items skipped, at most `limit` returned. */
export const PageParams = z.object({
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(50),
});

export const DocumentSort = z.enum(['title', 'path', 'date', 'indexed', 'size', 'status']);
export type DocumentSort = z.infer<typeof DocumentSort>;

const DocumentFilter = z.object({
  sourceId: Id.optional(),
  kind: DocumentKind.optional(),
  status: DocumentStatus.optional(),
  /** Words in the title or path (case-insensitive, as typed). */
  text: z.string().max(500).optional(),
});

export const DocumentQuery = PageParams.extend({
  sort: DocumentSort.default('indexed'),
  order: z.enum(['asc', 'desc']).default('desc'),
  ...DocumentFilter.shape,
});
export type DocumentQuery = z.input<typeof DocumentQuery>;

export const StatusCounts = z.object({ pending: z.number(), indexed: z.number(), skipped: z.number(), failed: z.number() });
export type StatusCounts = z.infer<typeof StatusCounts>;

/** A top-level document as a list shows it. */
export const DocumentSummary = z.object({
  id: z.number(),
  sourceId: z.number(),
  uri: z.string(),
  path: z.string().nullable(),
  kind: DocumentKind,
  title: z.string(),
  mime: z.string().nullable(),
  size: z.number().nullable(),
  /** Email date, else the file's modification time (epoch ms). */
  date: z.number().nullable(),
  indexedAt: z.number().nullable(),
  status: DocumentStatus,
  /** Why it was skipped or failed. */
  code: z.string().nullable(),
  reason: z.string().nullable(),
  chunks: z.number(),
  /** Documents inside it (attachments, messages of a mailbox file). */
  children: z.number(),
});
export type DocumentSummary = z.infer<typeof DocumentSummary>;

export const DocumentPage = z.object({ total: z.number(), items: z.array(DocumentSummary) });
export type DocumentPage = z.infer<typeof DocumentPage>;

export const DocumentChunk = z.object({
  id: z.number(),
  ordinal: z.number(),
  text: z.string(),
  /** [start, end) in the document's text: consecutive chunks may overlap where long text was cut. */
  start: z.number(),
  end: z.number(),
  page: z.number().nullable(),
  headingPath: z.array(z.string()),
});
export type DocumentChunk = z.infer<typeof DocumentChunk>;

export const DocumentDetail = DocumentSummary.extend({
  parentId: z.number().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  sender: z.string().nullable(),
  recipients: z.array(z.string()),
  /** Its chunks in order; `chunksTotal` says how many there are when `chunkLimit` cut the list. */
  chunkList: z.array(DocumentChunk),
  chunksTotal: z.number(),
  childList: z.array(DocumentSummary),
});
export type DocumentDetail = z.infer<typeof DocumentDetail>;

export const ProblemPage = z.object({ total: z.number(), items: z.array(DocumentProblem) });

// ---- a document's content, for the source viewer -------------------------------------------

/** A chunk's place in its document's text: [start, end) offsets, its page and headings. */
export const ChunkSpan = z.object({
  id: z.number(),
  ordinal: z.number(),
  start: z.number(),
  end: z.number(),
  page: z.number().nullable(),
  headingPath: z.array(z.string()),
  /** Read by OCR from an image of its page: its offsets are in that page's OCR text. */
  ocr: z.boolean(),
});
export type ChunkSpan = z.infer<typeof ChunkSpan>;

/** What OCR read on one page: its text, each line's place in it and box on the image read, and the chunks made of it. */
export const OcrPageText = z.object({
  page: z.number(),
  text: z.string(),
  /** The image OCR read, in pixels (the page at its default orientation); null when unknown. */
  width: z.number().nullable(),
  height: z.number().nullable(),
  lines: z.array(z.object({ start: z.number(), end: z.number(), box: z.tuple([z.number(), z.number(), z.number(), z.number()]) })),
  chunks: z.array(ChunkSpan),
});
export type OcrPageText = z.infer<typeof OcrPageText>;

/** The most text documents.text gives at once: a longer document comes as the part around the chunk asked for. */
export const MAX_DOCUMENT_TEXT = 400_000;

export const DocumentTextParams = z.object({
  id: Id,
  /** The chunk to show (a citation's): `chunk` in the answer, and the part of a long document around it. */
  chunkId: z.number().int().optional(),
});

export const DocumentText = z.object({
  document: DocumentSummary.extend({ parentId: z.number().nullable() }),
  /** The document this one came in (the email of an attachment), or null. */
  parent: z.object({ id: z.number(), title: z.string(), kind: DocumentKind }).nullable(),
  /**
   * The document's text as it was indexed, from `offset` on: every chunk at its stored offsets, so
   * that `text[chunk.start - offset]` is where a chunk begins. Between chunks there is only white
   * space, of the length it had (one space, or line breaks).
   */
  text: z.string(),
  offset: z.number(),
  /** The length of the whole document's own text (not OCR's); more than `offset + text.length` when only a part came. */
  length: z.number(),
  /** The chunks inside `text`, in order (those read by OCR are in `ocrPages`). */
  chunks: z.array(ChunkSpan),
  /** Pages read by OCR (a scan, an image), in order: the cited one and those around it when there are many. */
  ocrPages: z.array(OcrPageText),
  /** The chunk asked for, with its text; null when not asked, or when the document no longer has it (indexed again since). */
  chunk: ChunkSpan.extend({ text: z.string() }).nullable(),
  /** Where each page's text starts in the document's text (a PDF's pages that have text). */
  pageStarts: z.array(z.object({ page: z.number(), start: z.number() })),
  /** A PDF's page count. */
  pages: z.number().nullable(),
  /** An email's headers, and where its body starts in the document's text (after the header lines indexed with it). */
  email: z
    .object({
      from: z.string().nullable(),
      to: z.array(z.string()),
      cc: z.array(z.string()),
      subject: z.string().nullable(),
      date: z.number().nullable(),
      bodyStart: z.number(),
    })
    .nullable(),
  /** Documents inside it: an email's attachments, a mailbox file's messages. */
  children: z.array(DocumentSummary),
  /** The original file documents.file serves (a PDF the viewer renders), or null with why not. */
  file: z.object({ mime: z.string(), size: z.number() }).nullable(),
  fileNote: z.string().nullable(),
});
export type DocumentText = z.infer<typeof DocumentText>;

/** The most bytes one documents.file call returns. */
export const MAX_FILE_RANGE = 1024 * 1024;

export const DocumentFileRange = z.object({
  /** The file's size and type. */
  size: z.number(),
  mime: z.string(),
  offset: z.number(),
  /** The bytes from `offset`, base64. */
  data: z.string(),
});
export type DocumentFileRange = z.infer<typeof DocumentFileRange>;
export type ProblemPage = z.infer<typeof ProblemPage>;

// ---- sources ---------------------------------------------------------------------------------

export const FolderInput = z.object({
  path: z.string().min(1),
  /** Globs of files to index (none: all). */
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
  maxFileBytes: z.number().int().positive().optional(),
});

export const MailAccountInput = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).optional(),
  security: MailSecurity.default('tls'),
  user: z.string().min(1),
  /** The password, app password or (auth 'oauth2') access token; kept in the secret store, never in the library. */
  secret: z.string().min(1),
  auth: z.enum(['password', 'oauth2']).default('password'),
  folders: z.array(z.string().min(1)).optional(),
});
export type MailAccountInput = z.input<typeof MailAccountInput>;

// ---- answers ---------------------------------------------------------------------------------

/** The ids an answer streams under (AnswerEvent): known at once, before anything is searched. */
export const AnswerStarted = z.object({ conversationId: z.number(), questionId: z.number() });
export type AnswerStarted = z.infer<typeof AnswerStarted>;

// ---- models ----------------------------------------------------------------------------------

/** A model to use: a model file (catalog id, file name in the models folder, or a path), a server, or none. */
export const ModelChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('file'), model: z.string().min(1) }),
  z.object({ type: z.literal('server'), baseUrl: z.url({ protocol: /^https?$/ }), model: z.string().min(1), dimensions: z.number().int().positive().optional() }),
  z.object({ type: z.literal('none') }),
]);
export type ModelChoice = z.infer<typeof ModelChoice>;

/** What the library uses now, for people: a file's path or a server's model. */
export const ModelInUse = z.object({ type: z.enum(['file', 'server']), name: z.string(), location: z.string() }).nullable();
export type ModelInUse = z.infer<typeof ModelInUse>;

export const ModelsState = z.object({
  dir: z.string(),
  models: z.array(ModelInfo),
  /** Downloads under way (their progress comes as model-download events). */
  pulling: z.array(z.string()),
  chat: ModelInUse,
  embedding: ModelInUse,
});
export type ModelsState = z.infer<typeof ModelsState>;

/** A catalog model and whether it suits this machine. */
export const CatalogEntry = CatalogModel.extend({ fit: ModelFit });
export type CatalogEntry = z.infer<typeof CatalogEntry>;

export const ModelCatalogInfo = z.object({
  models: z.array(CatalogEntry),
  recommendation: ModelRecommendation,
  hardware: HardwareReport,
});

// ---- settings --------------------------------------------------------------------------------

export const WebProvider = z.enum(['searxng', 'brave', 'tavily', 'duckduckgo']);
export type WebProvider = z.infer<typeof WebProvider>;

/** The languages OCR can read: those whose trained data Cairn installs (app/ocr/languages.ts names them). */
export const OcrLanguage = z.enum(['eng', 'chi_sim']);
export type OcrLanguage = z.infer<typeof OcrLanguage>;

/**
 * OCR of scanned pages and images, per library (as `cairn ocr`). Off: pages found wait in the queue
 * until it is on again. Languages are read in this order, the first being the main one.
 */
export const OcrSettings = z.object({
  enabled: z.boolean(),
  languages: z.array(OcrLanguage).min(1, 'choose at least one OCR language').refine((l) => new Set(l).size === l.length, 'each OCR language once'),
  /** A page taking longer is given up (and not tried again with the same languages). */
  pageTimeoutMs: z.number().int().min(5_000).max(3_600_000),
});
export type OcrSettings = z.infer<typeof OcrSettings>;

/** Settings a person changes; each part may be sent alone (settings.update). */
export const EditableSettings = z.object({
  /** Defaults for new conversations' search. */
  retrieval: z.object({
    /** Passages (sources) given to the model per answer, at most. */
    k: z.number().int().min(1).max(50),
    minSimilarity: z.number().min(-1).max(1),
    /** Keywords against meaning in the ranking: 0 keywords only, 1 meaning only, 0.5 both alike. */
    meaningWeight: z.number().min(0).max(1),
  }),
  generation: z.object({
    temperature: z.number().min(0).max(2),
    /** Tokens kept free for the answer; null: the model's default. */
    maxAnswerTokens: z.number().int().min(16).nullable(),
    /** The chat model's context in tokens (a local model gets at most what it was trained on); null: Cairn chooses (8,192 locally). */
    contextSize: z.number().int().min(1024).max(1_048_576).nullable(),
  }),
  interface: z.object({
    language: z.enum(['system', 'en', 'zh-CN']),
    theme: z.enum(['system', 'light', 'dark']),
  }),
  /**
   * The OpenAI-compatible local API and MCP server (off unless turned on). appendSources: answers
   * from the library list their cited sources in the text too (for clients that show only the text).
   */
  localApi: z.object({ enabled: z.boolean(), port: z.number().int().min(0).max(65535), appendSources: z.boolean() }),
  ocr: OcrSettings,
});
export type EditableSettings = z.infer<typeof EditableSettings>;

export const WebSettings = z.object({
  provider: WebProvider.nullable(),
  /** The provider's address when not its default (SearXNG needs one). */
  baseUrl: z.string().nullable(),
  /** Whether the provider's API key is in the secret store (the key itself never leaves it). */
  keyStored: z.boolean(),
});

export const Settings = EditableSettings.extend({
  web: WebSettings,
  /** The token the local API wants (Authorization: Bearer). */
  apiToken: z.string(),
  /** Where the local API answers now (…/v1), or null while it is off or could not start. */
  localApiUrl: z.string().nullable(),
  /** Where passwords and keys are kept, in words (the system keychain, or a file only you can read). */
  secretStore: z.string(),
});
export type Settings = z.infer<typeof Settings>;

export const SettingsPatch = z.object({
  retrieval: EditableSettings.shape.retrieval.partial().optional(),
  generation: EditableSettings.shape.generation.partial().optional(),
  interface: EditableSettings.shape.interface.partial().optional(),
  localApi: EditableSettings.shape.localApi.partial().optional(),
  /** Switching OCR on, or changing its languages, reads the pages waiting in the background. */
  ocr: OcrSettings.partial().optional(),
  /** A provider to use, or null: no web search. */
  web: z.object({ provider: WebProvider, baseUrl: z.url({ protocol: /^https?$/ }).optional() }).nullable().optional(),
});
export type SettingsPatch = z.input<typeof SettingsPatch>;

// ---- the desktop app -------------------------------------------------------------------------
// What only the desktop app can do for a window: open a document's file in the system's viewer,
// show it in the file manager, ask for files or folders with the system's dialog, open a web link
// in the system's browser. In Electron the preload hands every `desktop.*` request to the main
// process, which answers it; anywhere else (a browser against `cairn serve`) `desktop.info` says
// `available: false` and the others fail with the code 'desktop-only'. A window asks
// `desktop.info` once and hides what is not available.

/** The error code of a desktop action asked for where there is no desktop app (a browser). */
export const DESKTOP_ONLY = 'desktop-only';
/** The methods main answers (the preload routes requests by this prefix). */
export const DESKTOP_METHOD_PREFIX = 'desktop.';

export const DesktopInfo = z.object({
  /** Whether the desktop actions below work here (false in a browser). */
  available: z.boolean(),
  /** The operating system (for words and shortcuts); null in a browser. */
  platform: z.enum(['darwin', 'win32', 'linux']).nullable(),
});
export type DesktopInfo = z.infer<typeof DesktopInfo>;

/** How a document was shown: opened in its viewer (a web page: in the browser), or its file shown in the file manager. */
export const DocumentShown = z.object({
  shown: z.enum(['opened', 'revealed']),
  /** Whether the viewer was told the page asked for (most viewers cannot be: the document opens at its start). */
  atPage: z.boolean(),
  /** A line for the user when less was done than asked (why it was revealed rather than opened, why not at the page). */
  note: z.string().nullable(),
});
export type DocumentShown = z.infer<typeof DocumentShown>;

export const ChoosePaths = z.object({
  /** What the dialog picks. */
  pick: z.enum(['files', 'folders']),
  multiple: z.boolean().default(true),
  title: z.string().max(200).optional(),
  /** Only files with these extensions (no dot), e.g. ['gguf'] for a model. */
  extensions: z.array(z.string().regex(/^[A-Za-z0-9]{1,16}$/)).max(50).optional(),
});
export type ChoosePaths = z.input<typeof ChoosePaths>;

// ---- the table -------------------------------------------------------------------------------

export interface MethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  params: P;
  result: R;
}

function method<P extends z.ZodType, R extends z.ZodType>(params: P, result: R): MethodSpec<P, R> {
  return { params, result };
}

const Removed = z.object({ removed: z.number() });

export const methods = {
  /** Who is answering: the library's path and the engine's version (also a cheap ping). */
  'engine.info': method(NoParams, z.object({ version: z.string(), dbPath: z.string(), pid: z.number() })),

  'library.status': method(NoParams, LibraryStatus),
  /**
   * Files and folders as dropped: queued as one import and indexed in the background (import and
   * progress events; its summary from imports.get). `importId` is null when nothing was queued.
   */
  'library.add': method(
    z.object({ paths: z.array(z.string().min(1)).min(1).max(10_000) }),
    z.object({ queued: z.array(z.string()), missing: z.array(z.string()), importId: z.number().nullable() }),
  ),
  'library.remove': method(z.object({ path: z.string().min(1) }), Removed),
  /** Finishes queued work in the background (after an interruption or a model change). */
  'library.index': method(NoParams, z.object({ started: z.boolean() })),

  'documents.list': method(DocumentQuery, DocumentPage),
  /** Top-level documents by status among those a filter matches (its status aside): what documents.list would find for each. */
  'documents.counts': method(DocumentFilter.omit({ status: true }), StatusCounts),
  'documents.get': method(z.object({ id: Id, chunkLimit: z.number().int().min(0).max(10_000).default(500) }), DocumentDetail),
  /**
   * Takes a top-level document out of the library (with what is inside it; a file also with the
   * source it was added as alone). A file in a watched folder comes back when it changes.
   */
  'documents.remove': method(z.object({ id: Id }), Removed),
  /** Reads one document again (its top-level file or web page), in the background. */
  'documents.reindex': method(z.object({ id: Id }), z.object({ queued: z.boolean() })),
  /**
   * Reads again, as a new import, one document (its top-level file), the documents an import
   * could not read, or every failed document in the library.
   */
  'documents.retry': method(RetryTarget, RetryResult),
  /** Documents skipped or failed, with why: all of them, a page at a time. */
  'documents.problems': method(PageParams, ProblemPage),
  /** A document's text as indexed, with its chunks' offsets (the source viewer marks a passage with them), email headers, attachments. */
  'documents.text': method(DocumentTextParams, DocumentText),
  /**
   * Bytes of a document's original file, by document id (never by path): only a PDF indexed from a
   * folder or file the user added, still inside it. A range at a time; in web mode also
   * `GET /api/documents/<id>/file` with HTTP range requests.
   */
  'documents.file': method(
    z.object({ id: Id, offset: z.number().int().min(0).default(0), length: z.number().int().min(1).max(MAX_FILE_RANGE).default(MAX_FILE_RANGE) }),
    DocumentFileRange,
  ),

  /** Imports running or paused, then the most recent finished ones (newest first). */
  'imports.list': method(NoParams, z.array(ImportStatus)),
  /** An import with what it came to so far: counts, and its problems a page at a time. */
  'imports.get': method(PageParams.extend({ id: Id }), ImportSummary),
  /** Holds an import's queued files (what is being read finishes); kept across restarts until resumed. */
  'imports.pause': method(z.object({ id: Id }), ImportStatus),
  'imports.resume': method(z.object({ id: Id }), ImportStatus),
  /** Drops an import's files not read yet (counted as dropped); what was read stays in the library. */
  'imports.cancel': method(z.object({ id: Id }), ImportStatus),
  /** Forgets finished imports (their documents stay). */
  'imports.clear': method(NoParams, Removed),

  'sources.list': method(NoParams, z.array(SourceStatus)),
  /** A paused source is not watched or synced, and its queued work waits, until resumed; it stays paused across restarts. */
  'sources.pause': method(z.object({ sourceId: Id }), SourceStatus),
  'sources.resume': method(z.object({ sourceId: Id }), SourceStatus),
  'folders.add': method(FolderInput, SourceStatus),
  'folders.remove': method(z.object({ sourceId: Id }), Removed),

  /** Tests the connection and login without saving anything; resolves to the settings that worked. */
  'mail.test': method(MailAccountInput, MailAccountSettings),
  /** Tests the connection first, then saves the account and starts syncing it. */
  'mail.add': method(MailAccountInput, MailAccountInfo),
  'mail.list': method(NoParams, z.array(MailAccountInfo)),
  /** Syncs one account (or all) now, in the background; state comes as source-state events. */
  'mail.sync': method(z.object({ sourceId: Id.optional() }), z.object({ started: z.boolean() })),
  'mail.remove': method(z.object({ sourceId: Id }), Removed),

  'search.query': method(SearchRequest, SearchResponse),

  'conversations.list': method(NoParams, z.array(ConversationSummary)),
  'conversations.get': method(z.object({ id: Id }), ConversationDetail),
  'conversations.create': method(NewConversation, ConversationSummary),
  'conversations.rename': method(z.object({ id: Id, title: z.string().min(1).max(200) }), ConversationSummary),
  /** Also changes what it searches and how, from its next question on. */
  'conversations.update': method(z.object({ id: Id, scope: ConversationScope.optional(), filters: SearchFilters.optional(), settings: ChatSettings.optional() }), ConversationSummary),
  'conversations.delete': method(z.object({ id: Id }), z.object({ deleted: z.boolean() })),
  'conversations.export': method(z.object({ id: Id }), z.object({ fileName: z.string(), markdown: z.string() })),

  /** Asks; returns the ids at once and the answer streams as `answer` events. One answer per conversation at a time. */
  'chat.ask': method(AskRequest, AnswerStarted),
  /** Answers the conversation's last question again, replacing its answer. */
  'chat.regenerate': method(z.object({ conversationId: Id, web: z.boolean().optional() }), AnswerStarted),
  /** Replaces a question's text, drops what followed, and answers it again. */
  'chat.edit': method(z.object({ messageId: Id, question: z.string().trim().min(1).max(20_000), web: z.boolean().optional() }), AnswerStarted),
  /** Stops the conversation's answer; what was written so far is kept, marked stopped. */
  'chat.stop': method(z.object({ conversationId: Id }), z.object({ stopped: z.boolean() })),

  /** The catalog, what it recommends for this machine and why, and the hardware it judged by. */
  'models.catalog': method(NoParams, ModelCatalogInfo),
  'models.list': method(NoParams, ModelsState),
  /** Starts (or resumes) a download of a catalog id or a .gguf URL; progress and the end come as events. */
  'models.pull': method(z.object({ model: z.string().min(1) }), z.object({ file: z.string() })),
  /** Stops a download; what arrived is kept, and pulling again resumes. */
  'models.cancelPull': method(z.object({ file: z.string().min(1) }), z.object({ cancelled: z.boolean() })),
  'models.import': method(z.object({ path: z.string().min(1) }), ModelInfo),
  'models.remove': method(z.object({ name: z.string().min(1) }), z.object({ removed: z.array(z.string()) })),
  'models.useChat': method(ModelChoice, ModelsState),
  /** Switches the embedding model: the library is re-embedded in the background (reembed-progress events); search keeps the old vectors until then. */
  'models.useEmbedding': method(ModelChoice, ModelsState),
  'models.hardware': method(NoParams, HardwareReport),

  'settings.get': method(NoParams, Settings),
  'settings.update': method(SettingsPatch, Settings),
  /** Stores a web search provider's API key in the secret store (never in the library). */
  'settings.setWebKey': method(z.object({ provider: z.enum(['brave', 'tavily']), key: z.string().trim().min(1) }), z.object({ storedIn: z.string() })),
  /** Deletes a web search provider's API key from the secret store. */
  'settings.forgetWebKey': method(z.object({ provider: z.enum(['brave', 'tavily']) }), Settings),
  /** Replaces the local API's token (tools configured with the old one stop working). */
  'settings.newApiToken': method(NoParams, Settings),

  /** Whether the desktop actions work here (see "the desktop app" above). */
  'desktop.info': method(NoParams, DesktopInfo),
  /** Opens a document's file in the system's viewer, at `page` where the viewer can be told one; a web page in the browser. */
  'desktop.openDocument': method(z.object({ id: Id, page: z.number().int().min(1).optional() }), DocumentShown),
  /** Shows a document's file in the file manager (Finder, Explorer, Files). */
  'desktop.revealDocument': method(z.object({ id: Id }), DocumentShown),
  /** The system's open dialog; `paths` is empty when the user cancelled. */
  'desktop.choosePaths': method(ChoosePaths, z.object({ paths: z.array(z.string()) })),
  /** Opens an http(s) address in the system's browser (never inside the app). */
  'desktop.openExternal': method(z.object({ url: z.url({ protocol: /^https?$/ }) }), z.object({ opened: z.boolean() })),
} satisfies Record<string, MethodSpec>;

export type Methods = typeof methods;
export type MethodName = keyof Methods & string;
export type ParamsOf<M extends MethodName> = z.input<Methods[M]['params']>;
export type ParsedParamsOf<M extends MethodName> = z.output<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = z.output<Methods[M]['result']>;

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

type GroupOf<N extends string> = N extends `${infer G}.${string}` ? G : never;
// Params may be left out when every field is optional.
type CallOf<M extends MethodName> = Record<never, never> extends ParamsOf<M> ? (params?: ParamsOf<M>) => Promise<ResultOf<M>> : (params: ParamsOf<M>) => Promise<ResultOf<M>>;

/** The client: `api.documents.list({...})` for the method 'documents.list', typed from the table. */
export type CairnApi = {
  [G in GroupOf<MethodName>]: { [M in MethodName as M extends `${G}.${infer Name}` ? Name : never]: CallOf<M> };
};
