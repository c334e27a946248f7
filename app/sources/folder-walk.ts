// Lists the files of a watched folder by its rules. Excluded folders are pruned as they are met
// (never opened), links to folders are not followed (so no loop can form), links to files outside
// the folder are not read, and everything the walk could not read is reported, never thrown.
// Asynchronous throughout: a tree of 100,000 files yields to the event loop between directory
// reads and stat batches.
import { realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { badNameProblem, decodeName, isInside, LINK_OUTSIDE_REASON, openRawDir } from '../index/walk.ts';
import type { FolderFilter } from './folder-rules.ts';

export interface FolderFile {
  path: string;
  size: number;
  /** Whole milliseconds. */
  mtime: number;
}

export interface FolderProblem {
  path: string;
  reason: string;
}

/** Files stat'ed at once: enough to keep the thread pool busy, few enough to stay fair. */
const STAT_BATCH = 64;

/**
 * Yields each file under the filter's root that the rules want (size limit included). The root
 * must be a readable folder: otherwise this throws (the caller turns it into the source's error).
 */
export async function* walkFolder(filter: FolderFilter, onProblem: (problem: FolderProblem) => void): AsyncGenerator<FolderFile> {
  const rootInfo = await stat(filter.root);
  if (!rootInfo.isDirectory()) throw Object.assign(new Error(`${filter.root} is not a folder`), { code: 'ENOTDIR' });
  const realRoot = await realpath(filter.root);
  const pending = [filter.root];
  let first = true;
  while (pending.length) {
    const dir = pending.pop()!;
    let handle;
    try {
      handle = await openRawDir(dir);
    } catch (error) {
      if (first) throw error;
      onProblem({ path: dir, reason: `Cannot read folder: ${codeOf(error)}` });
      continue;
    }
    first = false;
    const files: { path: string; link: boolean }[] = [];
    try {
      for await (const entry of handle) {
        const name = decodeName(entry.name);
        if (name === null) {
          // The rules see the name as Node shows it (U+FFFD for the bad bytes): a name they want is a problem.
          const shown = join(dir, entry.name.toString());
          if (!filter.excluded(shown) && (entry.isDirectory() || filter.wantsFile(shown))) onProblem(badNameProblem(dir, entry.name));
          continue;
        }
        const path = join(dir, name);
        if (filter.excluded(path)) continue;
        if (entry.isDirectory()) pending.push(path);
        else if (entry.isFile() || entry.isSymbolicLink()) files.push({ path, link: entry.isSymbolicLink() });
        else onProblem({ path, reason: 'Not a regular file (pipe, socket or device): left out' });
      }
    } catch (error) {
      // The folder vanished or became unreadable half-way: what was listed is still good.
      onProblem({ path: dir, reason: `Folder could not be read to the end: ${codeOf(error)}` });
    }
    for (let i = 0; i < files.length; i += STAT_BATCH) {
      const batch = files.slice(i, i + STAT_BATCH);
      const infos = await Promise.all(batch.map((file) => stat(file.path).then((s) => s, (e: unknown) => e as Error)));
      for (let j = 0; j < batch.length; j++) {
        const { path, link } = batch[j]!;
        const info = infos[j]!;
        if (info instanceof Error) {
          const code = codeOf(info);
          if (code === 'ELOOP') onProblem({ path, reason: 'Symbolic link loop: left out' });
          else if (code === 'ENOENT' && link) onProblem({ path, reason: 'Symbolic link to nothing: left out' });
          else if (code !== 'ENOENT') onProblem({ path, reason: `Cannot read file: ${code}` });
          continue;
        }
        if (info.isDirectory()) {
          onProblem({ path, reason: 'Link to a folder: not followed (add its target as a folder of its own)' });
          continue;
        }
        if (!info.isFile()) {
          onProblem({ path, reason: 'Not a regular file (pipe, socket or device): left out' });
          continue;
        }
        if (!filter.wantsFile(path)) continue;
        if (info.size > filter.rules.maxFileBytes) {
          onProblem({ path, reason: `Larger than the folder's ${Math.round(filter.rules.maxFileBytes / 1048576)} MB limit: left out` });
          continue;
        }
        if (link && !(await resolvesInside(path, realRoot))) {
          onProblem({ path, reason: LINK_OUTSIDE_REASON });
          continue;
        }
        yield { path, size: info.size, mtime: Math.floor(info.mtimeMs) };
      }
    }
  }
}

async function resolvesInside(path: string, realRoot: string): Promise<boolean> {
  return isInside(await realpath(path).catch(() => ''), realRoot);
}

export function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
