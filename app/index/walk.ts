// Lists the files under a path without following directory symlinks (no loops), without
// descending into folders nobody wants indexed, and without reading outside the folder the user
// chose: a link to a file elsewhere (/etc/shadow, ~/.ssh/id_rsa) is left out with a reason.
import type { Dirent } from 'node:fs';
import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';

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

/** Why a link is not read; the walks and the pipeline say it alike. */
export const LINK_OUTSIDE_REASON = 'Link to a file outside the folder: not read';

/** Hidden files and folders, VCS and dependency folders, editor and OS droppings. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules' || name.endsWith('~') || name === 'Thumbs.db' || /^~\$/.test(name);
}

/**
 * Yields every regular file at or below `root`: a symlink to a file counts when the file lies
 * inside `root`, one to a folder never does. A `root` that is itself a file (or a link to one) is
 * the user's own choice and always yielded. Folders that cannot be read, links that leave the
 * folder and names that are not valid UTF-8 are reported through `onProblem` and skipped.
 */
export async function* walkFiles(root: string, onProblem: (problem: WalkProblem) => void): AsyncGenerator<FileEntry> {
  const top = await lstat(root);
  if (!top.isDirectory()) {
    const target = top.isSymbolicLink() ? await stat(root) : top;
    if (target.isFile()) yield { path: root, size: target.size, mtime: Math.floor(target.mtimeMs) };
    return;
  }
  const realRoot = await realpath(root);
  const pending = [root];
  while (pending.length) {
    const dir = pending.pop()!;
    let handle;
    try {
      handle = await openRawDir(dir);
    } catch (error) {
      onProblem({ path: dir, reason: `Cannot read folder: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
      continue;
    }
    for await (const entry of handle) {
      if (isIgnoredName(entry.name.toString())) continue;
      const name = decodeName(entry.name);
      if (name === null) {
        onProblem(badNameProblem(dir, entry.name));
        continue;
      }
      const path = join(dir, name);
      if (entry.isDirectory()) {
        pending.push(path);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        try {
          const info = await stat(path);
          if (!info.isFile()) continue;
          if (entry.isSymbolicLink() && !isInside(await realpath(path), realRoot)) {
            onProblem({ path, reason: LINK_OUTSIDE_REASON });
            continue;
          }
          yield { path, size: info.size, mtime: Math.floor(info.mtimeMs) };
        } catch {
          // A dangling symlink, or a file deleted while we looked: not a file to index.
        }
      }
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Opens a folder whose entries come with their names as bytes (Node can; its type declarations do not say so). */
export function openRawDir(dir: string): Promise<AsyncIterable<Dirent<Buffer>>> {
  return opendir(dir, { bufferSize: 256, encoding: 'buffer' as BufferEncoding }) as Promise<AsyncIterable<Dirent>> as Promise<AsyncIterable<Dirent<Buffer>>>;
}

/**
 * A file name's bytes as a string, or null when they are not valid UTF-8: Node would show them
 * with U+FFFD in place of the bad bytes, and the path made from that opens nothing.
 */
export function decodeName(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** The problem for a name that is not valid UTF-8: never left out silently. */
export function badNameProblem(dir: string, bytes: Uint8Array): WalkProblem {
  const escaped = escapeName(bytes);
  return { path: join(dir, escaped), reason: `File name is not valid UTF-8: ${escaped} (rename it to index it)` };
}

/** A name for people: valid UTF-8 characters as they are, other bytes and control codes as \xNN. */
export function escapeName(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    const char = length && i + length <= bytes.length ? decodeName(bytes.subarray(i, i + length)) : null;
    if (char !== null && lead >= 0x20 && lead !== 0x7f) {
      out += char;
      i += length;
    } else {
      out += `\\x${lead.toString(16).toUpperCase().padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** Whether `path` is `root` or lies below it (both already resolved). */
export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

export function displayName(path: string): string {
  return basename(path) || path;
}
