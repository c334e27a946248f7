// Every job running in the background, for the activity panel and the status bar: imports (files
// and folders added, documents read again) with their stage, folder scans and mail syncs (per
// source), re-embedding, model downloads. Fed by the engine's events; imports also from
// `imports.list` at start, so one paused before a restart is still here to resume.
import type { EngineEvent, ImportStatus, SourceStatus } from '../../../app/contract/index.ts';
import { api } from '../api/index.ts';
import { onEngineEvent } from './events.ts';
import { etaSeconds, RateMeter } from './rate.ts';
import { createStore, useStore } from './store.ts';

export type JobKind = 'import' | 'retry' | 'scan' | 'sync' | 'reembed' | 'download' | 'ocr';
export type JobUnit = 'files' | 'chunks' | 'bytes' | 'messages' | 'pages';
export type JobState = 'running' | 'paused' | 'done' | 'failed' | 'cancelled';
/** What a running job is doing now, where the engine says. */
export type JobStage = 'waiting' | 'scanning' | 'reading' | 'connecting' | 'verifying';

export interface Job {
  /** Stable per job: 'import:12', 'reembed', 'source:3', 'download:file.gguf'. */
  id: string;
  kind: JobKind;
  /** What it works on, as the engine names it (a source's name, a model file, an import's first path). */
  subject: string | null;
  /** More of the same not named (an import's other paths). */
  more: number;
  stage: JobStage | null;
  done: number;
  total: number | null;
  unit: JobUnit;
  /** Units a second, smoothed; null until known. */
  rate: number | null;
  etaSeconds: number | null;
  state: JobState;
  /** Problems so far (imports), or why it failed. */
  errors: number;
  message: string | null;
  /** The file being read now (imports). */
  current: string | null;
  /** The import it is (for pause, resume, cancel and its summary). */
  importId: number | null;
  /** The source it belongs to (scans, syncs), for pause/resume. */
  sourceId: number | null;
  /** A model download's file, for cancel. */
  file: string | null;
  /** Imports: files left unread when cancelled; files found unchanged. */
  dropped: number;
  unchanged: number;
  updatedAt: number;
}

type JobInput = Omit<Job, 'rate' | 'etaSeconds' | 'updatedAt' | 'more' | 'stage' | 'current' | 'importId' | 'sourceId' | 'file' | 'dropped' | 'unchanged' | 'message' | 'errors'> &
  Partial<Pick<Job, 'more' | 'stage' | 'current' | 'importId' | 'sourceId' | 'file' | 'dropped' | 'unchanged' | 'message' | 'errors' | 'rate'>>;

const store = createStore<readonly Job[]>([]);
const meters = new Map<string, RateMeter>();

function meter(id: string): RateMeter {
  let m = meters.get(id);
  if (!m) meters.set(id, (m = new RateMeter()));
  return m;
}

function put(input: JobInput): void {
  const now = Date.now();
  const running = input.state === 'running';
  const rate = input.rate !== undefined ? input.rate : running ? meter(input.id).sample(input.done, now) : null;
  const job: Job = {
    more: 0, stage: null, current: null, importId: null, sourceId: null, file: null, dropped: 0, unchanged: 0, message: null, errors: 0,
    ...input,
    rate,
    etaSeconds: running ? etaSeconds(input.done, input.total, rate) : null,
    updatedAt: now,
  };
  if (!running) meters.delete(input.id);
  store.set((jobs) => {
    const at = jobs.findIndex((j) => j.id === job.id);
    if (at === -1) return [...jobs, job];
    const copy = jobs.slice();
    copy[at] = job;
    return copy;
  });
}

function remove(predicate: (job: Job) => boolean): void {
  store.set((jobs) => (jobs.some(predicate) ? jobs.filter((j) => !predicate(j)) : jobs));
}

function fromImport(status: ImportStatus): void {
  put({
    id: `import:${status.id}`,
    kind: status.origin === 'retry' ? 'retry' : 'import',
    subject: status.paths[0] ?? null,
    more: Math.max(0, status.pathCount - 1),
    stage: status.stage,
    done: status.filesDone,
    total: status.filesTotal,
    unit: 'files',
    state: status.state,
    errors: status.problems,
    current: status.currentFile,
    importId: status.id,
    dropped: status.dropped,
    unchanged: status.unchanged,
  });
}

/** Sources paused from the panel: they stay listed (to resume) until resumed. */
const pausedHere = new Set<number>();

function fromSources(sources: SourceStatus[]): void {
  const busy = new Set<string>();
  for (const source of sources) {
    const { state, done, total } = source.state;
    const paused = state === 'paused' && pausedHere.has(source.id);
    if (state !== 'scanning' && state !== 'syncing' && state !== 'indexing' && !paused) continue;
    const id = `source:${source.id}`;
    busy.add(id);
    const previous = store.get().find((j) => j.id === id);
    put({
      id,
      kind: source.kind === 'mailbox' ? 'sync' : 'scan',
      subject: source.name,
      stage: state === 'scanning' ? 'scanning' : state === 'indexing' ? 'reading' : null,
      done: paused ? (previous?.done ?? 0) : (done ?? 0),
      total: paused ? (previous?.total ?? null) : (total ?? null),
      unit: source.kind === 'mailbox' ? 'messages' : 'files',
      state: paused ? 'paused' : 'running',
      sourceId: source.id,
    });
  }
  // A source that stopped scanning or syncing leaves the list (its state is on the Sources view).
  remove((job) => job.id.startsWith('source:') && !busy.has(job.id));
}

export function applyActivityEvent(event: EngineEvent): void {
  switch (event.type) {
    case 'import':
      fromImport(event.import);
      break;
    case 'progress': {
      // Scanned pages read by OCR, after all text: the run's pages of those queued. The run's last
      // event (no current file) ends it, though its stage may still say 'ocr'.
      const ocr = store.get().find((j) => j.id === 'ocr');
      if (event.currentFile === null) {
        if (ocr?.state === 'running') put({ ...ocr, done: event.ocrPagesDone ?? ocr.done, state: 'done' });
      } else if (event.stage === 'ocr' && event.ocrPagesTotal !== undefined) {
        put({ id: 'ocr', kind: 'ocr', subject: event.currentFile, done: event.ocrPagesDone ?? 0, total: event.ocrPagesTotal, unit: 'pages', state: 'running' });
      }
      break;
    }
    case 'reembed-progress':
      put({
        id: 'reembed', kind: 'reembed', subject: event.model, done: event.done, total: event.total, unit: 'chunks',
        rate: event.chunksPerSecond > 0 ? event.chunksPerSecond : null, state: event.done >= event.total ? 'done' : 'running',
      });
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
        stage: event.phase === 'verifying' ? 'verifying' : event.phase === 'connecting' ? 'connecting' : null,
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
        message: event.error?.message ?? null,
        file: event.file,
      });
      break;
    }
    case 'engine':
      // The engine came back (or events were missed): imports are read afresh.
      if (event.state === 'ready') loadImports();
      break;
    default:
      break;
  }
}

function loadImports(): void {
  const asked = Date.now();
  api.imports.list().then(
    (imports) => {
      // Oldest first, as events would have added them; an event since the request is newer.
      for (const status of [...imports].reverse()) {
        const known = store.get().find((j) => j.importId === status.id);
        if (!known || known.updatedAt < asked) fromImport(status);
      }
    },
    () => {
      // The engine is not answering: its events will say when it is back.
    },
  );
}

/** The panel's actions on a job, through the contract. */
export const jobActions = {
  pause(job: Job): Promise<unknown> {
    if (job.importId !== null) return api.imports.pause({ id: job.importId });
    if (job.sourceId !== null) {
      pausedHere.add(job.sourceId);
      const sourceId = job.sourceId;
      return api.sources.pause({ sourceId }).then((status) => fromSources([status]));
    }
    return Promise.resolve();
  },
  resume(job: Job): Promise<unknown> {
    if (job.importId !== null) return api.imports.resume({ id: job.importId });
    if (job.sourceId !== null) {
      pausedHere.delete(job.sourceId);
      remove((j) => j.id === job.id);
      return api.sources.resume({ sourceId: job.sourceId });
    }
    return Promise.resolve();
  },
  cancel(job: Job): Promise<unknown> {
    if (job.importId !== null) return api.imports.cancel({ id: job.importId });
    if (job.file !== null) return api.models.cancelPull({ file: job.file });
    return Promise.resolve();
  },
  canPause: (job: Job) => job.state === 'running' && (job.importId !== null || job.sourceId !== null),
  canResume: (job: Job) => job.state === 'paused',
  canCancel: (job: Job) => (job.state === 'running' || job.state === 'paused') && (job.importId !== null || job.file !== null),
};

/** Drops jobs that ended (the panel's "clear"); finished imports are forgotten by the engine too. */
export function clearFinished(): Promise<unknown> {
  remove((job) => job.state !== 'running' && job.state !== 'paused');
  return api.imports.clear();
}

let started = false;
export function startActivity(): void {
  if (started) return;
  started = true;
  onEngineEvent(applyActivityEvent);
  loadImports();
}

export const activityStore = store;

export function useActivity(): readonly Job[] {
  return useStore(store);
}

/** Whether a job is under way (running or paused): the status bar names the first of these. */
export function isActive(job: Job): boolean {
  return job.state === 'running' || job.state === 'paused';
}

/** The activity panel's open state, so that a drop can open it. */
export const activityPanel = createStore(false);
