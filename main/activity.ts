// What the engine is doing, for the tray's tooltip (indexing n of m, re-embedding, downloads, an
// engine restarting), and the notifications worth a look when the window is elsewhere: a long
// import finished, a model download ended. Built from the contract's events alone.
import type { EngineEvent } from '../app/contract/events.ts';

export interface Notice {
  title: string;
  body: string;
}

export interface ActivityOptions {
  /** Told whenever the tooltip's text changes. */
  onTooltip(text: string): void;
  onNotice(notice: Notice): void;
  /** An import that took at least this long earns a notification when it ends. Default 30 s. */
  longImportMs?: number;
  now?: () => number;
}

/** Tooltips are cut by some systems (127 characters on Windows). */
const TOOLTIP_MAX = 120;

const count = (n: number) => n.toLocaleString('en-US');
const percent = (done: number, total: number | null) => (total ? `${Math.floor((done / total) * 100)}%` : `${count(Math.round(done / 1e6))} MB`);

export class Activity {
  readonly #options: ActivityOptions;
  #indexing: { startedAt: number; done: number; total: number } | null = null;
  #reembed: { model: string; done: number; total: number } | null = null;
  readonly #downloads = new Map<string, { received: number; total: number | null }>();
  #engine: { state: 'ready' | 'stopped' | 'failed'; reason: string | null } = { state: 'ready', reason: null };
  #tooltip = '';

  constructor(options: ActivityOptions) {
    this.#options = options;
    this.#update();
  }

  get tooltip(): string {
    return this.#tooltip;
  }

  handle(event: EngineEvent): void {
    const now = (this.#options.now ?? Date.now)();
    switch (event.type) {
      case 'progress':
        if (event.currentFile !== null) {
          this.#indexing = { startedAt: this.#indexing?.startedAt ?? now, done: event.filesDone, total: event.filesTotal };
        } else {
          const run = this.#indexing;
          this.#indexing = null;
          if (run && event.filesDone > 0 && now - run.startedAt >= (this.#options.longImportMs ?? 30_000)) {
            const problems = event.errors > 0 ? `; ${count(event.errors)} could not be read (see Problems)` : '';
            this.#options.onNotice({ title: 'Import finished', body: `${count(event.filesDone)} files indexed, ${count(event.chunks)} passages${problems}.` });
          }
        }
        break;
      case 'reembed-progress':
        this.#reembed = event.done < event.total ? { model: event.model, done: event.done, total: event.total } : null;
        break;
      case 'model-download':
        if (event.phase === 'done') this.#downloads.delete(event.file);
        else this.#downloads.set(event.file, { received: event.receivedBytes, total: event.totalBytes });
        break;
      case 'model-pull':
        this.#downloads.delete(event.file);
        if (event.outcome === 'done') this.#options.onNotice({ title: 'Model downloaded', body: `${event.model?.name ?? event.file} is ready to use.` });
        else if (event.outcome === 'failed') this.#options.onNotice({ title: 'Model download failed', body: `${event.file}: ${event.error?.message ?? 'no reason given'}` });
        break;
      case 'engine':
        this.#engine = { state: event.state, reason: event.reason };
        if (event.state !== 'ready') this.#indexing = null; // a new engine starts its own run
        break;
      default:
        return;
    }
    this.#update();
  }

  #update(): void {
    const parts: string[] = [];
    if (this.#engine.state === 'failed') parts.push(`stopped: ${this.#engine.reason ?? 'the engine could not start'}`);
    else if (this.#engine.state === 'stopped') parts.push('restarting the engine');
    if (this.#indexing) parts.push(`indexing ${count(this.#indexing.done)} of ${count(this.#indexing.total)} files`);
    if (this.#reembed) parts.push(`re-embedding ${percent(this.#reembed.done, this.#reembed.total)}`);
    for (const [file, d] of this.#downloads) parts.push(`downloading ${file} ${percent(d.received, d.total)}`);
    let text = `Cairn: ${parts.length ? parts.join(', ') : 'up to date'}`;
    if (text.length > TOOLTIP_MAX) text = `${text.slice(0, TOOLTIP_MAX - 1)}…`;
    if (text === this.#tooltip) return;
    this.#tooltip = text;
    this.#options.onTooltip(text);
  }
}
