// Chooses the reader for some bytes: a telling extension first, then the mime type, then the
// content itself (magic numbers, an mbox postmark, an RFC 822 header block, HTML, plain text).
import type { DocumentKind } from '../contract/index.ts';
import { extensionOf } from './results.ts';
import { looksLikeText } from './text-decoding.ts';
import type { ExtractInput } from './types.ts';

export type Format = 'text' | 'markdown' | 'html' | 'pdf' | 'docx' | 'email' | 'mbox';
export type Detection = { format: Format } | { unsupported: string };

const textExtensions = new Set([
  // prose and data
  'txt', 'text', 'log', 'csv', 'tsv', 'json', 'jsonl', 'ndjson', 'yaml', 'yml', 'toml', 'ini', 'cfg',
  'conf', 'properties', 'env', 'xml', 'sql', 'tex', 'bib', 'rst', 'adoc', 'org', 'srt', 'vtt',
  // source code
  'js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx', 'py', 'pyi', 'go', 'rs', 'java', 'kt', 'kts',
  'scala', 'groovy', 'gradle', 'c', 'h', 'cc', 'cpp', 'cxx', 'hpp', 'hh', 'm', 'mm', 'cs', 'fs',
  'vb', 'swift', 'rb', 'php', 'pl', 'pm', 'lua', 'r', 'jl', 'dart', 'ex', 'exs', 'erl', 'hrl', 'hs',
  'ml', 'mli', 'clj', 'cljs', 'el', 'lisp', 'scm', 'zig', 'nim', 'sh', 'bash', 'zsh', 'fish', 'ps1',
  'bat', 'cmd', 'css', 'scss', 'sass', 'less', 'vue', 'svelte', 'graphql', 'proto', 'tf', 'cmake',
  'mk', 'dockerfile', 'diff', 'patch',
]);

const byExtension: Record<string, Format> = {
  pdf: 'pdf', docx: 'docx', eml: 'email', mbox: 'mbox', mbx: 'mbox',
  md: 'markdown', markdown: 'markdown', mdown: 'markdown', mkd: 'markdown', mdx: 'markdown',
  html: 'html', htm: 'html', xhtml: 'html',
};

// Text extensions whose content may well be something else (mimekit saves emails as .txt).
const vagueExtensions = new Set(['', 'txt', 'text']);

const byMime: Record<string, Format> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'message/rfc822': 'email',
  'application/mbox': 'mbox',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
};

const docOnly = 'Legacy Word .doc files are not supported; only .docx is read';

export function detectFormat({ bytes, name, mime }: ExtractInput): Detection {
  const ext = extensionOf(name);
  const known = byExtension[ext];
  if (known) return { format: known };
  if (ext === 'doc') return { unsupported: docOnly };
  if (textExtensions.has(ext) && !vagueExtensions.has(ext)) return { format: 'text' };

  const mimeType = mime?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  const fromMime = byMime[mimeType];
  if (fromMime) return { format: fromMime };
  if (mimeType === 'application/msword') return { unsupported: docOnly };

  return sniffContent(bytes) ?? { format: 'text' };
}

/**
 * The kind of document the reader for these bytes makes (an email for a message, else a file),
 * known before reading: a document that cannot be read still gets the kind it would have had.
 */
export function documentKind(input: ExtractInput): DocumentKind {
  const detected = detectFormat(input);
  return 'format' in detected && detected.format === 'email' ? 'email' : 'file';
}

const magic: Array<[string, string]> = [
  ['\x89PNG', 'PNG image'], ['\xff\xd8\xff', 'JPEG image'], ['GIF8', 'GIF image'],
  ['\x1f\x8b', 'gzip archive'], ['7z\xbc\xaf', '7-Zip archive'], ['Rar!', 'RAR archive'],
  ['\x7fELF', 'Executable'], ['MZ', 'Windows executable'],
];

/** What the content says it is; null for plain text. */
function sniffContent(bytes: Uint8Array): Detection | null {
  const head = latin1(bytes.subarray(0, 4096));
  // pdf.js, like Acrobat, accepts junk before the header, within the first 1 KB.
  if (head.slice(0, 1024).includes('%PDF-')) return { format: 'pdf' };
  if (head.startsWith('PK\x03\x04')) {
    return hasZipEntry(bytes, 'word/document.xml') ? { format: 'docx' } : { unsupported: 'ZIP archive (not a .docx document)' };
  }
  if (head.startsWith('\xd0\xcf\x11\xe0')) {
    // OLE compound file: legacy Office, or a password-protected (encrypted) .docx.
    return { unsupported: 'Legacy Office file (OLE); only .docx is read' };
  }
  if (!looksLikeText(bytes)) {
    const known = magic.find(([prefix]) => head.startsWith(prefix));
    return { unsupported: known ? `${known[1]}: no text to read` : 'Binary file of unknown type' };
  }

  const text = head.replace(/^\xef\xbb\xbf/, '');
  if (isMboxPostmark(text.split(/\r?\n/, 1)[0] ?? '')) return { format: 'mbox' };
  if (looksLikeRfc822(text)) return { format: 'email' };
  if (/^\s*(<!--[\s\S]*?-->\s*)*<(!doctype html|html[\s>])/i.test(text)) return { format: 'html' };
  return null;
}

/**
 * An mbox "From " separator line: "From sender date". Thunderbird writes "From - date" or just
 * "From - "; the sender is "-", an address, or the line carries a time. This keeps a body line
 * such as "From Russia with love" from passing for one.
 */
export function isMboxPostmark(line: string): boolean {
  const match = /^From (\S+)(.*)$/.exec(line);
  if (!match) return false;
  const [, sender = '', rest = ''] = match;
  return sender === '-' || sender.includes('@') || /\d{1,2}:\d{2}/.test(rest);
}

const mailHeaders = new Set([
  'from', 'to', 'cc', 'subject', 'date', 'message-id', 'received', 'return-path', 'mime-version',
  'content-type', 'delivered-to', 'reply-to', 'sender', 'in-reply-to', 'references', 'newsgroups',
  'path', 'x-mailer', 'user-agent', 'content-transfer-encoding',
]);

/**
 * A header block of "Name: value" lines (folded lines allowed) naming at least two mail headers.
 * Real mail has the odd broken line (an unindented continuation), so a few bad lines are forgiven,
 * but never the first.
 */
function looksLikeRfc822(text: string): boolean {
  const end = text.search(/\r?\n\r?\n/);
  const lines = (end === -1 ? text : text.slice(0, end)).split(/\r?\n/);
  if (end === -1 && text.length >= 4096) lines.pop(); // the sample may cut the last line short
  let known = 0;
  let bad = 0;
  for (const [i, line] of lines.entries()) {
    if (i > 0 && /^[ \t]/.test(line)) continue;
    const header = /^([!-9;-~]+):/.exec(line);
    if (!header) {
      if (i === 0) return false;
      bad++;
    } else if (mailHeaders.has(header[1]!.toLowerCase())) {
      known++;
    }
  }
  return known >= 2 && bad <= lines.length / 10;
}

/** Finds a file name among a zip's entries without unzipping (names are stored in plain bytes). */
function hasZipEntry(bytes: Uint8Array, entry: string): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(entry, 0, 'latin1');
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
