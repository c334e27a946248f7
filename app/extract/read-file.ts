// Reads a file for extraction (inside a worker): stat first, so empty, oversized and non-regular
// files are turned away without reading (opening a FIFO would block), then one bounded read.
import { open, stat } from 'node:fs/promises';
import { failed, formatSize, skipped } from './results.ts';
import type { ExtractResult } from './types.ts';

export type FileRead = { bytes: Uint8Array; size: number } | { result: ExtractResult; size: number };

export async function readFileForExtraction(path: string, maxBytes: number): Promise<FileRead> {
  let size = 0;
  try {
    const info = await stat(path);
    size = info.size;
    if (info.isDirectory()) return { result: failed('unreadable', 'Path is a folder, not a file'), size: 0 };
    if (!info.isFile()) return { result: failed('unreadable', 'Not a regular file (device, pipe or socket)'), size: 0 };
    const limit = sizeLimit(size, maxBytes);
    if (limit) return { result: limit, size };
    const handle = await open(path, 'r');
    try {
      // A fresh ArrayBuffer of the file's size: the bytes can later be transferred, not copied.
      const bytes = new Uint8Array(size);
      let offset = 0;
      while (offset < size) {
        const { bytesRead } = await handle.read(bytes, offset, size - offset, offset);
        if (bytesRead === 0) break; // the file shrank since stat: keep what is there
        offset += bytesRead;
      }
      if (offset === 0) return { result: skipped('empty', 'File is empty'), size: 0 };
      return { bytes: offset === size ? bytes : bytes.slice(0, offset), size: offset };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { result: readError(error), size };
  }
}

/** The skip for a size that is empty or above the limit, or null when the size is fine. */
export function sizeLimit(size: number, maxBytes: number): ExtractResult | null {
  if (size === 0) return skipped('empty', 'File is empty');
  if (size > maxBytes) return skipped('too-large', `File is larger than the ${formatSize(maxBytes)} limit (${formatSize(size)})`);
  return null;
}

function readError(error: unknown): ExtractResult {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return failed('vanished', 'File disappeared before it could be read');
    case 'EACCES':
    case 'EPERM':
      return failed('unreadable', 'Permission denied');
    case 'EISDIR':
      return failed('unreadable', 'Path is a folder, not a file');
    default:
      return failed('unreadable', `Could not read the file (${code ?? (error as Error | null)?.message ?? 'I/O error'})`);
  }
}
