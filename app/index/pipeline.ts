// The ingestion pipeline: takes jobs from the persistent queue, extracts files in worker threads
// while the previous batch is embedded, and writes each batch (documents, chunks, full-text
// rows, vectors, job removal) in one transaction. A crash between batches loses nothing; a
// crash inside one rolls it back and the jobs run again. A job deleted while it was prepared
// (its source or file removed, or its import cancelled, by this process or another) is dropped,
// never written. Jobs of an import add to its counters in the transaction that writes them, and
// the import's state goes out as `import` events (a few a second at most) and when it ends.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { EngineEvent, IngestStage } from '../contract/index.ts';
import { approximateTokens, chunkSections, type Chunk, type ChunkOptions } from '../chunk/index.ts';
import type { Embedder } from '../embed/index.ts';
import { documentKind, type ChildInput, type ExtractorPool, type FileExtraction } from '../extract/index.ts';
import type { OcrSettings, OcrWorker } from '../ocr/index.ts';
import { analyze } from '../search/index.ts';
import type { DocumentInput, ImportProgress, Job, Library, MoveCandidate, OcrJobPayload, OcrTarget, VectorStore } from '../store/index.ts';
import { bufferedMap } from './buffered.ts';
import { displayName, isInside, LINK_OUTSIDE_REASON, walkFiles } from './walk.ts';

/** Where new vectors go: the configured embedder and its model's vector tables. */
export interface EmbeddingTarget {
  embedder: Embedder;
  store: VectorStore;
}

export interface IngestOptions {
  chunk: Omit<ChunkOptions, 'countTokens'>;
  /** Chunks embedded (and files written) together. */
  batchChunks: number;
  /** Files being extracted at once (ahead of embedding). */
  prefetch: number;
  /** Attachments and mailbox messages inside one file, at most. */
  maxChildren: number;
}

export const defaultIngestOptions: IngestOptions = {
  chunk: { maxTokens: 384, overlapTokens: 48, minTokens: 24 },
  batchChunks: 64,
  prefetch: 4,
  maxChildren: 10_000,
};

export interface ScanPayload {
  path: string;
  sourceId: number;
}
export type FilePayload = ScanPayload;

/** A document ready to write: its row, its chunks, and the documents inside it. */
interface PreparedDocument {
  input: DocumentInput;
  chunks: Chunk[];
  ftsTitle: string;
  children: PreparedDocument[];
  vectors?: Float32Array[];
  /** Set when another document already has this content: copy its chunks instead of embedding. */
  copyOf?: string;
  /** Pages to queue for OCR, with the bytes to read when the document is not a file of its own. */
  ocr?: { pages: number[]; bytes: Uint8Array | null };
}

interface PreparedFile {
  job: Job;
  path: string;
  /** Null when the file is gone: its document leaves the index. */
  doc: PreparedDocument | null;
  /** The document this file was renamed or moved from: re-labelled, not extracted or embedded. */
  move?: { from: MoveCandidate; sourceId: number; size: number; mtime: number };
}

type Progress = { stage: IngestStage; filesDone: number; filesTotal: number; chunks: number; errors: number; currentFile: string | null; ocrPagesDone?: number; ocrPagesTotal?: number };

export interface IngestSummary {
  filesDone: number;
  chunks: number;
  errors: number;
  /** Jobs dropped because what they were for was removed while they ran (a source, a file, a message). */
  dropped: number;
  seconds: number;
}

export class Ingestor {
  private readonly library: Library;
  private readonly pool: ExtractorPool;
  private readonly target: EmbeddingTarget | null;
  private readonly options: IngestOptions;
  private readonly emit: (event: EngineEvent) => void;
  private readonly countTokens: (text: string) => number;
  /** Documents already taken by a move in this run (two copies of a moved file: one moves). */
  private readonly claimedMoves = new Set<number>();
  /** Files found gone: they leave the index at the end of the run (see removeVanished). */
  private readonly vanished: PreparedFile[] = [];
  /** Each source's folder, resolved once a run (see leavesSource). */
  private readonly roots = new Map<number, Promise<string | null>>();
  /**
   * OCR: the worker that reads pages and the library's setting, read again before each page (so a
   * switch to off, from the window or another process, stops the run after the page being read).
   * Without it, pages wait in the queue.
   */
  private readonly ocr: { worker: OcrWorker; settings: () => OcrSettings } | null;
  /** The OCR job being worked on, page by page, between steps of the run. */
  private ocrJob: { job: Job; payload: OcrJobPayload; bytes: Uint8Array | null } | null = null;
  /** Jobs this run claimed and has not finished: back in the queue when it stops or fails. */
  private readonly claimed = new Set<number>();
  private dropped = 0;
  /** Imports this run worked for: the file being read for each, and when each was last reported. */
  private readonly imports = new Map<number, { currentFile: string | null; reportedAt: number }>();

  constructor(deps: {
    library: Library;
    pool: ExtractorPool;
    target: EmbeddingTarget | null;
    options?: Partial<IngestOptions>;
    emit?: (event: EngineEvent) => void;
    ocr?: { worker: OcrWorker; settings: () => OcrSettings };
  }) {
    this.library = deps.library;
    this.pool = deps.pool;
    this.target = deps.target;
    this.ocr = deps.ocr ?? null;
    this.options = { ...defaultIngestOptions, ...deps.options };
    this.emit = deps.emit ?? (() => {});
    const embedder = deps.target?.embedder;
    this.countTokens = embedder ? (text) => embedder.countTokens(text) : approximateTokens;
    if (embedder) this.options.chunk = { ...this.options.chunk, maxTokens: Math.min(this.options.chunk.maxTokens, embedder.maxTokens) };
  }

  /**
   * Runs every queued job: scans, then files, then vectors missing from the target model; then OCR,
   * one page at a time, going back to scans and files whenever some are queued (OCR never keeps
   * text documents waiting longer than a page). First, jobs left running by dead processes go back
   * in the queue; jobs this run claimed and did not finish go back when it stops or fails (an OCR
   * job keeps the pages it read).
   */
  async run(signal?: AbortSignal): Promise<IngestSummary> {
    this.library.jobs.requeueDead();
    // Imports whose last job ended in a process that stopped before it could say so.
    this.finishImports();
    try {
      return await this.runQueue(signal);
    } finally {
      this.library.jobs.release(this.claimed);
      this.claimed.clear();
      this.finishImports();
    }
  }

  private claim(kind: Job['kind'], limit: number): Job[] {
    const jobs = this.library.jobs.claim(kind, limit);
    for (const job of jobs) {
      this.claimed.add(job.id);
      if (job.importId !== null && !this.imports.has(job.importId)) this.imports.set(job.importId, { currentFile: null, reportedAt: 0 });
    }
    return jobs;
  }

  /** Sends an import's state (at most every 250 ms unless `force`). */
  private reportImport(id: number, force = false): void {
    const mine = this.imports.get(id);
    const now = performance.now();
    if (mine && !force && now - mine.reportedAt < 250) return;
    if (mine) mine.reportedAt = now;
    const status = this.library.imports.get(id);
    if (status) this.emit({ type: 'import', import: { ...status, currentFile: status.state === 'running' ? (mine?.currentFile ?? null) : null } });
  }

  /** Marks the imports with nothing left as done and says so; then reports the others this run worked for. */
  private finishImports(): void {
    try {
      for (const id of this.library.imports.finishIdle()) {
        this.reportImport(id, true);
        this.imports.delete(id);
      }
      for (const [id, mine] of this.imports) {
        mine.currentFile = null;
        this.reportImport(id, true);
      }
    } catch {
      // The library is closing or cannot be written: the next run finishes them.
    }
  }

  /** Whether this run still holds a job (in the transaction that writes its result); counts what was dropped. */
  private holds(job: Job): boolean {
    const hold = this.library.jobs.hold(job.id);
    if (hold === 'gone') this.dropped++;
    if (hold !== 'held') this.claimed.delete(job.id);
    return hold === 'held';
  }

  private done(job: Job): void {
    this.library.jobs.done(job.id);
    this.claimed.delete(job.id);
  }

  private async runQueue(signal?: AbortSignal): Promise<IngestSummary> {
    const started = performance.now();
    const progress: Progress = { stage: 'scanning', filesDone: 0, filesTotal: 0, chunks: 0, errors: 0, currentFile: null };
    let lastEmit = 0;
    const report = (force = false) => {
      const now = performance.now();
      if (!force && now - lastEmit < 100) return;
      lastEmit = now;
      const seconds = (now - started) / 1000;
      this.emit({ type: 'progress', ...progress, chunksPerSecond: seconds > 0 ? progress.chunks / seconds : 0 });
    };

    try {
      await this.textWork(progress, report, signal);
      while (this.ocr?.settings().enabled && !signal?.aborted) {
        if (this.textQueued()) {
          await this.textWork(progress, report, signal);
          continue;
        }
        if (!(await this.ocrStep(progress, report))) break;
        progress.chunks += await this.fillMissingVectors(signal);
      }
    } finally {
      this.ocrJob = null; // a job left half done is released with the others this run claimed
    }
    progress.currentFile = null;
    report(true);
    return { filesDone: progress.filesDone, chunks: progress.chunks, errors: progress.errors, dropped: this.dropped, seconds: (performance.now() - started) / 1000 };
  }

  /**
   * Whether scans, files or messages wait to be claimed (they go before OCR). Not those running:
   * another run (in this process or another) holds them, and waiting on them here would spin.
   */
  private textQueued(): boolean {
    return this.library.jobs.queued(['scan', 'file', 'mail']) > 0;
  }

  /** Scans, then files and messages, then vectors missing from the target model. */
  private async textWork(progress: Progress, report: (force?: boolean) => void, signal?: AbortSignal): Promise<void> {
    progress.stage = 'scanning';
    for (let [scan] = this.claim('scan', 1); scan && !signal?.aborted; [scan] = this.claim('scan', 1)) {
      progress.currentFile = (JSON.parse(scan.payload) as ScanPayload).path;
      report(true);
      if (scan.importId !== null) this.reportImport(scan.importId, true);
      await this.scan(scan, progress);
      if (scan.importId !== null) this.reportImport(scan.importId, true);
    }

    progress.stage = 'reading';
    progress.filesTotal = progress.filesDone + this.library.jobs.waiting(['file', 'mail']);
    const prepared = bufferedMap(this.fileJobs(signal), this.options.prefetch, (job) => {
      progress.currentFile = (JSON.parse(job.payload) as FilePayload).path;
      report();
      if (job.importId !== null) {
        const mine = this.imports.get(job.importId)!;
        // An import's first file read in this run is a new stage (reading): said at once, not
        // left to the throttle, which a small import can outrun from scan to end.
        const first = mine.currentFile === null;
        mine.currentFile = progress.currentFile;
        this.reportImport(job.importId, first);
      }
      return this.prepare(job);
    });
    let batch: PreparedFile[] = [];
    let batchChunks = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const files = batch;
      batch = [];
      batchChunks = 0;
      const written = await this.writeBatch(files);
      progress.filesDone += written.files.length;
      progress.chunks += written.chunks;
      progress.errors += written.files.reduce((n, f) => n + countProblems(f.doc), 0);
      // Files queued meanwhile (a scan by a watcher, another add) count too.
      progress.filesTotal = Math.max(progress.filesTotal, progress.filesDone + this.library.jobs.waiting(['file', 'mail']));
      report();
      for (const id of new Set(files.flatMap((f) => (f.job.importId === null ? [] : [f.job.importId])))) this.reportImport(id);
    };
    for await (const file of prepared) {
      batch.push(file);
      batchChunks += countChunks(file.doc);
      if (batchChunks >= this.options.batchChunks || batch.length >= this.options.batchChunks) await flush();
    }
    await flush();
    this.removeVanished();

    progress.stage = 'embedding';
    progress.currentFile = null;
    progress.chunks += await this.fillMissingVectors(signal);
  }

  /**
   * Lists a path and queues the files that are new or changed (size or mtime differ); files
   * that are gone leave the index. One transaction, so a crash re-runs the whole scan.
   */
  private async scan(job: Job, progress: { errors: number }): Promise<void> {
    const { path, sourceId } = JSON.parse(job.payload) as ScanPayload;
    const known = this.library.documents.fileStates(path);
    const changed: string[] = [];
    const seen = new Set<string>();
    // Folders that cannot be read: documents with the reason, like files that cannot be, so that
    // status lists them until a later scan can read them (then they are not seen, and leave).
    const unreadable: DocumentInput[] = [];
    try {
      for await (const entry of walkFiles(path, (problem) => {
        progress.errors++;
        this.emit({ type: 'document-issue', uri: problem.path, status: 'failed', code: 'unreadable', reason: problem.reason });
        unreadable.push(folderProblem(sourceId, problem.path, problem.reason));
      })) {
        seen.add(entry.path);
        const state = known.get(entry.path);
        if (!state || state.size !== entry.size || state.mtime !== entry.mtime || state.status === 'pending') changed.push(entry.path);
      }
    } catch (error) {
      // The root itself is gone or unreadable: whatever was indexed from it is gone too.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        progress.errors++;
        this.emit({ type: 'document-issue', uri: path, status: 'failed', code: 'unreadable', reason: `Cannot read ${path}: ${code ?? (error as Error).message}` });
        this.library.transaction(() => {
          if (this.holds(job)) this.done(job);
        });
        return;
      }
    }
    this.library.transaction(() => {
      if (!this.holds(job)) return;
      for (const file of changed) this.library.jobs.enqueue('file', { path: file, sourceId } satisfies FilePayload, job.importId);
      for (const old of known.keys()) if (!seen.has(old)) this.library.documents.removeByPath(old);
      for (const folder of unreadable) this.library.documents.upsert(folder);
      if (job.importId !== null) this.library.imports.progress(job.importId, { unchanged: seen.size - changed.length, problems: unreadable.length });
      this.done(job);
    });
  }

  private async *fileJobs(signal?: AbortSignal): AsyncGenerator<Job> {
    while (!signal?.aborted) {
      // Files, then messages fetched from mailboxes (newest first, as they were queued).
      let jobs = this.claim('file', 16);
      if (jobs.length === 0) jobs = this.claim('mail', 16);
      if (jobs.length === 0) return;
      yield* jobs;
    }
  }

  /** Extracts and chunks one file job. Never throws: failures become documents with a reason. */
  private async prepare(job: Job): Promise<PreparedFile> {
    if (job.kind === 'mail') return this.prepareMessage(job);
    const { path, sourceId } = JSON.parse(job.payload) as FilePayload;
    let info;
    try {
      info = await stat(path);
    } catch {
      return { job, path, doc: null };
    }
    // Checked here, where the file is about to be read, and not only in the walks: a watcher
    // event or a link swapped after the walk also lands here.
    const outside = await this.leavesSource(path, sourceId);
    const from = outside ? null : await this.movedFrom(path, info);
    if (from) return { job, path, doc: null, move: { from, sourceId, size: info.size, mtime: Math.floor(info.mtimeMs) } };
    const extraction: FileExtraction = outside
      ? { ok: false, status: 'skipped', code: 'outside', reason: LINK_OUTSIDE_REASON, hash: null, size: info.size }
      : await this.pool.extractFile(path);
    if (!extraction.ok && extraction.code === 'vanished') return { job, path, doc: null };
    const base: DocumentInput = {
      sourceId, parentId: null, uri: path, path, kind: 'file', title: displayName(path), mime: null,
      size: info.size, mtime: Math.floor(info.mtimeMs), contentHash: extraction.hash, status: 'indexed',
      errorCode: null, reason: null, metadata: {}, date: Math.floor(info.mtimeMs), sender: null, recipients: null,
    };
    const budget = { children: this.options.maxChildren };
    return { job, path, doc: await this.prepareDocument(base, extraction, budget, 0) };
  }

  /**
   * Whether the file, links resolved, lies outside its source's folder (also resolved): a link
   * there leads somewhere the user did not choose. A file the user named itself is its own root.
   */
  private async leavesSource(path: string, sourceId: number): Promise<boolean> {
    let root = this.roots.get(sourceId);
    if (!root) {
      const uri = this.library.sources.list().find((s) => s.id === sourceId)?.uri;
      root = uri === undefined ? Promise.resolve(null) : realpath(uri).catch(() => uri);
      this.roots.set(sourceId, root);
    }
    const [real, resolvedRoot] = await Promise.all([realpath(path).catch(() => null), root]);
    return real !== null && resolvedRoot !== null && !isInside(real, resolvedRoot);
  }

  /**
   * The document a new file was renamed or moved from: one whose file is gone and whose content
   * this file has. Size first; the file is hashed only when a gone document has the same size.
   */
  private async movedFrom(path: string, info: Stats): Promise<MoveCandidate | null> {
    const { documents } = this.library;
    if (documents.fileState(path)) return null;
    const gone = documents.moveCandidates(info.size, path).filter((c) => !this.claimedMoves.has(c.id) && !existsSync(c.path));
    if (gone.length === 0) return null;
    const hash = await hashFile(path).catch(() => null);
    const match = gone.find((c) => c.contentHash === hash && !this.claimedMoves.has(c.id));
    if (!match) return null;
    this.claimedMoves.add(match.id);
    return match;
  }

  /** A message fetched from a mailbox: its queued bytes through the email reader, like an .eml file. */
  private async prepareMessage(job: Job): Promise<PreparedFile> {
    const { payload, bytes } = this.library.mailboxes.loadJob(job);
    if (!bytes) return { job, path: payload.path, doc: null };
    const size = bytes.byteLength;
    const extraction = await this.pool.extractChild({ key: 'message', name: 'message.eml', mime: 'message/rfc822', bytes });
    if (extraction.ok) {
      const meta = extraction.doc.metadata;
      const references = Array.isArray(meta.references) ? (meta.references as string[]) : [];
      // The thread: the first message it refers to, else the one it answers, else itself.
      const thread = references[0] ?? meta.inReplyTo ?? meta.messageId;
      extraction.doc.metadata = { ...meta, folder: payload.mailbox, uid: payload.uid, ...(thread ? { thread } : {}) };
    }
    const base: DocumentInput = {
      sourceId: payload.sourceId, parentId: null, uri: payload.path, path: payload.folder, kind: 'email', title: '(no subject)', mime: 'message/rfc822',
      size, mtime: null, contentHash: extraction.hash, status: 'indexed', errorCode: null, reason: null, metadata: {}, date: payload.internalDate ?? null, sender: null, recipients: null,
    };
    return { job, path: payload.path, doc: await this.prepareDocument(base, extraction, { children: this.options.maxChildren }, 0) };
  }

  private async prepareDocument(
    base: DocumentInput, extraction: FileExtraction, budget: { children: number }, depth: number, bytes: Uint8Array | null = null,
  ): Promise<PreparedDocument> {
    if (!extraction.ok) {
      this.emit({ type: 'document-issue', uri: base.uri, status: extraction.status, code: extraction.code, reason: extraction.reason });
      const input = { ...base, status: extraction.status, errorCode: extraction.code, reason: extraction.reason };
      return { input, chunks: [], ftsTitle: '', children: [] };
    }
    const doc = extraction.doc;
    const recipients = [...(doc.to ?? []), ...(doc.cc ?? [])];
    const input: DocumentInput = {
      ...base,
      // A child's own bytes, not its parent's: else dedupe would copy the parent's chunks to it.
      contentHash: extraction.hash ?? base.contentHash,
      kind: doc.kind,
      title: doc.title || base.title,
      mime: doc.mime,
      metadata: doc.metadata,
      // An email's date is its own, else when it arrived (the message it came in, the server's
      // internal date); never a file's modification time, which says when it was saved or copied.
      date: doc.date ?? (doc.kind === 'email' && base.kind === 'file' ? null : base.date),
      sender: doc.from ?? null,
      recipients: recipients.length ? recipients.join('\n') : null,
    };
    // Headings and (for email) the sender are searchable with the title.
    const ftsTitle = analyze([input.title, doc.from ?? ''].join(' '));
    const chunks = chunkSections(doc.sections, { ...this.options.chunk, countTokens: this.countTokens });
    const ocr = this.ocrPages(input, doc.ocr?.pages ?? [], chunks);
    const children: PreparedDocument[] = [];
    for (const child of doc.children) {
      if (depth >= 3 || budget.children <= 0) break;
      budget.children--;
      // The pool moves a child's bytes to its worker: a scan or photo keeps a copy for OCR.
      const keep = mayNeedOcr(child) ? child.bytes.slice() : null;
      children.push(await this.prepareDocument(childBase(input, child), await this.pool.extractChild(child), budget, depth + 1, keep));
    }
    return { input, chunks, ftsTitle, children, ...(ocr ? { ocr: { pages: ocr, bytes: input.uri === input.path ? null : bytes } } : {}) };
  }

  /**
   * The pages of a document left to OCR: those already read (this content, these languages) add
   * their chunks now; the others are returned, to be queued. A document with no text of its own
   * and none read yet waits as "skipped" while OCR is off, with the reason.
   */
  private ocrPages(input: DocumentInput, pages: number[], chunks: Chunk[]): number[] | null {
    const hash = input.contentHash;
    if (pages.length === 0 || !hash) return null;
    const languages = this.ocrLanguages();
    const left: number[] = [];
    for (const page of pages) {
      const read = this.library.ocr.page(hash, page);
      if (read?.languages !== languages) left.push(page);
      else if (read.text) chunks.push(...this.ocrChunks(read.text, page));
    }
    if (chunks.length === 0) {
      const what = input.mime === 'application/pdf' ? `PDF has no text layer (scanned or image-only); ${pages.length} page${pages.length === 1 ? '' : 's'}` : 'Image has no text of its own';
      if (left.length === 0) Object.assign(input, { status: 'skipped', errorCode: 'no-text', reason: `${what}, and OCR found none` });
      else if (!this.ocr?.settings().enabled) Object.assign(input, { status: 'skipped', errorCode: 'ocr-off', reason: `${what}: waiting for OCR, which is off (Settings, or \`cairn ocr on\`)` });
    }
    return left.length ? left : null;
  }

  private ocrLanguages(): string {
    return (this.ocr?.settings().languages ?? []).join('+');
  }

  /** Chunks of one page's OCR text; offsets are within that text (see migration 9). */
  private ocrChunks(text: string, page: number): Chunk[] {
    return chunkSections([{ text, page, headingPath: [], ocr: true }], { ...this.options.chunk, countTokens: this.countTokens });
  }

  /** Embeds what needs embedding, then writes the whole batch in one transaction: the files written and their chunks. */
  private async writeBatch(files: PreparedFile[]): Promise<{ files: PreparedFile[]; chunks: number }> {
    // Nothing is embedded for a job that is gone already (checked again when writing).
    const docs = files.flatMap((f) => (f.doc && this.library.jobs.hold(f.job.id) === 'held' ? flatten(f.doc) : []));
    const embedding: PreparedDocument[] = [];
    const firstWithHash = new Set<string>();
    for (const doc of docs) {
      const hash = doc.input.contentHash;
      if (doc.input.status !== 'indexed' || doc.chunks.length === 0) continue;
      if (hash && (firstWithHash.has(hash) || this.library.documents.findIndexedByHash(hash, doc.input.uri) !== null)) {
        doc.copyOf = hash;
        continue;
      }
      if (hash) firstWithHash.add(hash);
      embedding.push(doc);
    }
    if (this.target) {
      const texts = embedding.flatMap((d) => d.chunks.map((c) => c.text));
      const vectors = texts.length ? await this.target.embedder.embed(texts) : [];
      let at = 0;
      for (const doc of embedding) {
        doc.vectors = vectors.slice(at, at + doc.chunks.length);
        at += doc.chunks.length;
      }
    }
    let written = 0;
    const kept: PreparedFile[] = [];
    const byImport = new Map<number, Required<Pick<ImportProgress, 'filesDone' | 'problems' | 'chunks'>>>();
    this.library.transaction(() => {
      for (const file of files) {
        // Removed while it was being read (its source, the file or the message, or its import
        // was cancelled): its job left with it, and it stays out. Or another process took this
        // one for dead and has the job.
        if (!this.holds(file.job)) continue;
        kept.push(file);
        let chunks = 0;
        if (file.move) this.applyMove(file.path, file.move);
        else if (file.doc) chunks = this.writeDocument(file.doc, null);
        else {
          this.vanished.push(file);
          continue;
        }
        written += chunks;
        this.done(file.job);
        if (file.job.importId !== null) {
          let counts = byImport.get(file.job.importId);
          if (!counts) byImport.set(file.job.importId, (counts = { filesDone: 0, problems: 0, chunks: 0 }));
          counts.filesDone++;
          counts.problems += countProblems(file.doc);
          counts.chunks += chunks;
        }
      }
      for (const [id, counts] of byImport) this.library.imports.progress(id, counts);
    });
    return { files: kept, chunks: written };
  }

  /**
   * Files found gone leave the index last: files are prepared in parallel and finish in any
   * order, and a renamed file's new path must find its old document still there to move it.
   * Their jobs stay running until then, so a crash re-runs them.
   */
  private removeVanished(): void {
    const files = this.vanished.splice(0);
    this.library.transaction(() => {
      for (const file of files) {
        if (!this.holds(file.job)) continue;
        this.library.documents.removeByPath(file.path);
        this.done(file.job);
        if (file.job.importId !== null) this.library.imports.progress(file.job.importId, { filesDone: 1 });
      }
    });
  }

  /** A title taken from the old file name follows the new one; the full-text rows follow the title. */
  private applyMove(path: string, move: NonNullable<PreparedFile['move']>): void {
    const { from } = move;
    const title = from.title === displayName(from.path) ? displayName(path) : from.title;
    const fts = title === from.title ? undefined : { title: analyze([title, from.sender ?? ''].join(' ')), analyse: analyze };
    this.library.documents.relabel(from.id, { sourceId: move.sourceId, uri: path, path, title, size: move.size, mtime: move.mtime }, fts);
  }

  private writeDocument(doc: PreparedDocument, parentId: number | null): number {
    const { documents } = this.library;
    const id = documents.upsert({ ...doc.input, parentId });
    let written = 0;
    const source = doc.copyOf ? documents.findIndexedByHash(doc.copyOf, doc.input.uri) : null;
    if (source !== null) {
      const pairs = documents.copyChunks(source, id, doc.ftsTitle, analyze);
      // Vectors follow in every model that has them (also one being built).
      for (const model of this.library.models.list()) {
        const store = this.library.models.store(model);
        for (const [from, to] of pairs) store.copy(from, to);
      }
      written += pairs.length;
    } else {
      const ids = documents.insertChunks(id, doc.chunks.map((c) => ({ ...c, ftsTitle: doc.ftsTitle, ftsBody: analyze(c.text) })));
      if (this.target && doc.vectors) ids.forEach((chunkId, i) => this.target!.store.put(chunkId, doc.vectors![i]!));
      written += ids.length;
    }
    if (doc.ocr && doc.input.contentHash) {
      const file = doc.input.uri === doc.input.path && doc.input.path !== null;
      this.library.ocr.enqueue(
        { hash: doc.input.contentHash, uri: doc.input.uri, sourceId: doc.input.sourceId, ...(file ? { path: doc.input.path! } : {}), pages: doc.ocr.pages },
        file ? null : doc.ocr.bytes,
      );
    }
    for (const child of doc.children) written += this.writeDocument(child, id);
    return written;
  }

  /**
   * One step of OCR: reads the next page of the current OCR job and, in one transaction, keeps what
   * it read and adds its chunks to every document with that content. False when no OCR work is left.
   */
  private async ocrStep(progress: Progress, report: () => void): Promise<boolean> {
    const { worker } = this.ocr!;
    const settings = this.ocr!.settings();
    if (!this.ocrJob) {
      const [job] = this.claim('ocr', 1);
      if (!job) return false;
      this.ocrJob = { job, ...this.library.ocr.load(job) };
      if (progress.ocrPagesTotal === undefined) {
        progress.ocrPagesDone = 0;
        progress.ocrPagesTotal = this.library.ocr.waiting(settings.languages.join('+')).pages;
      }
    }
    const { job, payload, bytes } = this.ocrJob;
    const languages = settings.languages.join('+');
    const targets = this.library.ocr.documentsWithHash(payload.hash);
    const page = payload.pages.find((p) => this.library.ocr.page(payload.hash, p)?.languages !== languages);
    const source = bytes ? { bytes } : payload.path ? { path: payload.path } : null;
    if (targets.length === 0 || page === undefined || !source) {
      // Done, or nothing left to read it for (the document was removed or changed): every
      // document with this content gets every page read, then the job goes.
      this.library.transaction(() => {
        if (!this.holds(job)) return;
        for (const target of targets) this.finishOcr(target, payload);
        this.done(job);
      });
      this.ocrJob = null;
      return true;
    }
    progress.stage = 'ocr';
    progress.currentFile = payload.uri;
    report();
    const outcome = await worker.readPage({ source, hash: payload.hash, page, languages: settings.languages }, settings.pageTimeoutMs);
    if (!outcome.ok && outcome.code === 'changed') {
      // Its new content is indexed (and queued for OCR) by the file's own job.
      this.library.transaction(() => {
        if (this.holds(job)) this.done(job);
      });
      this.ocrJob = null;
      return true;
    }
    if (!outcome.ok) {
      progress.errors++;
      this.emit({ type: 'document-issue', uri: payload.uri, status: 'failed', code: outcome.code === 'timeout' ? 'timeout' : 'damaged', reason: `Page ${page}: ${outcome.reason}` });
    }
    const text = outcome.ok ? outcome.result.text : '';
    const kept = this.library.transaction(() => {
      // Another process may have taken the job over meanwhile (this one was thought dead), or its
      // source was removed: then what was read is not written.
      if (!this.holds(job)) return false;
      this.library.ocr.savePage({
        hash: payload.hash, page, languages, text,
        lines: outcome.ok ? JSON.stringify(outcome.result.lines) : '[]',
        width: outcome.ok ? outcome.result.width : null,
        height: outcome.ok ? outcome.result.height : null,
        confidence: outcome.ok ? outcome.result.confidence : null,
        error: outcome.ok ? null : outcome.reason,
        ms: outcome.ok ? outcome.result.ms : 0,
      });
      for (const target of targets) progress.chunks += this.addOcrPage(target, page, text);
      return true;
    });
    if (!kept) {
      this.ocrJob = null;
      return true;
    }
    progress.ocrPagesDone = (progress.ocrPagesDone ?? 0) + 1;
    report();
    return true;
  }

  /** Adds a page's OCR chunks to a document, unless it has them already; returns how many. */
  private addOcrPage(target: OcrTarget, page: number, text: string): number {
    if (!text || this.library.ocr.hasPage(target.id, page)) return 0;
    const ftsTitle = analyze([target.title, target.sender ?? ''].join(' '));
    const chunks = this.ocrChunks(text, page).map((c) => ({ ...c, ftsTitle, ftsBody: analyze(c.text) }));
    this.library.documents.insertChunks(target.id, chunks, this.library.ocr.nextOrdinal(target.id));
    if (target.status !== 'indexed') {
      this.library.ocr.markIndexed(target.id);
      target.status = 'indexed';
    }
    return chunks.length;
  }

  /** Every page read goes to the document; one left with no text at all says so. */
  private finishOcr(target: OcrTarget, payload: OcrJobPayload): void {
    for (const page of payload.pages) {
      const read = this.library.ocr.page(payload.hash, page);
      if (read) this.addOcrPage(target, page, read.text);
    }
    if (this.library.ocr.chunkCount(target.id) === 0) {
      const read = payload.pages.filter((p) => this.library.ocr.page(payload.hash, p) !== null).length;
      this.library.ocr.markNoText(target.id, read ? `No text found by OCR (${read} page${read === 1 ? '' : 's'} read)` : 'OCR could not read it (its content is no longer at hand)');
    }
  }

  /**
   * Embeds chunks that have no vector in the target model: those written while no embedder
   * was set, or all of them after the embedding model changed. When the model was being built
   * beside an older one, it becomes the one search uses once it is complete. One run at a time
   * does this, in this process and across processes (the library's embedding lock): two would
   * embed the same chunks. A run that finds it taken leaves the work to the one that has it.
   */
  private async fillMissingVectors(signal: AbortSignal | undefined): Promise<number> {
    if (!this.target) return 0;
    const { store } = this.target;
    if (store.missing(1).length > 0) {
      if (embeddingHere.has(this.library)) return 0;
      const lock = this.library.presence.lock(EMBEDDING_LOCK);
      if (!lock.held) return 0;
      embeddingHere.add(this.library);
      try {
        return await this.embedMissing(this.target, AbortSignal.any([signal ?? new AbortController().signal, lock.lost]));
      } finally {
        embeddingHere.delete(this.library);
        this.library.presence.unlock(EMBEDDING_LOCK);
      }
    }
    if (store.model.state === 'building' && !signal?.aborted) this.library.transaction(() => this.library.models.activate(store.model.id));
    return 0;
  }

  /** Embeds the missing vectors a batch at a time, with progress (rate and time left) after each; activates a complete model. */
  private async embedMissing({ embedder, store }: EmbeddingTarget, signal: AbortSignal): Promise<number> {
    const started = performance.now();
    // Progress over the whole library: vectors the model has of the chunks there are.
    const total = this.library.documents.chunkCount();
    let have = store.count();
    let done = 0;
    const report = () => {
      const seconds = (performance.now() - started) / 1000;
      const chunksPerSecond = seconds > 0 ? done / seconds : 0;
      const left = Math.max(0, total - have);
      this.emit({
        type: 'reembed-progress', model: embedder.key, done: Math.min(have, total), total, chunksPerSecond,
        secondsLeft: chunksPerSecond > 0 ? left / chunksPerSecond : left === 0 ? 0 : null,
      });
    };
    report();
    for (let rows = store.missing(this.options.batchChunks); rows.length && !signal.aborted; rows = store.missing(this.options.batchChunks)) {
      const vectors = await embedder.embed(rows.map((r) => r.text));
      this.library.transaction(() => rows.forEach((row, i) => store.put(row.id, vectors[i]!)));
      done += rows.length;
      have += rows.length;
      report();
    }
    if (!signal.aborted && store.model.state === 'building' && store.missing(1).length === 0) {
      this.library.transaction(() => this.library.models.activate(store.model.id));
    }
    return done;
  }
}

/** The library lock a process holds while it embeds missing vectors (status names the holder). */
export const EMBEDDING_LOCK = 'embedding';

/** Libraries (connections) whose missing vectors a run in this process is embedding: the lock is re-entrant within a process. */
const embeddingHere = new WeakSet<Library>();

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('error', reject).on('data', (data) => hash.update(data)).on('end', () => resolve(hash.digest('hex')));
  });
}

function childBase(parent: DocumentInput, child: ChildInput): DocumentInput {
  // What its reader would make, also when it cannot be read (not its parent's kind).
  const kind = documentKind(child);
  return {
    ...parent,
    uri: `${parent.uri}#${child.key}`,
    kind,
    // A message inside a file (an mbox) is not dated by the file's modification time.
    date: kind === 'email' && parent.kind === 'file' ? null : parent.date,
    title: child.name,
    mime: child.mime ?? null,
    size: child.bytes.byteLength,
    metadata: {},
    sender: null,
    recipients: null,
  };
}

/** Whether a child may be a scan or a photo (its reader lists pages for OCR): PDFs and images. */
function mayNeedOcr(child: ChildInput): boolean {
  const head = Buffer.from(child.bytes.buffer, child.bytes.byteOffset, Math.min(1024, child.bytes.byteLength)).toString('latin1');
  return head.includes('%PDF-') || /^(\x89PNG|\xff\xd8\xff|GIF8|BM|II\*\0|MM\0\*|RIFF....WEBP)/s.test(head);
}

function folderProblem(sourceId: number, path: string, reason: string): DocumentInput {
  return {
    sourceId, parentId: null, uri: path, path, kind: 'file', title: displayName(path), mime: null, size: null, mtime: null,
    contentHash: null, status: 'failed', errorCode: 'unreadable', reason, metadata: {}, date: null, sender: null, recipients: null,
  };
}

function flatten(doc: PreparedDocument): PreparedDocument[] {
  return [doc, ...doc.children.flatMap(flatten)];
}

function countChunks(doc: PreparedDocument | null): number {
  return doc ? flatten(doc).reduce((n, d) => n + d.chunks.length, 0) : 0;
}

function countProblems(doc: PreparedDocument | null): number {
  return doc ? flatten(doc).filter((d) => d.input.status !== 'indexed').length : 0;
}
