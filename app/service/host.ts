// The engine as a long-running service (the desktop's engine process, `cairn serve`): one event
// stream for everything that changes by itself, indexing in the background after each change,
// watched folders and mailboxes kept live (unless paused), and source states pushed when they
// change. The CLI uses the Engine directly; anything that serves the contract uses this.
import { CairnError, type EngineEvent, type SourceStatus } from '../contract/index.ts';
import { Engine, type EngineOptions } from '../engine.ts';
import { ModelManager } from '../llm/index.ts';

export interface HostOptions {
  /** Watch folders and mailboxes while open (the app); off for tests that drive everything by hand. Default true. */
  live?: boolean;
  /** How often source states are compared to push a `sources` event when one changed. Default 1 s. */
  sourcesPollMs?: number;
  /** The models directory and catalog (tests give their own). */
  models?: ModelManager;
}

/** One indexing run at a time; asking while one runs asks for one more run after it. */
class BackgroundIndex {
  private running: Promise<void> | null = null;
  private again = false;
  private readonly controller = new AbortController();
  private readonly run: (signal: AbortSignal) => Promise<unknown>;
  private readonly onError: (error: unknown) => void;

  constructor(run: (signal: AbortSignal) => Promise<unknown>, onError: (error: unknown) => void) {
    this.run = run;
    this.onError = onError;
  }

  /** Starts a run, or asks for another after the one under way; says whether one was started now. */
  kick(): boolean {
    if (this.controller.signal.aborted) return false;
    if (this.running) {
      this.again = true;
      return false;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.run(this.controller.signal);
        } catch (error) {
          if (!this.controller.signal.aborted) this.onError(error);
        }
      } while (this.again && !this.controller.signal.aborted);
    })().finally(() => {
      this.running = null;
    });
    return true;
  }

  /** Resolves when no run is under way or asked for. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }
}

export class EngineHost {
  readonly engine: Engine;
  readonly models: ModelManager;
  private readonly options: HostOptions;
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly indexer: BackgroundIndex;
  /** Mail accounts being watched, each with the controller that stops it. */
  private readonly mailWatchers = new Map<number, { controller: AbortController; done: Promise<void> }>();
  private readonly settingsListeners = new Set<() => void | Promise<void>>();
  private apiUrl: () => string | null = () => null;
  private sourcesTimer: NodeJS.Timeout | null = null;
  private lastSources = '';
  private closed = false;

  private constructor(engine: Engine, options: HostOptions) {
    this.engine = engine;
    this.options = options;
    this.models = options.models ?? new ModelManager();
    engine.onEvent((event) => this.emit(event));
    this.indexer = new BackgroundIndex(
      (signal) => this.engine.index(signal),
      (error) => this.emit({ type: 'source-state', sourceId: 0, name: 'index', folder: null, state: { state: 'error', reason: `Indexing stopped: ${(error as Error).message}` } }),
    );
  }

  /** Opens the library and, when live, starts watching its folders and mailboxes. */
  static async open(options: EngineOptions & HostOptions): Promise<EngineHost> {
    const engine = await Engine.open(options);
    const host = new EngineHost(engine, options);
    await host.start();
    return host;
  }

  private async start(): Promise<void> {
    const pollMs = this.options.sourcesPollMs ?? 1000;
    this.lastSources = JSON.stringify(this.engine.sources());
    this.sourcesTimer = setInterval(() => this.poll(), pollMs);
    this.sourcesTimer.unref();
    // Work a previous run left queued (a crash, a model change) finishes in the background.
    if (this.engine.library.jobs.count() > 0 || this.engine.reembedStatus()) this.indexSoon();
    if (this.options.live === false) return;
    void this.engine.watchFolders().catch((error: unknown) => this.problem('Watching folders failed', error));
    for (const account of this.engine.mail.list()) this.watchMail(account.sourceId);
  }

  /** Whether folders and mailboxes are watched while open. */
  get isLive(): boolean {
    return this.options.live !== false;
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One listener's failure (a closed channel) must not keep the event from the others.
      }
    }
  }

  /**
   * Listens for settings changed through the contract (e.g. to switch the local API); returns a
   * function that stops. A listener may return a promise: the change is answered once it settles.
   */
  onSettingsChanged(listener: () => void | Promise<void>): () => void {
    this.settingsListeners.add(listener);
    return () => this.settingsListeners.delete(listener);
  }

  async settingsChanged(): Promise<void> {
    await Promise.all([...this.settingsListeners].map(async (listener) => listener()));
  }

  /** Where the local API answers now, told by whoever runs it (the engine process, `cairn serve`). */
  setLocalApiUrl(url: () => string | null): void {
    this.apiUrl = url;
  }

  localApiUrl(): string | null {
    return this.apiUrl();
  }

  /** Indexes what is queued, in the background; says whether a run started now (else one is under way and runs again). */
  indexSoon(): boolean {
    return this.indexer.kick();
  }

  /** Resolves when background indexing has nothing left to do (tests, shutdown). */
  indexed(): Promise<void> {
    return this.indexer.idle();
  }

  /** Sources now; also pushed as a `sources` event whenever they change. */
  sources(): SourceStatus[] {
    return this.engine.sources();
  }

  source(id: number): SourceStatus {
    const found = this.sources().find((s) => s.id === id);
    if (!found) throw new CairnError('source-not-found', `No source with id ${id}.`);
    return found;
  }

  /** Each poll: sources that changed are pushed; an embedding model switched by another process (`cairn embedder set`) is followed and its vectors made. */
  private poll(): void {
    this.pushSources();
    try {
      if (!this.closed && this.engine.embedderChanged()) this.indexSoon();
    } catch {
      // the library is closing
    }
  }

  /** Pushes the sources at once when they changed (after a request changed them). */
  pushSources(): void {
    if (this.closed) return;
    let sources: SourceStatus[];
    try {
      sources = this.sources();
    } catch {
      return; // the library is closing
    }
    const text = JSON.stringify(sources);
    if (text === this.lastSources) return;
    this.lastSources = text;
    this.emit({ type: 'sources', sources });
  }

  /** Follows a mailbox (IDLE) when live and not paused; its state comes as source-state events. */
  watchMail(sourceId: number): void {
    if (this.options.live === false || this.closed || this.mailWatchers.has(sourceId) || this.engine.pausedSources().has(sourceId)) return;
    const controller = new AbortController();
    const done = this.engine.mail
      .watch(controller.signal, [sourceId])
      .catch((error: unknown) => this.problem('Watching mail failed', error))
      .finally(() => {
        if (this.mailWatchers.get(sourceId)?.controller === controller) this.mailWatchers.delete(sourceId);
      });
    this.mailWatchers.set(sourceId, { controller, done });
  }

  /** Stops following a mailbox; resolves once its connection is closed. */
  async stopMail(sourceId: number): Promise<void> {
    const watcher = this.mailWatchers.get(sourceId);
    this.mailWatchers.delete(sourceId);
    watcher?.controller.abort();
    await watcher?.done;
  }

  async pause(sourceId: number): Promise<SourceStatus> {
    await this.engine.setPaused(sourceId, true);
    await this.stopMail(sourceId);
    if (this.source(sourceId).kind === 'mailbox') this.engine.library.mailboxes.setState(sourceId, { state: 'paused' });
    this.pushSources();
    return this.source(sourceId);
  }

  async resume(sourceId: number): Promise<SourceStatus> {
    await this.engine.setPaused(sourceId, false);
    if (this.source(sourceId).kind === 'mailbox') {
      this.engine.library.mailboxes.setState(sourceId, { state: 'idle' });
      this.watchMail(sourceId);
    }
    // Its queued work waited while it was paused.
    this.indexSoon();
    this.pushSources();
    return this.source(sourceId);
  }

  private problem(what: string, error: unknown): void {
    this.emit({ type: 'source-state', sourceId: 0, name: 'sources', folder: null, state: { state: 'error', reason: `${what}: ${(error as Error).message}` } });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sourcesTimer) clearInterval(this.sourcesTimer);
    await Promise.all([...this.mailWatchers.keys()].map((id) => this.stopMail(id)));
    await this.indexer.stop();
    this.engine.interruptIndexing();
    await this.engine.close();
    this.listeners.clear();
  }
}
