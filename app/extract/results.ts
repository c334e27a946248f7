// Small constructors for the "why not" half of ExtractResult, so every reader words reasons alike.
import type { ExtractErrorCode, ExtractResult } from './types.ts';

export function failed(code: ExtractErrorCode, reason: string): ExtractResult {
  return { ok: false, status: 'failed', code, reason };
}

export function skipped(code: ExtractErrorCode, reason: string): ExtractResult {
  return { ok: false, status: 'skipped', code, reason };
}

/** "231 MB", "12 KB", "80 bytes": sizes in reasons are for people. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${Math.round(bytes / (1024 * 1024))} MB`;
  return `${(bytes / (1024 * 1024 * 1024)).toFixed(1)} GB`;
}

/** A parser's error as one short line: libraries put stack-like detail in messages. */
export function shortMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n', 1)[0]?.trim() || 'unknown error';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** The extension of a file name, lower case, without the dot ('' when none). */
export function extensionOf(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** The last path segment of a name: titles show "report.pdf", not the folder it sits in. */
export function baseName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1) || name;
}
