// What the source viewer shows of a document: its text as indexed (every chunk at its stored
// offsets, so a cited passage is marked exactly where it was found), an email's headers and
// attachments, and the bytes of an original PDF. Files are found by document id only, never by a
// path from a client, and only a PDF indexed from a folder or file the user added, still inside
// it, is ever read.
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { CairnError } from '../contract/index.ts';
import { MAX_DOCUMENT_TEXT, MAX_FILE_RANGE, type DocumentFileRange, type DocumentText } from '../contract/api.ts';
import { emailHeaderLines } from '../extract/email-reader.ts';
import { isInside } from '../index/walk.ts';
import type { ChunkSpanRecord, DocumentRecord, Library } from '../store/index.ts';

const PDF = 'application/pdf';
/** Sources whose documents are files the user chose (a watched folder, a file or folder added). */
const FILE_SOURCES = new Set(['folder', 'import']);

function gone(id: number): CairnError {
  return new CairnError('not-found', `Document ${id} is no longer in the library (it was removed, or its file was deleted).`);
}

/**
 * The document's text as indexed, with its chunks' offsets: the whole of it, or for a long one
 * the part (at most MAX_DOCUMENT_TEXT characters, whole chunks) around the chunk asked for.
 */
export async function documentText(library: Library, id: number, chunkId?: number): Promise<DocumentText> {
  const doc = library.listing.detail(id);
  if (!doc) throw gone(id);
  const all = library.texts.spans(id);
  // Chunks read by OCR have offsets in their page's OCR text: they come apart, page by page.
  const spans = all.filter((s) => !s.ocr);
  const chunk = chunkId === undefined ? null : library.texts.chunk(id, chunkId);
  const center = chunk && !chunk.ocr ? spans.findIndex((s) => s.id === chunk.id) : 0;
  const [first, last] = window(spans, Math.max(0, center), (s) => s.start, (s) => s.end);
  const offset = first === 0 ? 0 : spans[first]!.start;
  const text = spans.length ? assemble(spans.slice(first, last + 1), library.texts.texts(id, spans.slice(first, last + 1).map((s) => s.id)), offset) : '';
  const length = spans.reduce((end, s) => Math.max(end, s.end), 0);

  // A page's text starts where its first chunk does (a page's text is trimmed, and chunks leave out nothing).
  const pageStarts = new Map<number, number>();
  for (const s of spans) if (s.page !== null && !pageStarts.has(s.page)) pageStarts.set(s.page, s.start);

  const parent = doc.parentId === null ? null : library.listing.detail(doc.parentId);
  const { file, fileNote } = await fileState(library, doc);
  const { parentId, metadata, sender: _sender, recipients: _recipients, ...summary } = doc;
  return {
    document: { ...summary, parentId },
    parent: parent && { id: parent.id, title: parent.title, kind: parent.kind },
    text,
    offset,
    length,
    chunks: spans.slice(first, last + 1),
    ocrPages: ocrPages(library, id, all.filter((s) => s.ocr), chunk?.ocr ? chunk.page : null),
    chunk,
    pageStarts: [...pageStarts].map(([page, start]) => ({ page, start })).sort((a, b) => a.page - b.page),
    pages: typeof metadata.pages === 'number' ? metadata.pages : null,
    email: doc.kind === 'email' ? emailPart(doc, offset === 0 ? text : null) : null,
    children: library.listing.children(id),
    file,
    fileNote,
  };
}

/**
 * The pages read by OCR, each with its text and line boxes (kept by content hash) and its chunks:
 * all of them, or those around `center` (the cited page) that fit MAX_DOCUMENT_TEXT.
 */
function ocrPages(library: Library, id: number, spans: ChunkSpanRecord[], center: number | null): DocumentText['ocrPages'] {
  if (spans.length === 0) return [];
  const hash = library.texts.contentHash(id);
  const byPage = new Map<number, ChunkSpanRecord[]>();
  for (const span of spans) {
    const page = span.page ?? 0;
    if (!byPage.has(page)) byPage.set(page, []);
    byPage.get(page)!.push(span);
  }
  const pages = [...byPage.keys()].sort((a, b) => a - b);
  // Each page's text laid end to end, to choose the pages around the cited one that fit.
  const ends: number[] = [];
  for (const page of pages) ends.push((ends.at(-1) ?? 0) + byPage.get(page)!.reduce((end, s) => Math.max(end, s.end), 0));
  const [first, last] = window(pages, Math.max(0, pages.indexOf(center ?? pages[0]!)), (_, i) => ends[i - 1] ?? 0, (_, i) => ends[i]!);
  return pages.slice(first, last + 1).map((page) => {
    const chunks = byPage.get(page)!;
    const texts = library.texts.texts(id, chunks.map((c) => c.id));
    const read = hash === null ? null : library.ocr.page(hash, page);
    // The page's OCR text and line boxes as kept, when its chunks are slices of it; else (read
    // again since, in other languages) the text pieced together from the chunks, without boxes.
    if (read && chunks.every((c, i) => read.text.slice(c.start, c.end) === texts[i])) {
      const lines = JSON.parse(read.lines) as DocumentText['ocrPages'][number]['lines'];
      return { page, text: read.text, width: read.width, height: read.height, lines, chunks };
    }
    return { page, text: assemble(chunks, texts, 0), width: null, height: null, lines: [], chunks };
  });
}

/** The items [first, last] around `center` whose text fits MAX_DOCUMENT_TEXT, growing both ways in turn. */
function window<T>(items: T[], center: number, startOf: (item: T, i: number) => number, endOf: (item: T, i: number) => number): [number, number] {
  if (items.length === 0) return [0, -1];
  let first = Math.min(center, items.length - 1);
  let last = first;
  const fits = (a: number, b: number) => endOf(items[b]!, b) - startOf(items[a]!, a) <= MAX_DOCUMENT_TEXT;
  for (let grew = true; grew; ) {
    grew = false;
    if (last + 1 < items.length && fits(first, last + 1)) {
      last++;
      grew = true;
    }
    if (first > 0 && fits(first - 1, last)) {
      first--;
      grew = true;
    }
  }
  return [first, last];
}

/**
 * The document's text from `offset`, each chunk at its offsets. Chunks cover every non-blank
 * character (app/chunk), so what lies between two is white space: a single one is a space, more
 * are a paragraph break, padded to their length so that every offset stays true.
 */
function assemble(spans: ChunkSpanRecord[], texts: string[], offset: number): string {
  const parts: string[] = [];
  let at = offset;
  spans.forEach((span, i) => {
    const gap = span.start - at;
    if (gap > 0) parts.push(gap === 1 ? ' ' : `${' '.repeat(gap - 2)}\n\n`);
    // Chunks may overlap (a long paragraph is cut with some overlap): only what is new is added.
    if (span.end > at) parts.push(texts[i]!.slice(Math.max(0, at - span.start)));
    at = Math.max(at, span.end);
  });
  return parts.join('');
}

/** An email's headers, and where its body starts: after the header lines its text begins with (app/extract/email-reader.ts). */
function emailPart(doc: DocumentRecord, text: string | null): NonNullable<DocumentText['email']> {
  const meta = doc.metadata;
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  const subject = typeof meta.subject === 'string' ? meta.subject : null;
  const to = strings(meta.to);
  const cc = strings(meta.cc);
  const lines = emailHeaderLines({ subject: subject ?? undefined, from: doc.sender ?? undefined, to, cc });
  let bodyStart = 0;
  if (text !== null && lines) {
    if (text.startsWith(`${lines}\n\n`)) bodyStart = lines.length + 2;
    else if (text === lines) bodyStart = text.length;
  }
  return { from: doc.sender, to, cc, subject, date: doc.date, bodyStart };
}

async function fileState(library: Library, doc: DocumentRecord): Promise<Pick<DocumentText, 'file' | 'fileNote'>> {
  if (doc.mime !== PDF) return { file: null, fileNote: null };
  try {
    const handle = await openFile(await locate(library, doc), doc.path!);
    const { size } = await handle.stat().finally(() => handle.close());
    return { file: { mime: PDF, size }, fileNote: null };
  } catch (error) {
    if (error instanceof CairnError) return { file: null, fileNote: error.message };
    throw error;
  }
}

/**
 * The real path of a document's original file, after every check: an indexed top-level PDF from a
 * folder or file the user added, whose file (links resolved) still lies inside what was added.
 */
async function locate(library: Library, doc: DocumentRecord): Promise<string> {
  if (doc.status !== 'indexed') throw new CairnError('no-file', `"${doc.title}" was not indexed (${doc.reason ?? doc.status}), so it is not shown.`);
  if (doc.mime !== PDF) throw new CairnError('no-file', `"${doc.title}" is not a PDF: it is shown as text.`);
  if (doc.parentId !== null || doc.kind !== 'file' || doc.path === null) {
    throw new CairnError('no-file', `"${doc.title}" came inside another document (an email or a mailbox file): it is shown as its text.`);
  }
  const source = library.texts.source(doc.id);
  if (!source || !FILE_SOURCES.has(source.kind)) throw new CairnError('no-file', `"${doc.title}" has no file of its own to show.`);
  const [real, root] = await Promise.all([realpath(doc.path).catch(() => null), realpath(source.uri).catch(() => null)]);
  if (real === null || root === null) throw new CairnError('file-gone', `The file is no longer at ${doc.path}.`);
  if (!isInside(real, root)) throw new CairnError('outside', `${doc.path} now leads outside ${source.uri} (a link was changed): it is not read.`);
  return real;
}

/** Opens a regular file for reading, not through a link (the path given is already resolved). */
async function openFile(real: string, shown: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    throw new CairnError('file-gone', `The file at ${shown} cannot be read any more.`);
  }
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw new CairnError('no-file', `${shown} is not a regular file.`);
  }
  return handle;
}

/** An original file opened for reading: the caller reads ranges and closes it. */
export interface OpenedFile {
  handle: FileHandle;
  size: number;
  mime: string;
  /** The file's name, for a download. */
  name: string;
}

/** Opens a document's original PDF by its id, after the checks of `locate`. */
export async function openDocumentFile(library: Library, id: number): Promise<OpenedFile> {
  const doc = library.listing.detail(id);
  if (!doc) throw gone(id);
  const handle = await openFile(await locate(library, doc), doc.path!);
  const size = (await handle.stat()).size;
  return { handle, size, mime: PDF, name: doc.path?.split(/[\\/]/).at(-1) ?? `document-${id}.pdf` };
}

/** `length` bytes of a document's original PDF from `offset` (fewer at its end), base64. */
export async function documentFileRange(library: Library, id: number, offset: number, length: number): Promise<DocumentFileRange> {
  const file = await openDocumentFile(library, id);
  try {
    const want = Math.max(0, Math.min(length, MAX_FILE_RANGE, file.size - offset));
    const buffer = Buffer.alloc(want);
    let read = 0;
    while (read < want) {
      const { bytesRead } = await file.handle.read(buffer, read, want - read, offset + read);
      if (bytesRead === 0) break; // the file shrank meanwhile
      read += bytesRead;
    }
    return { size: file.size, mime: file.mime, offset, data: buffer.subarray(0, read).toString('base64') };
  } finally {
    await file.handle.close();
  }
}
