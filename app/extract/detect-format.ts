// Chooses the reader for some bytes: a telling extension first, then the mime type, then the
// content itself (magic numbers, an mbox postmark, an RFC 822 header block, HTML, plain text).
import type { DocumentKind } from '../contract/index.ts';
import { extensionOf } from './results.ts';
import { looksLikeText } from './text-decoding.ts';
import type { ExtractInput } from './types.ts';

export type Format =
  | 'text' | 'markdown' | 'html' | 'pdf' | 'docx' | 'email' | 'mbox' | 'spreadsheet' | 'csv' | 'pptx' | 'odp' | 'odt'
  | 'rtf' | 'epub' | 'notebook' | 'msg' | 'image';
export type Detection = { format: Format } | { unsupported: string };

const textExtensions = new Set([
  // prose and data
  'txt', 'text', 'log', 'json', 'jsonl', 'ndjson', 'yaml', 'yml', 'toml', 'ini', 'cfg',
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
  pdf: 'pdf', docx: 'docx', docm: 'docx', eml: 'email', mbox: 'mbox', mbx: 'mbox',
  md: 'markdown', markdown: 'markdown', mdown: 'markdown', mkd: 'markdown', mdx: 'markdown',
  html: 'html', htm: 'html', xhtml: 'html',
  xlsx: 'spreadsheet', xlsm: 'spreadsheet', xls: 'spreadsheet', ods: 'spreadsheet', csv: 'csv', tsv: 'csv', tab: 'csv',
  pptx: 'pptx', pptm: 'pptx', odp: 'odp', odt: 'odt', rtf: 'rtf', epub: 'epub', ipynb: 'notebook', msg: 'msg',
  png: 'image', jpg: 'image', jpeg: 'image', jpe: 'image', jfif: 'image', webp: 'image', gif: 'image', bmp: 'image',
  tif: 'image', tiff: 'image',
};

/** Formats named by extension that no reader handles, with what to say. */
const unsupportedExtensions: Record<string, string> = {
  doc: 'Legacy Word .doc files are not supported; only .docx is read',
  ppt: 'Legacy PowerPoint .ppt files are not supported; only .pptx is read',
  heic: 'HEIC photos are not read (no freely licensed decoder); save them as JPEG to have their text read',
  heif: 'HEIF photos are not read (no freely licensed decoder); save them as JPEG to have their text read',
};

// Formats whose files are binary: when the content is plainly another binary format, it wins.
const binaryFormats = new Set<Format>(['pdf', 'docx', 'spreadsheet', 'pptx', 'odp', 'odt', 'epub', 'msg', 'image']);

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
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'spreadsheet',
  'application/vnd.ms-excel': 'spreadsheet',
  'application/vnd.oasis.opendocument.spreadsheet': 'spreadsheet',
  'text/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.presentation': 'odp',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/rtf': 'rtf',
  'text/rtf': 'rtf',
  'application/epub+zip': 'epub',
  'application/x-ipynb+json': 'notebook',
  'application/vnd.ms-outlook': 'msg',
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/webp': 'image',
  'image/gif': 'image',
  'image/bmp': 'image',
  'image/tiff': 'image',
};

const docOnly = unsupportedExtensions.doc!;

export function detectFormat({ bytes, name, mime }: ExtractInput): Detection {
  const ext = extensionOf(name);
  const known = byExtension[ext];
  if (known) {
    // A file whose content is plainly another binary format (a .docx renamed .xlsx, a PNG saved as
    // .pdf) is read as what it is; anything else is read as its extension says.
    const content = binaryFormats.has(known) ? binaryFormat(bytes) : null;
    return { format: content ?? known };
  }
  if (unsupportedExtensions[ext]) return { unsupported: unsupportedExtensions[ext] };
  if (textExtensions.has(ext) && !vagueExtensions.has(ext)) return { format: 'text' };

  const mimeType = mime?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  const fromMime = byMime[mimeType];
  if (fromMime) return { format: fromMime };
  if (mimeType === 'application/msword') return { unsupported: docOnly };
  if (mimeType === 'image/heic' || mimeType === 'image/heif') return { unsupported: unsupportedExtensions.heic! };

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
  ['\x1f\x8b', 'gzip archive'], ['7z\xbc\xaf', '7-Zip archive'], ['Rar!', 'RAR archive'],
  ['\x7fELF', 'Executable'], ['MZ', 'Windows executable'],
];

/** What the content says it is; null for plain text. */
function sniffContent(bytes: Uint8Array): Detection | null {
  const head = latin1(bytes.subarray(0, 4096));
  const binary = binaryFormat(bytes);
  if (binary) return { format: binary };
  if (head.startsWith('PK\x03\x04')) return { unsupported: 'ZIP archive (not a document Cairn reads)' };
  if (head.startsWith('\xd0\xcf\x11\xe0')) {
    // OLE compound file: legacy Word or PowerPoint, or a password-protected (encrypted) .docx.
    return { unsupported: 'Legacy Office file (OLE); only .docx, .pptx and Excel workbooks are read' };
  }
  if (/^\s*\{\\rtf/.test(head)) return { format: 'rtf' };
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

/**
 * The format binary content plainly is (magic numbers, a ZIP's telling entries, an OLE file's
 * streams), or null for text and for binaries no reader takes.
 */
function binaryFormat(bytes: Uint8Array): Format | null {
  const head = latin1(bytes.subarray(0, 1024));
  // pdf.js, like Acrobat, accepts junk before the header, within the first 1 KB.
  if (head.includes('%PDF-')) return 'pdf';
  if (head.startsWith('\x89PNG') || head.startsWith('\xff\xd8\xff') || head.startsWith('GIF8') || head.startsWith('BM')
    || head.startsWith('II*\0') || head.startsWith('MM\0*') || (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP')) {
    return head.startsWith('BM') && !/^BM....\0\0\0\0/s.test(head) ? null : 'image';
  }
  if (head.startsWith('PK\x03\x04')) {
    if (hasZipEntry(bytes, 'word/document.xml')) return 'docx';
    if (hasZipEntry(bytes, 'xl/workbook.xml')) return 'spreadsheet';
    if (hasZipEntry(bytes, 'ppt/presentation.xml')) return 'pptx';
    // OpenDocument and EPUB name their type in a first, stored entry called "mimetype".
    const type = head.slice(30, 38) === 'mimetype' ? (/^[a-z0-9.+/-]+/.exec(head.slice(38))?.[0] ?? '') : '';
    if (type === 'application/epub+zip') return 'epub';
    if (type.startsWith('application/vnd.oasis.opendocument.text')) return 'odt';
    if (type.startsWith('application/vnd.oasis.opendocument.spreadsheet')) return 'spreadsheet';
    if (type.startsWith('application/vnd.oasis.opendocument.presentation')) return 'odp';
    return null;
  }
  if (head.startsWith('\xd0\xcf\x11\xe0')) {
    if (hasZipEntry(bytes, '__substg1.0_', 'utf16le')) return 'msg';
    if (hasZipEntry(bytes, 'Workbook', 'utf16le') || hasZipEntry(bytes, 'Book', 'utf16le')) return 'spreadsheet';
    return null; // a legacy .doc or .ppt, or a password-protected OOXML file (its reader says so)
  }
  return null;
}

/** Finds a file name among a zip's entries without unzipping (names are stored in plain bytes). */
function hasZipEntry(bytes: Uint8Array, entry: string, encoding: BufferEncoding = 'latin1'): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(entry, 0, encoding);
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
