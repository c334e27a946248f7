// Reads the ZIP containers that office documents and e-books are (OOXML, OpenDocument, EPUB), with
// the zip-bomb guard every reader shares: entries are inflated by Node's zlib with a cap on the
// bytes they may grow to, so a small file that inflates to gigabytes fails instead of filling memory.
import { inflateRawSync } from 'node:zlib';
import { failed, formatSize, shortMessage, skipped } from './results.ts';
import type { ExtractResult } from './types.ts';

/** Bytes all entries of one archive may inflate to, together. */
export const MAX_UNZIPPED_BYTES = 256 * 1024 * 1024;
/** Entries one archive may list. */
export const MAX_ZIP_ENTRIES = 20_000;

export class ZipError extends Error {
  readonly code: 'damaged' | 'too-large' | 'encrypted';
  constructor(code: ZipError['code'], message: string) {
    super(message);
    this.name = 'ZipError';
    this.code = code;
  }
}

interface Entry {
  method: number;
  encrypted: boolean;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export class ZipArchive {
  readonly #bytes: Buffer;
  readonly #entries: Map<string, Entry>;
  readonly #cap: number;
  #budget: number;

  private constructor(bytes: Buffer, entries: Map<string, Entry>, cap: number) {
    this.#bytes = bytes;
    this.#entries = entries;
    this.#cap = cap;
    this.#budget = cap;
  }

  /** Opens an archive by its central directory; throws ZipError when there is none to read. */
  static open(bytes: Uint8Array, maxUnzippedBytes = MAX_UNZIPPED_BYTES): ZipArchive {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const end = findEndOfDirectory(buffer);
    if (end < 0) throw new ZipError('damaged', 'not a ZIP archive or cut short (no central directory)');
    const count = buffer.readUInt16LE(end + 10);
    const dirOffset = buffer.readUInt32LE(end + 16);
    if (count === 0xffff || dirOffset === 0xffffffff) throw new ZipError('damaged', 'ZIP64 archives are not supported');
    if (count > MAX_ZIP_ENTRIES) throw new ZipError('too-large', `the archive lists ${count} entries (at most ${MAX_ZIP_ENTRIES} are read)`);
    const entries = new Map<string, Entry>();
    let at = dirOffset;
    for (let i = 0; i < count; i++) {
      if (at + 46 > buffer.length || buffer.readUInt32LE(at) !== 0x02014b50) throw new ZipError('damaged', 'the central directory is damaged');
      const flags = buffer.readUInt16LE(at + 8);
      const nameLength = buffer.readUInt16LE(at + 28);
      const skip = nameLength + buffer.readUInt16LE(at + 30) + buffer.readUInt16LE(at + 32);
      const name = buffer.toString(flags & 0x800 ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength);
      entries.set(name, {
        method: buffer.readUInt16LE(at + 10),
        encrypted: (flags & 1) !== 0,
        compressedSize: buffer.readUInt32LE(at + 20),
        size: buffer.readUInt32LE(at + 24),
        localOffset: buffer.readUInt32LE(at + 42),
      });
      at += 46 + skip;
    }
    return new ZipArchive(buffer, entries, maxUnzippedBytes);
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** An entry's bytes, or null when there is no such entry. Counts against the archive's budget. */
  read(name: string): Buffer | null {
    const entry = this.#entries.get(name);
    if (!entry) return null;
    if (entry.encrypted) throw new ZipError('encrypted', 'the archive is password-protected');
    const at = entry.localOffset;
    if (at + 30 > this.#bytes.length || this.#bytes.readUInt32LE(at) !== 0x04034b50) throw new ZipError('damaged', `the entry ${name} is damaged`);
    const start = at + 30 + this.#bytes.readUInt16LE(at + 26) + this.#bytes.readUInt16LE(at + 28);
    const data = this.#bytes.subarray(start, start + entry.compressedSize);
    if (data.length < entry.compressedSize) throw new ZipError('damaged', `the entry ${name} is cut short`);
    let out: Buffer;
    if (entry.method === 0) {
      out = data;
    } else if (entry.method === 8) {
      try {
        // One byte over the budget tells "too large" apart from "exactly the budget".
        out = inflateRawSync(data, { maxOutputLength: this.#budget + 1 });
      } catch (error) {
        if (error instanceof RangeError) throw this.#tooLarge();
        throw new ZipError('damaged', `the entry ${name} cannot be inflated (${(error as Error).message})`);
      }
    } else {
      throw new ZipError('damaged', `the entry ${name} uses an unsupported compression method (${entry.method})`);
    }
    if (out.length > this.#budget) throw this.#tooLarge();
    this.#budget -= out.length;
    return out;
  }

  /** An entry as UTF-8 text (a byte-order mark dropped), or null when there is no such entry. */
  text(name: string): string | null {
    const bytes = this.read(name);
    return bytes === null ? null : bytes.toString('utf8').replace(/^\uFEFF/, '');
  }

  /** Inflates every entry once, for libraries that unzip on their own: a bomb fails here first. */
  checkAll(): void {
    for (const name of this.#entries.keys()) this.read(name);
  }

  #tooLarge(): ZipError {
    return new ZipError('too-large', `its contents inflate to more than ${formatSize(this.#cap)} (a zip bomb?)`);
  }
}

/** Whether the bytes start like a ZIP archive (a local file header). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** The offset of the end-of-central-directory record, searched back over a trailing comment. */
function findEndOfDirectory(buffer: Buffer): number {
  const stop = Math.max(0, buffer.length - 22 - 0xffff);
  for (let at = buffer.length - 22; at >= stop; at--) {
    if (buffer.readUInt32LE(at) === 0x06054b50) return at;
  }
  return -1;
}

/**
 * The result for an error thrown while reading a ZIP-based document: the archive's own problem
 * (damaged, encrypted, a bomb) or, for anything else, a damaged file.
 */
export function zipProblem(format: string, error: unknown): ExtractResult {
  if (error instanceof ZipError) {
    if (error.code === 'encrypted') return failed('encrypted', `${format} is password-protected`);
    if (error.code === 'too-large') return skipped('too-large', `${format} is too large to read: ${error.message}`);
    return failed('damaged', `${format} file is damaged: ${error.message}`);
  }
  return failed('damaged', `${format} file is damaged: ${shortMessage(error)}`);
}
