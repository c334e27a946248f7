// The composition root: builds every service from the library's settings and implements the
// contract. The only place that knows all the pieces.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import {
  CairnError,
  ChatSettings,
  type EngineEvent,
  type EmbeddingModelInfo,
  type HardwareReport,
  type ImportStatus,
  type ImportSummary,
  type LibraryStatus,
  ProblemsPage,
  type ReembedStatus,
  type RetryResult,
  type RetryTarget,
  type SearchRequest,
  type SearchResponse,
  type SourceStatus,
} from './contract/index.ts';
import { ChatService, NO_CHAT_MODEL_MESSAGE } from './chat/index.ts';
import { openEmbedder, type Embedder, type EmbedderSpec } from './embed/index.ts';
import { ExtractorPool, type ExtractLimits } from './extract/index.ts';
import { EMBEDDING_LOCK, Ingestor, type EmbeddingTarget, type IngestOptions, type IngestSummary, type ScanPayload } from './index/index.ts';
import { HybridSearch, type HybridSearchOptions, type QueryVectors } from './search/index.ts';
import { CHAT_MODEL_SETTING, describeHardware, loadCatalog, openChatModel, type ChatModel, type ChatModelSpec } from './llm/index.ts';
import { Library, type EmbeddingModelRow } from './store/index.ts';
import { OCR_SETTING, ocrSettings, OcrWorker, type OcrSettings } from './ocr/index.ts';
import { FolderSources, MailService, openSecretStore, takeWatchLock, type FolderRules, type FolderWatchOptions, type MailServiceOptions, type SecretStore } from './sources/index.ts';
import { chainSecrets, envSecrets, storeSecrets, WebSearch, type SecretSource, type WebSearchOptions } from './web/index.ts';

export interface EngineOptions {
  dbPath: string;
  /** Use this embedder (tests, benchmarks); null for none. Default: the library's setting. */
  embedder?: Embedder | null;
  /** Secret for a remote embedder; by default CAIRN_EMBED_API_KEY. */
  embedApiKey?: string;
  extract?: Partial<ExtractLimits> & { workers?: number };
  ingest?: Partial<IngestOptions>;
  search?: HybridSearchOptions;
  onEvent?: (event: EngineEvent) => void;
  /** Told before an existing library is upgraded to this version's format (minutes for a large one). */
  onUpgrade?: (from: number, to: number) => void;
  /** Use this chat model (tests); null for none. Default: the library's 'chat-model' setting, opened on first question. */
  chatModel?: ChatModel | null;
  /** Secret for a remote chat model; by default CAIRN_CHAT_API_KEY. */
  chatApiKey?: string;
  /** Watched-folder timings (debounce, settle), for tests. */
  folders?: Partial<FolderWatchOptions>;
  /** Where web search keys come from; by default CAIRN_WEB_API_KEY, else the secret store (`cairn web key`). */
  webSecrets?: SecretSource;
  /** Web search limits (deadline, pages read, fetch limits, cache lifetimes), for tests. */
  web?: Omit<WebSearchOptions, 'library' | 'secrets' | 'embedder'>;
  /** Tests: an OCR worker entry to run instead of app/ocr/worker.ts. */
  ocrWorkerScript?: URL;
  /** What this process is, for other processes using the library ("cairn watch", "the Cairn app"). */
  description?: string;
  /** Where mail passwords and provider keys are kept; by default the OS keychain, else a 0600 file beside the library. */
  secrets?: SecretStore;
  /** Mail account options (connection timeouts, TLS for tests, backoff). */
  mail?: Omit<MailServiceOptions, 'library' | 'secrets' | 'index' | 'emit'>;
}

const EMBEDDER_SETTING = 'embedder';
/** Library setting: answering defaults under every conversation's own settings (ChatSettings). */
export const CHAT_DEFAULTS_SETTING = 'chat-defaults';

export class Engine {
  readonly library: Library;
  private embedder: Embedder | null;
  /** Why the configured embedder could not be opened, for status and search notices. */
  private embedderError: string | null;
  /** The library's embedder setting (as JSON) that `embedder` was opened from: another process may change it. */
  private embedderSetting: string;
  /** Opening the embedder another process switched to (see followEmbedderSetting). */
  private following: Promise<void> = Promise.resolve();
  private readonly options: EngineOptions;
  private readonly pool: ExtractorPool;
  /** Reads scanned pages and images; its thread (and Tesseract's memory) only lives while OCR runs. */
  private readonly ocrWorker: OcrWorker;
  private readonly searcher: HybridSearch;
  /** Embedders of older models, opened from their stored spec to embed queries while re-embedding. */
  private readonly queryEmbedders = new Map<string, Promise<Embedder | null>>();
  /** Answers and conversations. */
  readonly chat: ChatService;
  /** Optional web search: provider setting, page reading, cache. */
  readonly web: WebSearch;
  /** The chat model opened from the settings, with the spec it was opened from. */
  private openedChat: { spec: string; model: Promise<ChatModel> } | null = null;
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private secretStore: SecretStore | null = null;
  private mailService: MailService | null = null;
  /** Aborts the indexing runs that sources start by themselves (see interruptIndexing). */
  private indexing = new AbortController();

  private constructor(library: Library, embedder: Embedder | null, embedderError: string | null, options: EngineOptions) {
    this.library = library;
    this.embedder = embedder;
    this.embedderError = embedderError;
    this.embedderSetting = this.storedEmbedderSetting();
    this.options = options;
    this.pool = new ExtractorPool({ workers: options.extract?.workers ?? 1, limits: options.extract ?? {} });
    this.ocrWorker = new OcrWorker(options.ocrWorkerScript ? { workerScript: options.ocrWorkerScript } : {});
    this.searcher = new HybridSearch(library, () => this.queryVectors(), options.search);
    // The secret store is opened only when a provider asks for its key (it may probe the OS keychain).
    let keychain: SecretSource | undefined;
    const stored: SecretSource = { getSecret: (name) => (keychain ??= storeSecrets(this.secrets)).getSecret(name) };
    this.web = new WebSearch({ ...options.web, library, secrets: options.webSecrets ?? chainSecrets(envSecrets(), stored), embedder: () => this.embedder });
    this.chat = new ChatService({
      library, search: (request) => this.search(request), model: () => this.chatModel(), web: (query, signal) => this.web.forAnswer(query, signal),
      defaults: () => this.chatDefaults(),
    });
    if (options.onEvent) this.listeners.add(options.onEvent);
  }

  /** Listens to the engine's events (indexing, mail state, re-embedding); returns a function that stops. */
  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private readonly emit = (event: EngineEvent): void => {
    for (const listener of this.listeners) listener(event);
  };

  /** The secret store (mail passwords, web search keys), opened on first use: it may probe the OS keychain. */
  get secrets(): SecretStore {
    return (this.secretStore ??= this.options.secrets ?? openSecretStore(dirname(this.library.path)));
  }

  /** Mail accounts (app/sources): added, synced and watched through the engine, like folders. */
  get mail(): MailService {
    return (this.mailService ??= new MailService({
      ...this.options.mail, library: this.library, secrets: this.secrets, index: () => this.index(this.indexing.signal), emit: this.emit,
    }));
  }

  /** Stops the indexing runs mail sources started (Ctrl-C); what is queued stays queued and runs next time. */
  interruptIndexing(): void {
    this.indexing.abort();
    this.indexing = new AbortController();
  }

  /** Answering defaults the user chose (settings), under each conversation's own. */
  chatDefaults(): ChatSettings {
    const parsed = ChatSettings.safeParse(this.library.settings.get<unknown>(CHAT_DEFAULTS_SETTING) ?? {});
    return parsed.success ? parsed.data : {};
  }

  /** Sources the user paused: not watched or synced, and their queued work waits, until resumed. */
  pausedSources(): Set<number> {
    return this.library.sources.paused();
  }

  /** Pauses or resumes a source; a folder stops or starts being watched at once. */
  async setPaused(sourceId: number, paused: boolean): Promise<void> {
    if (!this.library.sources.list().some((s) => s.id === sourceId)) throw new CairnError('source-not-found', `No source with id ${sourceId}.`);
    this.library.sources.setPaused(sourceId, paused);
    await this.folders.setPaused(sourceId, paused);
  }

  /**
   * The chat model: the override, else the one the settings name (reopened when they change), else
   * why there is none. Public for the local API, which answers with it beside conversations.
   */
  async chatModel(): Promise<ChatModel | { unavailable: string }> {
    if (this.options.chatModel !== undefined) return this.options.chatModel ?? { unavailable: NO_CHAT_MODEL_MESSAGE };
    const spec = this.library.settings.get<ChatModelSpec>(CHAT_MODEL_SETTING);
    const key = JSON.stringify(spec ?? null);
    if (this.openedChat?.spec !== key) {
      const previous = this.openedChat;
      this.openedChat = spec ? { spec: key, model: openChatModel(spec, { apiKey: this.options.chatApiKey ?? process.env.CAIRN_CHAT_API_KEY }) } : null;
      await previous?.model.then((m) => m.close(), () => {});
    }
    if (!this.openedChat) return { unavailable: NO_CHAT_MODEL_MESSAGE };
    try {
      return await this.openedChat.model;
    } catch (error) {
      this.openedChat = null; // tried again on the next question (the file may have been fixed)
      return { unavailable: `The chat model could not be loaded (${(error as Error).message}). Run \`cairn models use <file.gguf>\` to choose another.` };
    }
  }

  /** Whether a chat model is configured (without opening it, which can take seconds). */
  chatModelConfigured(): boolean {
    if (this.options.chatModel !== undefined) return this.options.chatModel !== null;
    return this.library.settings.get(CHAT_MODEL_SETTING) !== undefined;
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const library = Library.open(options.dbPath, options.onUpgrade ? { onUpgrade: options.onUpgrade } : {});
    if (options.description) library.presence.describe(options.description);
    // Jobs a killed process left running go back in the queue; a live process's stay its own.
    library.jobs.requeueDead();
    let embedder: Embedder | null = null;
    let embedderError: string | null = null;
    if (options.embedder !== undefined) {
      embedder = options.embedder;
    } else {
      const spec = library.settings.get<EmbedderSpec>(EMBEDDER_SETTING);
      if (spec) {
        try {
          embedder = await openChosenEmbedder(spec, options);
        } catch (error) {
          embedderError = `The embedding model could not be loaded (${(error as Error).message}).`;
        }
      }
    }
    const engine = new Engine(library, embedder, embedderError, options);
    if (embedder) engine.registerModel(embedder);
    return engine;
  }

  /**
   * Records the embedder's model. With no model yet it becomes the active one at once; beside
   * another active model it is built in the background and takes over when complete.
   */
  private registerModel(embedder: Embedder): EmbeddingModelRow {
    const { models } = this.library;
    return this.library.transaction(() => {
      for (const model of models.list()) if (model.state === 'building' && model.key !== embedder.key) models.discard(model.id);
      const state = models.byState('active') ? 'building' : 'active';
      return models.register(embedder.key, embedder.spec, embedder.dimensions, state);
    });
  }

  private target(): EmbeddingTarget | null {
    if (!this.embedder) return null;
    const model = this.library.models.byKey(this.embedder.key) ?? this.registerModel(this.embedder);
    return { embedder: this.embedder, store: this.library.models.store(model) };
  }

  /**
   * Queues the given files and folders for indexing, as one import (null when nothing was
   * queued). Paths that do not exist are returned apart.
   */
  add(paths: string[]): { queued: string[]; missing: string[]; importId: number | null } {
    const queued: string[] = [];
    const missing: string[] = [];
    for (const raw of paths) {
      const path = resolve(raw);
      if (existsSync(path)) queued.push(path);
      else missing.push(raw);
    }
    if (queued.length === 0) return { queued, missing, importId: null };
    const importId = this.library.transaction(() => {
      const id = this.library.imports.create('add', queued);
      for (const path of queued) {
        const source = this.library.sources.ensure('import', path, basename(path) || path);
        this.library.jobs.enqueue('scan', { path, sourceId: source.id } satisfies ScanPayload, id);
      }
      return id;
    });
    this.emitImport(importId);
    return { queued, missing, importId };
  }

  /**
   * Reads documents again as a new import: one document (its top-level file: an attachment is
   * read with the file it came in), the documents an import could not read, or every failed one.
   * A web page is fetched again in the background; a mailbox's messages cannot be read again
   * (the server is asked when it changes them).
   */
  retry(target: RetryTarget): RetryResult {
    let ids: number[];
    if ('id' in target) ids = [target.id];
    else if ('importId' in target) {
      if (!this.library.imports.get(target.importId)) throw new CairnError('not-found', `No import with id ${target.importId}.`);
      ids = this.library.imports.failedDocuments(target.importId);
    } else ids = this.library.documents.failedIds();
    const documents = this.library.documents.topLevelOf(ids);
    if ('id' in target) {
      const doc = documents[0];
      if (!doc) throw new CairnError('not-found', `No document with id ${target.id}.`);
      if (doc.sourceKind === 'mailbox') throw new CairnError('reindex-unsupported', 'A message from a mailbox is read again when the server changes it; remove and add the account to read every message again.');
      if (doc.kind !== 'web' && doc.sourceKind !== 'web' && !doc.path) throw new CairnError('reindex-unsupported', `${doc.uri} has no file to read again.`);
    }
    let web = 0;
    let notRetried = 0;
    const files: { path: string; sourceId: number; folder: boolean }[] = [];
    for (const doc of documents) {
      if (doc.sourceKind === 'mailbox') notRetried++;
      else if (doc.kind === 'web' || doc.sourceKind === 'web') {
        web++;
        void this.saveWebPage(doc.uri).catch(() => {});
      } else if (!doc.path) notRetried++;
      else files.push({ path: doc.path, sourceId: doc.sourceId, folder: isFolder(doc.path) });
    }
    if (files.length === 0) return { queued: web, importId: null, notRetried };
    const importId = this.library.transaction(() => {
      const id = this.library.imports.create('retry', files.map((f) => f.path));
      // A folder that could not be read is listed again; a file is read again whatever its size and date.
      for (const file of files) this.library.jobs.enqueue(file.folder ? 'scan' : 'file', { path: file.path, sourceId: file.sourceId } satisfies ScanPayload, id);
      return id;
    });
    this.emitImport(importId);
    return { queued: files.length + web, importId, notRetried };
  }

  /** An import as the contract shows it. */
  importStatus(id: number): ImportStatus {
    const found = this.library.imports.get(id);
    if (!found) throw new CairnError('not-found', `No import with id ${id}.`);
    return found;
  }

  /** Imports running or paused, then the most recent finished ones. */
  imports(): ImportStatus[] {
    return this.library.imports.list();
  }

  /** An import with its documents by status and a page of its problems (failed first). */
  importSummary(id: number, offset = 0, limit = 50): ImportSummary {
    const status = this.importStatus(id);
    return { import: status, counts: this.library.imports.counts(id), problems: this.library.imports.problems(id, offset, limit) };
  }

  /**
   * Pauses or resumes an import: its queued files wait (what is being read finishes), across
   * restarts, until resumed. An import that ended cannot be.
   */
  setImportPaused(id: number, paused: boolean): ImportStatus {
    const changed = this.library.imports.setPaused(id, paused);
    const status = this.importStatus(id);
    if (!changed && (status.state === 'done' || status.state === 'cancelled')) {
      throw new CairnError('import-ended', `This import has ${status.state === 'done' ? 'finished' : 'been cancelled'}: there is nothing to ${paused ? 'pause' : 'resume'}.`);
    }
    if (changed) this.emitImport(id);
    return status;
  }

  /** Cancels an import: its files not read yet are dropped (counted); what was read stays. */
  cancelImport(id: number): ImportStatus {
    const changed = this.library.transaction(() => this.library.imports.cancel(id));
    const status = this.importStatus(id);
    if (changed) this.emitImport(id);
    else if (status.state === 'done') throw new CairnError('import-ended', 'This import has finished: there is nothing to cancel.');
    return status;
  }

  /** Forgets finished imports (their documents stay). */
  clearImports(): number {
    return this.library.imports.clearFinished();
  }

  private emitImport(id: number): void {
    const status = this.library.imports.get(id);
    if (status) this.emit({ type: 'import', import: status });
  }

  /** Runs the queued work to the end (or until aborted): scans, files, missing vectors, then OCR. */
  async index(signal?: AbortSignal): Promise<IngestSummary> {
    await (this.following = this.following.then(() => this.followEmbedderSetting()));
    const ingestor = new Ingestor({
      library: this.library,
      pool: this.pool,
      target: this.target(),
      ...(this.options.ingest ? { options: this.options.ingest } : {}),
      emit: this.emit,
      ocr: { worker: this.ocrWorker, settings: () => this.ocrSettings() },
    });
    try {
      return await ingestor.run(signal);
    } finally {
      await this.ocrWorker.close(); // Tesseract's languages take a few hundred MB: not kept idle
    }
  }

  /** The library's OCR setting: on or off, languages, the time limit per page. */
  ocrSettings(): OcrSettings {
    return ocrSettings(this.library.settings.get<Partial<OcrSettings>>(OCR_SETTING));
  }

  /** Changes the OCR setting (only the fields given); pages waiting are read by the next `index`. */
  setOcrSettings(change: Partial<OcrSettings>): OcrSettings {
    const next = { ...this.ocrSettings(), ...change };
    this.library.settings.set(OCR_SETTING, next);
    return next;
  }

  /** Keeps a web page (read now or from the web cache) in the library as a 'web' document with its vectors; queued work is left queued. */
  saveWebPage(url: string, signal?: AbortSignal): Promise<{ documentId: number; title: string; chunks: number }> {
    return this.web.save(url, signal, this.target());
  }

  /**
   * Removes a file or folder (everything below it) from the library, with the sources added or
   * watched there and their queued work; returns the documents removed.
   */
  remove(rawPath: string): number {
    const path = resolve(rawPath);
    const removed = this.library.transaction(() => {
      this.library.jobs.dropFileJobsUnder(path);
      // Documents first: removing a source takes its documents with it, uncounted.
      const documents = this.library.documents.removeUnder(path);
      this.library.sources.removeUnder(path);
      return documents;
    });
    // A watched folder removed here is no longer watched (another process's watcher sees it by itself).
    this.folderSources?.refresh();
    return removed;
  }

  /**
   * Takes one top-level document (and what is inside it) out of the library; returns how many
   * top-level documents left, as `remove` counts them. A file goes as `remove` takes a path (its queued work, a source added for
   * it alone); a message or a web page just leaves.
   */
  removeDocument(id: number): number {
    const [doc] = this.library.documents.topLevelOf([id]);
    if (!doc || doc.id !== id) throw new CairnError('not-found', doc ? `Document ${id} is inside another: remove that one.` : `No document with id ${id}.`);
    if (doc.kind === 'file' && doc.path && doc.sourceKind !== 'mailbox') return this.remove(doc.path);
    return this.library.transaction(() => this.library.documents.removeById(id));
  }

  /** The embedder new text is embedded with (the local API's /v1/embeddings), or why there is none. */
  currentEmbedder(): Embedder | { unavailable: string } {
    return this.embedder ?? { unavailable: this.embedderError ?? 'No embedding model is configured.' };
  }

  private folderSources: FolderSources | null = null;

  /** Watched folders (app/sources): added and removed here, watched while the engine is open. */
  get folders(): FolderSources {
    return (this.folderSources ??= new FolderSources(
      { library: this.library, index: (signal) => this.index(signal), paused: (id) => this.pausedSources().has(id) },
      this.options.folders,
    ));
  }

  addFolder(path: string, rules: Partial<FolderRules> = {}): { id: number; uri: string } {
    return this.folders.add(path, rules);
  }

  /** Stops watching a folder and removes what was indexed from it; returns the documents removed. */
  removeFolder(path: string): Promise<number> {
    return this.folders.remove(path);
  }

  /** Reconciles every watched folder with the library (changes made while closed), then watches them. */
  watchFolders(): Promise<void> {
    return this.folders.watch();
  }

  /**
   * Makes this process the library's one watcher (folders and mail) until it closes, or throws
   * naming the process that watches. The signal aborts if another process takes over.
   */
  lockWatching(): AbortSignal {
    return takeWatchLock(this.library);
  }

  stopWatching(): Promise<void> {
    return this.folderSources?.stop() ?? Promise.resolve();
  }

  /** Every source and what it is doing (scanning, indexing n of m, watching, error with reason). */
  sources(): SourceStatus[] {
    // A mailbox whose login was refused stays in error (with the reason) until the user acts.
    const paused = this.pausedSources();
    return this.folders.statuses().map((s) => {
      if (s.kind !== 'mailbox') return s;
      const mail = this.library.mailboxes.state(s.id);
      const syncedAt = mail?.syncedAt ?? null;
      if (paused.has(s.id)) return { ...s, state: { state: 'paused' }, syncedAt };
      return mail ? { ...s, state: { state: mail.state as SourceStatus['state']['state'], done: mail.done, total: mail.total, reason: mail.reason, code: mail.code }, syncedAt } : { ...s, syncedAt };
    });
  }

  search(request: SearchRequest): Promise<SearchResponse> {
    return this.searcher.search(request);
  }

  /**
   * Switches the library to another embedding model (null: keyword-only) and returns at once: the
   * chunks get vectors from it in the next indexing runs (`reembed` in the status says how far).
   * Never wipes vectors.
   */
  async setEmbedder(spec: EmbedderSpec | null): Promise<void> {
    if (spec === null) {
      this.library.settings.delete(EMBEDDER_SETTING);
      await this.embedder?.close();
      this.embedder = null;
      this.embedderError = null;
    } else {
      const embedder = await openChosenEmbedder(spec, this.options);
      if (this.embedder && this.embedder !== embedder) await this.embedder.close();
      this.embedder = embedder;
      this.embedderError = null;
      this.library.transaction(() => {
        this.library.settings.set(EMBEDDER_SETTING, embedder.spec);
        this.registerModel(embedder);
      });
    }
    this.embedderSetting = this.storedEmbedderSetting();
  }

  private storedEmbedderSetting(): string {
    return JSON.stringify(this.library.settings.get<EmbedderSpec>(EMBEDDER_SETTING) ?? null);
  }

  /**
   * Whether another process switched the library's embedding model (`cairn embedder set` beside a
   * running watcher or app) since this one opened its embedder. The next indexing run follows it.
   */
  embedderChanged(): boolean {
    return this.options.embedder === undefined && this.storedEmbedderSetting() !== this.embedderSetting;
  }

  /**
   * Opens the embedder the library's setting now names, when another process changed it: else
   * this process would go on writing the old model's vectors, and, once the new model had taken
   * over, start building the old one again beside it.
   */
  private async followEmbedderSetting(): Promise<void> {
    if (!this.embedderChanged()) return;
    this.embedderSetting = this.storedEmbedderSetting();
    const spec = JSON.parse(this.embedderSetting) as EmbedderSpec | null;
    const previous = this.embedder;
    this.embedder = null;
    this.embedderError = null;
    if (spec) {
      try {
        this.embedder = await openChosenEmbedder(spec, this.options);
        this.registerModel(this.embedder);
      } catch (error) {
        this.embedderError = `The embedding model could not be loaded (${(error as Error).message}).`;
      }
    }
    await previous?.close();
  }

  /**
   * Embedding work in progress: the configured model's vectors of the library's chunks, while
   * some lack one (after a switch, or the first model on a library indexed without one), and the
   * process doing it, if any. Null when there is none (or no model is configured).
   */
  reembedStatus(chunks = this.library.documents.chunkCount(), counted?: EmbeddingModelInfo[]): ReembedStatus | null {
    const { models } = this.library;
    if (!this.embedder && !this.embedderError) return null;
    const model = this.embedder ? models.byKey(this.embedder.key) : models.byState('building');
    if (!model) return null;
    // Counting a model's vectors reads all of them: status has done it already.
    const done = counted?.find((m) => m.key === model.key)?.vectors ?? models.store(model).count();
    if (done >= chunks) return null;
    const holder = this.library.presence.holder(EMBEDDING_LOCK);
    return { model: model.key, done, total: chunks, replacing: model.state === 'building', by: holder ? `${holder.description} (pid ${holder.pid})` : null };
  }

  /** What llama.cpp chose on this machine (backend, GPUs, VRAM, threads) and the RAM models must fit in. */
  hardware(): Promise<HardwareReport> {
    return describeHardware();
  }

  /** The library's counts, models and one page of its problems (the first 200 unless asked otherwise). */
  status(page: ProblemsPage = {}): LibraryStatus {
    const { documents, models } = this.library;
    const chunks = documents.chunkCount();
    const embeddingModels = models.list().map((m) => ({ key: m.key, dimensions: m.dimensions, state: m.state, vectors: models.store(m).count() }));
    return {
      dbPath: this.library.path,
      documents: documents.countsByStatus(),
      chunks,
      pendingJobs: this.library.jobs.count(),
      ...this.problems(page),
      embeddingModels,
      embedder: this.embedder?.key ?? this.embedderError,
      ocr: this.ocrStatus(),
      reembed: this.reembedStatus(chunks, embeddingModels),
    };
  }

  private ocrStatus(): NonNullable<LibraryStatus['ocr']> {
    const settings = this.ocrSettings();
    const waiting = this.library.ocr.waiting(settings.languages.join('+'));
    return {
      enabled: settings.enabled, languages: settings.languages,
      pagesWaiting: waiting.pages, documentsWaiting: waiting.documents, pagesFailed: this.library.ocr.failedPages(),
    };
  }

  /** A page of the documents that failed or were skipped, with how many there are and where the next page starts. */
  problems(page: ProblemsPage = {}): Pick<LibraryStatus, 'problems' | 'problemCount' | 'problemsNext'> {
    const parsed = ProblemsPage.safeParse(page);
    if (!parsed.success) throw new CairnError('bad-request', `Invalid page of problems: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const { offset, limit } = parsed.data;
    const { total: problemCount, items: problems } = this.library.listing.problems(offset, limit);
    return { problems, problemCount, problemsNext: offset + problems.length < problemCount ? offset + problems.length : null };
  }

  private async queryVectors(): Promise<QueryVectors | { unavailable: string }> {
    if (!this.embedder) return { unavailable: this.embedderError ?? 'No embedding model is configured.' };
    const active = this.library.models.byState('active');
    if (!active) return { unavailable: 'The library has no vectors yet.' };
    const embedder = active.key === this.embedder.key ? this.embedder : await this.queryEmbedder(active);
    if (!embedder) return { unavailable: `The library's vectors come from ${active.key}, which cannot be loaded; re-embedding with the new model is under way.` };
    return { store: this.library.models.store(active), embedQuery: (text) => embedder.embedQuery(text) };
  }

  private queryEmbedder(model: EmbeddingModelRow): Promise<Embedder | null> {
    let found = this.queryEmbedders.get(model.key);
    if (!found) {
      // Opened as it was recorded, prefixes included (none if it names none): its queries must be embedded as its documents were.
      found = openEmbedder(JSON.parse(model.spec) as EmbedderSpec, { apiKey: this.options.embedApiKey ?? process.env.CAIRN_EMBED_API_KEY })
        .then((e) => (e.key === model.key ? e : null))
        .catch(() => null);
      this.queryEmbedders.set(model.key, found);
    }
    return found;
  }

  async close(): Promise<void> {
    await this.folderSources?.stop();
    await this.pool.close();
    await this.ocrWorker.close();
    await this.searcher.close();
    for (const pending of this.queryEmbedders.values()) await (await pending)?.close();
    await this.embedder?.close();
    await (this.options.chatModel ?? (await this.openedChat?.model.catch(() => null)))?.close();
    this.library.close();
  }
}

/**
 * Opens the embedder the library's setting names, with the prefixes a catalog model wants when
 * the setting names none (settings written before prefixes existed get them too, and so a new
 * key: the library re-embeds with them in the background). Its spec records them.
 */
function openChosenEmbedder(spec: EmbedderSpec, options: EngineOptions): Promise<Embedder> {
  return openEmbedder(loadCatalog().withPrefixes(spec), { apiKey: options.embedApiKey ?? process.env.CAIRN_EMBED_API_KEY });
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export { CairnError };
