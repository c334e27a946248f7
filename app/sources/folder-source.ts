// Watched folders: adding and removing them as sources, reconciling each with the library on
// start (what changed while Cairn was closed), then watching it with chokidar. Bursts of events
// are debounced into one batch of file jobs; a file still being written waits until it settles.
// Deletions in a batch are queued after additions, so a rename reaches the pipeline as a new
// path whose content matches a document whose file is gone, and that document simply moves.
// One process watches a library (the watch lock); others may add and remove folders meanwhile:
// the watcher notices the library changed (PRAGMA data_version, on its periodic root check),
// re-reads the folder sources, stops watching removed ones and starts on added ones (refresh).
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve, sep } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { watch, type FSWatcher } from 'chokidar';
import { CairnError, type SourceProblem, type SourceStatus } from '../contract/index.ts';
import type { Library, SourceRow } from '../store/index.ts';
import { FolderFilter, folderRules, type FolderRules } from './folder-rules.ts';
import { codeOf, walkFolder } from './folder-walk.ts';
import { releaseWatchLock, takeWatchLock } from './watch-lock.ts';

export interface FolderHost {
  library: Library;
  /** Runs the queued jobs to the end (or until aborted). */
  index: (signal: AbortSignal) => Promise<unknown>;
  /** Whether the user paused this source: then it is neither scanned nor watched. */
  paused?: (sourceId: number) => boolean;
}

export interface FolderWatchOptions {
  /** Quiet time after the last event before a batch is taken. */
  debounceMs: number;
  /** A file modified more recently than this is still being written: it waits. */
  settleMs: number;
  /** How often watched roots are checked for being there (unplugged drives send no event). */
  rootCheckMs: number;
}

export const defaultFolderWatchOptions: FolderWatchOptions = { debounceMs: 300, settleMs: 1000, rootCheckMs: 2000 };

/** Problems kept per source for its status (the first ones; the count is in the reason). */
const MAX_PROBLEMS = 50;
/** Jobs queued per transaction during a reconciliation, so the event loop is never held long. */
const ENQUEUE_CHUNK = 2000;

type Pending = 'change' | 'unlink' | 'unlinkDir';

interface Watched {
  source: SourceRow;
  /** The source's settings as stored when watching began (another process may change them). */
  config: string;
  filter: FolderFilter;
  watcher: FSWatcher | null;
  pending: Map<string, Pending>;
  /** Size and mtime first seen for a file that has not settled, and when. */
  observed: Map<string, { key: string; since: number }>;
  timer: NodeJS.Timeout | null;
  /** idle: scanned once by scan(), not watched. */
  phase: 'starting' | 'scanning' | 'watching' | 'idle' | 'error';
  reason: string | null;
  /** The error is the folder being gone (it is watched again when it comes back). */
  missing: boolean;
  problems: SourceProblem[];
  problemCount: number;
  /** Files queued since the source was last caught up (the m of "indexing n of m"). */
  queued: number;
  /** A flush or reconciliation in progress. */
  busy: Promise<void> | null;
  /**
   * Files whose job was already queued or running when they changed again: looked at once more
   * after the run (a running job may have read the file before the change).
   */
  recheck: Set<string>;
  /** When the library last caught up with the folder: its scan and the indexing after it, or a batch of changes, done. */
  syncedAt: number | null;
}

export class FolderSources {
  private readonly host: FolderHost;
  private readonly options: FolderWatchOptions;
  private readonly watched = new Map<number, Watched>();
  private watching = false;
  /** A one-off scan() is running. */
  private scanning = false;
  private rootTimer: NodeJS.Timeout | null = null;
  private indexRun: Promise<void> | null = null;
  private indexWanted = false;
  private abort = new AbortController();
  private lastIndexError: string | null = null;
  /** The library's data_version when the folder sources were last read (see refresh). */
  private seenVersion = 0;

  constructor(host: FolderHost, options: Partial<FolderWatchOptions> = {}) {
    this.host = host;
    this.options = { ...defaultFolderWatchOptions, ...options };
  }

  private get library(): Library {
    return this.host.library;
  }

  /**
   * Adds a folder as a source (again: replaces its rules). Documents already indexed below it
   * (by `cairn add`) become its own. A folder inside or around another watched one is refused.
   */
  add(rawPath: string, rules: Partial<FolderRules> = {}): SourceRow {
    const path = resolve(rawPath);
    let info;
    try {
      info = statSync(path);
    } catch (error) {
      throw new CairnError('folder-not-found', `Cannot add ${rawPath}: ${codeOf(error) === 'ENOENT' ? 'no such folder' : codeOf(error)}.`);
    }
    if (!info.isDirectory()) throw new CairnError('not-a-folder', `${rawPath} is a file, not a folder (use \`cairn add\` for single files).`);
    for (const other of this.library.sources.byKind('folder')) {
      if (other.uri === path) continue;
      if (isBelow(path, other.uri)) throw new CairnError('folder-overlap', `${path} is inside the watched folder ${other.uri}.`);
      if (isBelow(other.uri, path)) throw new CairnError('folder-overlap', `${path} contains the watched folder ${other.uri}; remove that one first.`);
    }
    const normalized = folderRules(rules);
    const source = this.library.transaction(() => {
      const row = this.library.sources.ensure('folder', path, basename(path) || path);
      this.library.sources.setConfig(row.id, normalized);
      this.library.documents.reassignSource(path, row.id);
      return row;
    });
    if (this.watching) {
      const existing = this.watched.get(source.id);
      void (existing ? this.stopOne(existing) : Promise.resolve()).then(() => this.start(source));
    }
    return source;
  }

  /**
   * Removes a watched folder and everything indexed from it; returns how many documents left.
   * Its queued jobs go with the source; a run under way (here or in another process) drops the
   * ones it holds instead of writing them.
   */
  async remove(rawPath: string): Promise<number> {
    const path = resolve(rawPath);
    const source = this.library.sources.byKind('folder').find((s) => s.uri === path);
    if (!source) throw new CairnError('folder-not-found', `${rawPath} is not a watched folder (see \`cairn folders list\`).`);
    const watched = this.watched.get(source.id);
    this.watched.delete(source.id);
    if (watched) await this.stopOne(watched);
    return this.library.transaction(() => {
      const documents = this.library.documents.countBySource().get(source.id) ?? 0;
      this.library.sources.delete(source.id);
      return documents;
    });
  }

  /** The folders being watched now. */
  watchedFolders(): string[] {
    return this.watching ? [...this.watched.values()].map((w) => w.source.uri) : [];
  }

  /** Every source with what it is doing; folders in detail. */
  statuses(): SourceStatus[] {
    const documents = this.library.documents.countBySource();
    const pending = this.library.jobs.fileJobsBySource();
    return this.library.sources.list().map((source) => {
      const base = { id: source.id, kind: source.kind, uri: source.uri, name: source.name, documents: documents.get(source.id) ?? 0, syncedAt: this.watched.get(source.id)?.syncedAt ?? null };
      const paused = this.host.paused?.(source.id) ?? false;
      if (source.kind !== 'folder') return { ...base, state: { state: paused ? ('paused' as const) : ('idle' as const) } };
      const rules = folderRules(this.library.sources.config(source.id));
      const folder = { include: rules.include, exclude: rules.exclude, maxFileBytes: rules.maxFileBytes };
      const w = this.watched.get(source.id);
      if (paused) return { ...base, ...folder, state: { state: 'paused' as const } };
      if (!w) {
        const missing = !isFolder(source.uri);
        return {
          ...base, ...folder,
          state: missing ? { state: 'error' as const, reason: missingReason(source.uri), code: 'folder-missing' } : { state: 'idle' as const, reason: 'Not watched (run `cairn watch`).' },
        };
      }
      const waiting = pending.get(source.id) ?? 0;
      if (waiting === 0 && !this.indexRun) w.queued = 0;
      let state: SourceStatus['state'];
      if (w.phase === 'error') state = { state: 'error', reason: w.reason, code: w.missing ? 'folder-missing' : 'folder-unreadable' };
      else if (w.phase === 'scanning' || w.phase === 'starting') state = { state: 'scanning' };
      else if (w.phase === 'idle') state = { state: 'idle', reason: 'Scanned; not watched (run `cairn watch`).' };
      else if (waiting > 0) state = { state: 'indexing', done: Math.max(0, w.queued - waiting), total: Math.max(w.queued, waiting) };
      else state = { state: 'watching', reason: this.lastIndexError };
      if (w.problemCount > 0 && state.state !== 'error') state.reason = `${w.problemCount} item(s) left out (see problems).`;
      return { ...base, ...folder, state, problems: w.problems, problemCount: w.problemCount };
    });
  }

  /**
   * Reconciles every watched folder with the library, then watches them until stop(). Takes the
   * library's watch lock first (refused, naming the watcher, while another process watches).
   * Work left queued (by a process that was killed) is indexed first.
   */
  async watch(): Promise<void> {
    if (this.watching) return;
    const lost = takeWatchLock(this.library);
    this.watching = true;
    this.abort = new AbortController();
    lost.addEventListener('abort', () => void this.stop(), { once: true });
    this.rootTimer = setInterval(() => this.checkRoots(), this.options.rootCheckMs);
    this.rootTimer.unref();
    this.requestIndex();
    this.seenVersion = this.library.dataVersion();
    await Promise.all(this.library.sources.byKind('folder').map((source) => this.start(source)));
  }

  /**
   * Reconciles every folder with the library once, without watching, and indexes what changed
   * (`cairn folders add`). While watching, waits for the watcher to catch up instead.
   */
  async scan(signal: AbortSignal = new AbortController().signal): Promise<void> {
    if (this.watching) return this.settled();
    this.scanning = true;
    try {
      for (const source of this.library.sources.byKind('folder')) {
        if (signal.aborted) break;
        if (this.host.paused?.(source.id)) continue;
        const w = this.entry(source);
        if (!isFolder(source.uri)) this.rootGone(w);
        else await this.track(w, this.reconcile(w));
        if (w.phase === 'watching') w.phase = 'idle';
      }
      if (!signal.aborted) {
        await this.host.index(signal);
        this.markCaughtUp();
      }
    } finally {
      this.scanning = false;
    }
  }

  /** Resolves once no event is waiting, no scan is running and the queue is empty (for tests and `cairn watch`). */
  async settled(): Promise<void> {
    for (;;) {
      const busy = [...this.watched.values()].flatMap((w) => (w.busy ? [w.busy] : []));
      const waiting = [...this.watched.values()].some((w) => w.pending.size > 0 || w.timer !== null);
      if (busy.length) await Promise.all(busy);
      else if (this.indexRun) await this.indexRun;
      else if (waiting) await new Promise((r) => setTimeout(r, this.options.debounceMs));
      else return;
    }
  }

  async stop(): Promise<void> {
    if (!this.watching) return;
    this.watching = false;
    if (this.rootTimer) clearInterval(this.rootTimer);
    this.rootTimer = null;
    this.abort.abort();
    await Promise.all([...this.watched.values()].map((w) => this.stopOne(w)));
    this.watched.clear();
    await this.indexRun;
    releaseWatchLock(this.library);
  }

  private async stopOne(w: Watched): Promise<void> {
    if (w.timer) clearTimeout(w.timer);
    w.timer = null;
    w.pending.clear();
    const watcher = w.watcher;
    w.watcher = null;
    await watcher?.close();
    await w.busy;
  }

  /** Stops watching a paused folder, or watches a resumed one again (catching up first). */
  async setPaused(sourceId: number, paused: boolean): Promise<void> {
    const existing = this.watched.get(sourceId);
    if (existing) await this.stopOne(existing);
    this.watched.delete(sourceId);
    const source = this.library.sources.byKind('folder').find((s) => s.id === sourceId);
    if (!paused && source) await this.start(source);
  }

  private async start(source: SourceRow): Promise<void> {
    if (!this.watching || this.host.paused?.(source.id)) return;
    const w = this.entry(source);
    if (!isFolder(source.uri)) {
      this.rootGone(w);
      return;
    }
    // Watch first, then scan: a change made during the scan is caught by one or the other.
    const root = source.uri;
    w.watcher = watch(root, {
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (path, stats) => path !== root && (w.filter.excluded(path) || (stats?.isFile() === true && !w.filter.wantsFile(path))),
    });
    w.watcher
      .on('add', (path) => this.mark(w, path, 'change'))
      .on('change', (path) => this.mark(w, path, 'change'))
      .on('unlink', (path) => this.mark(w, path, 'unlink'))
      .on('unlinkDir', (path) => (path === root ? this.rootGone(w) : this.mark(w, path, 'unlinkDir')))
      .on('error', (error) => this.watchError(w, error));
    await this.track(w, this.reconcile(w));
  }

  private entry(source: SourceRow): Watched {
    const config = this.library.sources.config(source.id);
    const filter = new FolderFilter(source.uri, folderRules(config));
    const w: Watched = {
      source, config: JSON.stringify(config), filter, watcher: null, pending: new Map(), observed: new Map(), timer: null,
      phase: 'starting', reason: null, missing: false, problems: [], problemCount: 0, queued: 0, busy: null, recheck: new Set(), syncedAt: null,
    };
    this.watched.set(source.id, w);
    return w;
  }

  /** Runs `work` as the source's one flush or scan at a time. */
  private async track(w: Watched, work: Promise<void>): Promise<void> {
    const run = work.catch((error: unknown) => this.fail(w, `Unexpected error: ${(error as Error).message}`));
    w.busy = run;
    await run;
    if (w.busy === run) w.busy = null;
  }

  /** Compares the folder with the library: new and changed files (size or mtime) are queued, then files that are gone. */
  private async reconcile(w: Watched): Promise<void> {
    const { library } = this;
    w.phase = 'scanning';
    w.problems = [];
    w.problemCount = 0;
    const known = library.documents.fileStates(w.source.uri);
    const changed: string[] = [];
    const seen = new Set<string>();
    try {
      for await (const file of walkFolder(w.filter, (problem) => this.problem(w, problem))) {
        if (!this.isCurrent(w)) return;
        seen.add(file.path);
        const state = known.get(file.path);
        if (!state || state.size !== file.size || state.mtime !== file.mtime || state.status === 'pending') changed.push(file.path);
      }
    } catch (error) {
      if (!isFolder(w.source.uri)) this.rootGone(w);
      else this.fail(w, `Cannot read the folder: ${codeOf(error)}.`);
      return;
    }
    if (!this.isCurrent(w)) return;
    const gone = [...known.keys()].filter((path) => !seen.has(path));
    await this.enqueue(w, [...changed, ...gone]);
    w.phase = 'watching';
    this.requestIndex();
  }

  /**
   * Queues file jobs in order (additions before deletions), a chunk per transaction. With
   * `recheck`, files whose job was there already are looked at again after the run.
   */
  private async enqueue(w: Watched, paths: string[], recheck = false): Promise<void> {
    for (let i = 0; i < paths.length; i += ENQUEUE_CHUNK) {
      const chunk = paths.slice(i, i + ENQUEUE_CHUNK);
      this.library.transaction(() => {
        for (const path of chunk) if (!this.library.jobs.enqueue('file', { path, sourceId: w.source.id }) && recheck) w.recheck.add(path);
      });
      w.queued += chunk.length;
      if (i + ENQUEUE_CHUNK < paths.length) await yieldToLoop();
    }
  }

  private mark(w: Watched, path: string, kind: Pending): void {
    if (!this.isCurrent(w)) return;
    w.pending.set(path, kind);
    this.schedule(w, this.options.debounceMs);
  }

  private schedule(w: Watched, delay: number): void {
    if (w.timer) clearTimeout(w.timer);
    w.timer = setTimeout(() => {
      w.timer = null;
      if (w.busy) {
        // A scan or flush is running: look again once it is done.
        void w.busy.then(() => this.schedule(w, 0));
        return;
      }
      void this.track(w, this.flush(w));
    }, delay);
  }

  /** Takes the settled part of a burst of events and queues it as file jobs. */
  private async flush(w: Watched): Promise<void> {
    if (!isFolder(w.source.uri)) {
      this.rootGone(w);
      return;
    }
    const { documents } = this.library;
    const now = Date.now();
    const upserts: string[] = [];
    const deletes: string[] = [];
    let unsettled = 0;
    for (const [path, kind] of [...w.pending]) {
      if (kind === 'unlinkDir') {
        w.pending.delete(path);
        deletes.push(...documents.fileStates(path).keys());
        continue;
      }
      let info;
      try {
        info = kind === 'change' ? await stat(path) : null;
      } catch {
        info = null;
      }
      if (!info) {
        w.pending.delete(path);
        w.observed.delete(path);
        if (documents.fileState(path)) deletes.push(path);
        continue;
      }
      if (!info.isFile()) {
        w.pending.delete(path);
        continue;
      }
      // Settled: not modified for settleMs, or the same size and mtime for settleMs (a clock off).
      const key = `${info.size}:${info.mtimeMs}`;
      const seen = w.observed.get(path);
      const steady = seen?.key === key && now - seen.since >= this.options.settleMs;
      if (now - info.mtimeMs < this.options.settleMs && !steady) {
        if (seen?.key !== key) w.observed.set(path, { key, since: now });
        unsettled++;
        continue;
      }
      w.pending.delete(path);
      w.observed.delete(path);
      if (!w.filter.wantsFile(path) || w.filter.excludedOnTheWay(path)) continue;
      if (info.size > w.filter.rules.maxFileBytes) {
        this.problem(w, { path, reason: `Larger than the folder's ${Math.round(w.filter.rules.maxFileBytes / 1048576)} MB limit: left out` });
        if (documents.fileState(path)) this.library.transaction(() => documents.removeByPath(path));
        continue;
      }
      const state = documents.fileState(path);
      if (state && state.size === info.size && state.mtime === Math.floor(info.mtimeMs) && state.status !== 'pending') continue;
      upserts.push(path);
    }
    // While something is still being written, deletions wait too: a file copied elsewhere and
    // then deleted is a move once the copy has settled.
    if (unsettled > 0) {
      for (const path of deletes) w.pending.set(path, 'unlink');
      await this.enqueue(w, upserts, true);
      this.schedule(w, this.options.settleMs);
    } else {
      await this.enqueue(w, [...upserts, ...deletes], true);
    }
    if (upserts.length || (unsettled === 0 && deletes.length)) this.requestIndex();
  }

  /** Runs the queue until nothing is left; one run at a time, again when asked meanwhile (only while watching). */
  requestIndex(): void {
    this.indexWanted = true;
    if (this.indexRun || !this.watching) return;
    const signal = this.abort.signal;
    this.indexRun = (async () => {
      while (this.indexWanted && !signal.aborted) {
        this.indexWanted = false;
        try {
          await this.host.index(signal);
          this.lastIndexError = null;
          this.markCaughtUp();
          for (const w of this.watched.values()) {
            const paths = [...w.recheck];
            w.recheck.clear();
            for (const path of paths) this.mark(w, path, 'change');
          }
        } catch (error) {
          this.lastIndexError = `Indexing stopped: ${(error as Error).message}`;
        }
      }
    })().finally(() => {
      this.indexRun = null;
    });
  }

  /** After an indexing run: folders with nothing waiting are in step with the library now. */
  private markCaughtUp(): void {
    const now = Date.now();
    for (const w of this.watched.values()) {
      if ((w.phase === 'watching' || w.phase === 'idle') && w.pending.size === 0 && !w.busy) w.syncedAt = now;
    }
  }

  private checkRoots(): void {
    const version = this.library.dataVersion();
    if (version !== this.seenVersion) {
      this.seenVersion = version;
      this.refresh();
    }
    for (const w of this.watched.values()) {
      if (w.busy) continue;
      const there = isFolder(w.source.uri);
      if (!there && w.phase !== 'error') this.rootGone(w);
      // Back (a drive plugged in again): watch it afresh and catch up.
      else if (there && w.missing) {
        void this.start(w.source);
      }
    }
  }

  /**
   * Watches what the library lists now, after another process committed to it (seen through
   * data_version) or this one removed sources by path (Engine.remove): a folder removed (its jobs
   * went with it) is no longer watched, one added is, and one whose rules changed is watched afresh.
   */
  refresh(): void {
    if (!this.watching) return;
    const listed = new Map(this.library.sources.byKind('folder').map((s) => [s.id, s]));
    for (const w of [...this.watched.values()]) {
      const source = listed.get(w.source.id);
      if (source?.uri === w.source.uri && JSON.stringify(this.library.sources.config(source.id)) === w.config) {
        listed.delete(source.id);
        continue;
      }
      this.watched.delete(w.source.id);
      void this.stopOne(w);
    }
    for (const source of listed.values()) void this.start(source);
  }

  /** The folder itself went away: its documents stay (a drive may come back); watching resumes when it does. */
  private rootGone(w: Watched): void {
    this.fail(w, missingReason(w.source.uri));
    w.missing = true;
  }

  private fail(w: Watched, reason: string): void {
    w.phase = 'error';
    w.reason = reason;
    if (w.timer) clearTimeout(w.timer);
    w.timer = null;
    w.pending.clear();
    const watcher = w.watcher;
    w.watcher = null;
    void watcher?.close().catch(() => {});
  }

  private watchError(w: Watched, error: unknown): void {
    const code = codeOf(error);
    if (code === 'ENOSPC' || code === 'EMFILE') {
      this.fail(w, `The system's limit on watched folders was reached (${code}); raise it (Linux: fs.inotify.max_user_watches) or exclude folders. Changes are picked up on the next start.`);
    } else {
      this.problem(w, { path: (error as { path?: string }).path ?? w.source.uri, reason: `Watching failed: ${code}` });
    }
  }

  private problem(w: Watched, problem: SourceProblem): void {
    w.problemCount++;
    if (w.problems.length < MAX_PROBLEMS) w.problems.push(problem);
  }

  /** Whether `w` is still the live entry for its source (not stopped or replaced). */
  private isCurrent(w: Watched): boolean {
    return (this.watching || this.scanning) && this.watched.get(w.source.id) === w && w.phase !== 'error';
  }
}

function isBelow(path: string, root: string): boolean {
  return path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function missingReason(path: string): string {
  return `Folder is missing: ${path} (deleted, renamed, or on a drive that is not connected). Its documents stay in the library; watching resumes when it is back.`;
}
