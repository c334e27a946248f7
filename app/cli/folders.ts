// `cairn folders add|list|remove` and `cairn watch`: watched folders from the terminal.
import { CairnError, type SourceStatus } from '../contract/index.ts';
import type { Engine } from '../engine.ts';
import { DEFAULT_EXCLUDES } from '../sources/index.ts';
import { terminalLine } from './terminal-text.ts';

export interface FolderFlags {
  include?: string[];
  exclude?: string[];
  json?: boolean;
}

export async function runFoldersCommand(engine: Engine, args: string[], flags: FolderFlags, signal: AbortSignal): Promise<number> {
  const [action = 'list', ...paths] = args;
  switch (action) {
    case 'add': {
      if (paths.length === 0) throw new CairnError('usage', 'cairn folders add needs a folder.');
      for (const path of paths) {
        const source = engine.addFolder(path, { include: flags.include ?? [], exclude: flags.exclude ?? [] });
        console.error(`watching ${terminalLine(source.uri)} (source ${source.id})`);
      }
      await engine.folders.scan(signal);
      const added = engine.sources().filter((s) => s.kind === 'folder');
      for (const line of formatFolders(added)) console.error(line);
      console.error('Run `cairn watch` to keep them up to date as files change.');
      return signal.aborted ? 1 : 0;
    }
    case 'list': {
      const folders = engine.sources().filter((s) => s.kind === 'folder');
      if (flags.json) console.log(JSON.stringify(folders, null, 2));
      else if (folders.length === 0) console.log('No watched folders. Add one with `cairn folders add <path>`.');
      else for (const line of formatFolders(folders, true)) console.log(line);
      return 0;
    }
    case 'remove': {
      if (paths.length === 0) throw new CairnError('usage', 'cairn folders remove needs a folder.');
      for (const path of paths) console.log(`removed ${await engine.removeFolder(path)} document(s) from ${terminalLine(path)}; it is no longer watched`);
      return 0;
    }
    default:
      throw new CairnError('usage', `Unknown folders action: ${action} (add, list or remove).`);
  }
}

/** Reconciles, then watches until the signal (Ctrl-C), printing each folder's state as it changes. */
export async function runWatch(engine: Engine, signal: AbortSignal): Promise<number> {
  const folders = engine.sources().filter((s) => s.kind === 'folder');
  if (folders.length === 0) {
    console.error('No watched folders. Add one with `cairn folders add <path>`.');
    return 1;
  }
  const lost = engine.lockWatching();
  const last = new Map<number, string>();
  const report = () => {
    for (const folder of engine.sources().filter((s) => s.kind === 'folder')) {
      const line = `${terminalLine(folder.uri)}: ${describeState(folder)}`;
      if (last.get(folder.id) === line) continue;
      last.set(folder.id, line);
      console.error(line);
    }
  };
  const timer = setInterval(() => {
    report();
    // `cairn embedder set` from another terminal: the next run follows it and makes the vectors.
    if (engine.embedderChanged()) engine.folders.requestIndex();
  }, 500);
  try {
    await engine.watchFolders();
    report();
    console.error(`Watching ${folders.length} folder(s). Ctrl-C to stop.`);
    const stop = AbortSignal.any([signal, lost]);
    if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
  } finally {
    clearInterval(timer);
    await engine.stopWatching();
  }
  if (lost.aborted) {
    console.error(`Stopped watching: ${(lost.reason as Error).message}`);
    return 1;
  }
  console.error('Stopped watching.');
  return 0;
}

function describeState(folder: SourceStatus): string {
  const { state, done, total, reason } = folder.state;
  const progress = state === 'indexing' && total ? ` ${done ?? 0} of ${total}` : '';
  return `${state}${progress}${reason ? ` — ${terminalLine(reason)}` : ''}`;
}

function formatFolders(folders: SourceStatus[], details = false): string[] {
  const lines: string[] = [];
  for (const f of folders) {
    lines.push(`${String(f.id).padStart(3)}  ${terminalLine(f.uri)}  ${f.documents} document(s)  ${describeState(f)}`);
    if (!details) continue;
    if (f.include?.length) lines.push(`       include: ${terminalLine(f.include.join(' '))}`);
    lines.push(`       exclude: ${terminalLine([...(f.exclude ?? []), ...DEFAULT_EXCLUDES].join(' '))}`);
    for (const p of f.problems ?? []) lines.push(`       left out: ${terminalLine(p.path)}: ${terminalLine(p.reason)}`);
  }
  return lines;
}
