// Every job running in the background, for the activity panel and the status bar: imports
// (indexing), folder scans and mail syncs (per source), re-embedding, model downloads. Fed only by
// the engine's events; nothing here is asked for.
import type { EngineEvent, SourceStatus } from '../../../app/contract/index.ts';
import { onEngineEvent } from './events.ts';
import { etaSeconds, RateMeter } from './rate.ts';
import { createStore, useStore } from './store.ts';

export type JobKind = 'import' | 'scan' | 'sync' | 'reembed' | 'download';
export type JobUnit = 'files' | 'chunks' | 'bytes' | 'messages';

export interface Job {
  /** Stable per job: 'import', 'reembed', 'source:3', 'download:file.gguf'. */
  id: string;
  kind: JobKind;
  /** What it works on, as the engine names it (a source's name, a model file, the current file). */
  subject: string | null;
  done: number;
  total: number | null;
  unit: JobUnit;
  /** Units a second, smoothed; null until known. */
  rate: number | null;
  etaSeconds: number | null;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** Problems so far (imports), or why it failed. */
  errors: number;
  message: string | null;
  /** The source it belongs to (scans, syncs), for pause/resume. */
  sourceId: number | null;
  /** A model download's file, for cancel. */
  file: string | null;
  updatedAt: number;
}

const store = createStore<readonly Job[]>([]);
const meters = new Map<string, RateMeter>();

function meter(id: string): RateMeter {
  let m = meters.get(id);
  if (!m) meters.set(id, (m = new RateMeter()));
  return m;
}

function put(job: Omit<Job, 'rate' | 'etaSeconds' | 'updatedAt'> & { rate?: number | null }): void {
  const now = Date.now();
  const rate = job.rate !== undefined ? job.rate : job.state === 'running' ? meter(job.id).sample(job.done, now) : null;
  const next: Job = { ...job, rate, etaSeconds: job.state === 'running' ? etaSeconds(job.done, job.total, rate) : null, updatedAt: now };
  if (job.state !== 'running') meters.delete(job.id);
  store.set((jobs) => {
    const at = jobs.findIndex((j) => j.id === job.id);
    if (at === -1) return [...jobs, next];
    const copy = jobs.slice();
    copy[at] = next;
    return copy;
  });
}

function remove(predicate: (job: Job) => boolean): void {
  store.set((jobs) => (jobs.some(predicate) ? jobs.filter((j) => !predicate(j)) : jobs));
}

function fromSources(sources: SourceStatus[]): void {
  const busy = new Set<string>();
  for (const source of sources) {
    const { state, done, total } = source.state;
    if (state !== 'scanning' && state !== 'syncing' && state !== 'indexing') continue;
    const id = `source:${source.id}`;
    busy.add(id);
    put({
      id,
      kind: source.kind === 'mailbox' ? 'sync' : 'scan',
      subject: source.name,
      done: done ?? 0,
      total: total ?? null,
      unit: source.kind === 'mailbox' ? 'messages' : 'files',
      state: 'running',
      errors: 0,
      message: null,
      sourceId: source.id,
      file: null,
    });
  }
  // A source that stopped scanning or syncing leaves the list (its state is on the Sources view).
  remove((job) => job.id.startsWith('source:') && !busy.has(job.id));
}

export function applyActivityEvent(event: EngineEvent): void {
  switch (event.type) {
    case 'progress': {
      const finished = event.currentFile === null;
      put({
        id: 'import',
        kind: 'import',
        subject: event.currentFile,
        done: event.filesDone,
        total: Math.max(event.filesTotal, event.filesDone),
        unit: 'files',
        state: finished ? 'done' : 'running',
        errors: event.errors,
        message: null,
        sourceId: null,
        file: null,
        // The engine measures the pace of passages; files per second comes from the samples.
      });
      break;
    }
    case 'reembed-progress':
      put({ id: 'reembed', kind: 'reembed', subject: event.model, done: event.done, total: event.total, unit: 'chunks', state: event.done >= event.total ? 'done' : 'running', errors: 0, message: null, sourceId: null, file: null });
      break;
    case 'sources':
      fromSources(event.sources);
      break;
    case 'model-download':
      put({
        id: `download:${event.file}`,
        kind: 'download',
        subject: event.file,
        done: event.receivedBytes,
        total: event.totalBytes,
        unit: 'bytes',
        rate: event.bytesPerSecond > 0 ? event.bytesPerSecond : null,
        state: event.phase === 'done' ? 'done' : 'running',
        errors: 0,
        message: event.phase === 'verifying' ? 'verifying' : event.phase === 'connecting' ? 'connecting' : null,
        sourceId: null,
        file: event.file,
      });
      break;
    case 'model-pull': {
      const id = `download:${event.file}`;
      const current = store.get().find((j) => j.id === id);
      put({
        id,
        kind: 'download',
        subject: event.file,
        done: current?.done ?? 0,
        total: current?.total ?? null,
        unit: 'bytes',
        state: event.outcome === 'done' ? 'done' : event.outcome === 'cancelled' ? 'cancelled' : 'failed',
        errors: 0,
        message: event.error?.message ?? null,
        sourceId: null,
        file: event.file,
      });
      break;
    }
    default:
      break;
  }
}

/** Drops jobs that ended (the panel's "clear"). */
export function clearFinished(): void {
  remove((job) => job.state !== 'running');
}

let started = false;
export function startActivity(): void {
  if (started) return;
  started = true;
  onEngineEvent(applyActivityEvent);
}

export const activityStore = store;

export function useActivity(): readonly Job[] {
  return useStore(store);
}

export function useRunningJobs(): number {
  return useStore(store, (jobs) => jobs.filter((j) => j.state === 'running').length);
}
