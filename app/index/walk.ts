// Lists the files under a path without following directory symlinks (no loops) and without
// descending into folders nobody wants indexed.
import { lstat, opendir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

export interface FileEntry {
  path: string;
  size: number;
  /** Modification time, whole milliseconds. */
  mtime: number;
}

export interface WalkProblem {
  path: string;
  reason: string;
}

/** Hidden files and folders, VCS and dependency folders, editor and OS droppings. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules' || name.endsWith('~') || name === 'Thumbs.db' || /^~\$/.test(name);
}

/**
 * Yields every regular file at or below `root` (a symlink to a file counts, one to a folder
 * does not). Folders that cannot be read are reported through `onProblem` and skipped.
 */
export async function* walkFiles(root: string, onProblem: (problem: WalkProblem) => void): AsyncGenerator<FileEntry> {
  const top = await lstat(root);
  if (!top.isDirectory()) {
    const target = top.isSymbolicLink() ? await stat(root) : top;
    if (target.isFile()) yield { path: root, size: target.size, mtime: Math.floor(target.mtimeMs) };
    return;
  }
  const pending = [root];
  while (pending.length) {
    const dir = pending.pop()!;
    let handle;
    try {
      handle = await opendir(dir, { bufferSize: 256 });
    } catch (error) {
      onProblem({ path: dir, reason: `Cannot read folder: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
      continue;
    }
    for await (const entry of handle) {
      if (isIgnoredName(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        pending.push(path);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        try {
          const info = await stat(path);
          if (info.isFile()) yield { path, size: info.size, mtime: Math.floor(info.mtimeMs) };
        } catch {
          // A dangling symlink, or a file deleted while we looked: not a file to index.
        }
      }
    }
  }
}

export function displayName(path: string): string {
  return basename(path) || path;
}
