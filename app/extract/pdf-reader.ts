// PdfReader: one section per page (pdf.js legacy build, made for Node), followed by the page's
// filled form fields and FreeText annotations as sections of their own. The text layer only: no
// rendering, no fonts loaded, warnings silenced; recovery from broken files left to pdf.js. Pages
// with no usable text (scans, fonts that map to no Unicode) are listed for OCR (app/ocr).
import { fileURLToPath } from 'node:url';
import { AnnotationType, getDocument, PasswordResponses, VerbosityLevel, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { baseName, failed, shortMessage } from './results.ts';
import type { ExtractInput, ExtractResult, Section } from './types.ts';

// Predefined CMaps decode CJK text; standard fonts give glyph data for non-embedded base fonts.
const pdfjsRoot = fileURLToPath(new URL('.', import.meta.resolve('pdfjs-dist/package.json')));

/**
 * The empty password, written as a password pdf.js will try as the owner password. Without a
 * password pdf.js tries the empty one only as the user password, while poppler (pdftotext) and
 * qpdf also try it as the owner password, which opens files made with a user password and an empty
 * owner password. pdf.js pads a password to 32 bytes with this same padding (PDF 1.7, 7.6.3.3), so
 * the padding itself hashes exactly as the empty password does.
 */
const EMPTY_PASSWORD = String.fromCharCode(
  0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e, 0x56, 0xff, 0xfa, 0x01, 0x08,
  0x2e, 0x2e, 0x00, 0xb6, 0xd0, 0x68, 0x3e, 0x80, 0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
);

export async function readPdf({ bytes, name }: ExtractInput): Promise<ExtractResult> {
  const task = getDocument({
    // pdf.js takes ownership of (detaches) the array it is given: hand it a copy, not the caller's.
    data: new Uint8Array(bytes),
    verbosity: VerbosityLevel.ERRORS,
    cMapUrl: `${pdfjsRoot}cmaps/`,
    standardFontDataUrl: `${pdfjsRoot}standard_fonts/`,
    wasmUrl: `${pdfjsRoot}wasm/`,
    disableFontFace: true,
    useSystemFonts: false,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    enableXfa: false,
    stopAtErrors: false, // recover what text there is from slightly broken files
  });
  // Owner-password-only files (an empty user password) open as they are; when pdf.js asks for a
  // password, the empty owner password is tried once, then the file is password-protected.
  let triedEmptyOwner = false;
  task.onPassword = (answer: (password: string | Error) => void, reason: number) => {
    if (reason === PasswordResponses.NEED_PASSWORD && !triedEmptyOwner) {
      triedEmptyOwner = true;
      answer(EMPTY_PASSWORD);
    } else {
      answer(new Error('PDF is password-protected'));
    }
  };
  try {
    const pdf = await task.promise;
    const sections: Section[] = [];
    const ocrPages: number[] = [];
    let pageError: unknown = null;
    for (let number = 1; number <= pdf.numPages; number++) {
      try {
        const page = await pdf.getPage(number);
        const raw = pageText((await page.getTextContent()).items);
        // A page without usable text (none at all, or glyphs whose fonts map to no Unicode) is
        // left to OCR; a page with text keeps it, whatever images it also holds.
        const text = usableText(raw);
        if (text) sections.push({ text, page: number, headingPath: [] });
        else ocrPages.push(number);
        sections.push(...(await annotationSections(page, text)));
        page.cleanup();
      } catch (error) {
        pageError ??= error; // one broken page should not cost the others
      }
    }
    const pages = pdf.numPages;
    if (sections.length === 0 && ocrPages.length === 0) {
      return failed('damaged', `PDF file is damaged: ${shortMessage(pageError ?? new Error('no page could be read'))}`);
    }
    const { info } = await pdf.getMetadata().catch(() => ({ info: {} }));
    const fields = info as Record<string, unknown>;
    return {
      ok: true,
      doc: {
        kind: 'file',
        title: sensibleTitle(fields.Title) ?? baseName(name),
        mime: 'application/pdf',
        sections,
        metadata: {
          pages,
          ...(typeof fields.Author === 'string' && fields.Author.trim() ? { author: fields.Author.trim() } : {}),
          ...(pdfDate(fields.CreationDate) ? { created: pdfDate(fields.CreationDate) } : {}),
        },
        children: [],
        ...(ocrPages.length ? { ocr: { pages: ocrPages } } : {}),
      },
    };
  } catch (error) {
    // Once a password was tried, any failure to open means the one that is needed is missing.
    if (triedEmptyOwner || (error as Error | null)?.name === 'PasswordException') return failed('encrypted', 'PDF is password-protected');
    return failed('damaged', `PDF file is damaged: ${shortMessage(error)}`);
  } finally {
    await task.destroy().catch(() => {});
  }
}

/**
 * A page's text unless it is garbage: glyphs whose fonts map to no Unicode come out as U+FFFD or
 * U+FFFF, or in the private use area, and a page where they are a third of the characters or more
 * is not text anyone can search (its readable rest is usually stray digits and spaces).
 */
export function usableText(raw: string): string {
  let bad = 0;
  let good = 0;
  for (const ch of raw) {
    const code = ch.codePointAt(0)!;
    if (code === 0xfffd || code === 0xfffe || code === 0xffff || code === 0 || (code >= 0xe000 && code <= 0xf8ff)) bad++;
    else if (!/\s/.test(ch)) good++;
  }
  if (good === 0 || bad * 2 >= good) return '';
  return raw.replace(/[\uFFFD\uFFFE\uFFFF\0]/g, '').trim();
}

/** What pdf.js says of a form field widget or a FreeText annotation (the parts read here). */
interface AnnotationData {
  annotationType: number;
  fieldType?: string;
  fieldName?: string;
  alternativeText?: string;
  fieldValue?: unknown;
  options?: { exportValue?: unknown; displayValue?: unknown }[];
  password?: boolean;
  hidden?: boolean;
  contentsObj?: { str?: unknown };
}

/**
 * A page's filled text fields and list boxes ("Label: value", the label from the field's tooltip,
 * else its name) and its FreeText annotations, each kind a section with its own heading. A value
 * the page's text shows already (a flattened form) is not repeated; password fields, hidden
 * fields and buttons are left out. A page whose annotations cannot be read keeps its text.
 */
async function annotationSections(page: PDFPageProxy, pageText: string): Promise<Section[]> {
  let annotations: AnnotationData[];
  try {
    annotations = (await page.getAnnotations({ intent: 'display' })) as AnnotationData[];
  } catch {
    return [];
  }
  const fresh = (value: string) => value !== '' && !shows(pageText, value);
  const fields: string[] = [];
  const notes: string[] = [];
  for (const a of annotations) {
    if (a.annotationType === AnnotationType.FREETEXT) {
      const text = typeof a.contentsObj?.str === 'string' ? lines(a.contentsObj.str) : '';
      if (fresh(text)) notes.push(text);
      continue;
    }
    if (a.annotationType !== AnnotationType.WIDGET || a.password || a.hidden) continue;
    if (a.fieldType !== 'Tx' && a.fieldType !== 'Ch') continue;
    const value = lines(fieldValue(a));
    if (!fresh(value)) continue;
    const label = [a.alternativeText, a.fieldName].find((l): l is string => typeof l === 'string' && l.trim() !== '')?.trim();
    fields.push(label ? `${label}: ${value}` : value);
  }
  const number = page.pageNumber;
  return [
    ...(fields.length ? [{ text: fields.join('\n'), page: number, headingPath: ['Form fields'] }] : []),
    ...(notes.length ? [{ text: notes.join('\n\n'), page: number, headingPath: ['Annotations'] }] : []),
  ];
}

/** A text field's value, or the options chosen in a list or combo box as they are shown. */
function fieldValue(a: AnnotationData): string {
  const chosen = (Array.isArray(a.fieldValue) ? a.fieldValue : [a.fieldValue]).filter((v): v is string => typeof v === 'string');
  return chosen
    .map((v) => {
      const shown = a.options?.find((o) => o.exportValue === v)?.displayValue;
      return typeof shown === 'string' && shown.trim() ? shown : v;
    })
    .filter((v) => v.trim() !== '')
    .join(', ');
}

/** PDF strings end lines with CR (Mac style) as often as with LF. */
function lines(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

/** Whether the page's text has these words, in this order, as whole words (white space aside). */
function shows(pageText: string, value: string): boolean {
  const words = value.split(/\s+/).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<![\\p{L}\\p{N}])${words.join('\\s+')}(?![\\p{L}\\p{N}])`, 'u').test(pageText);
}

interface Item { str: string; hasEOL: boolean; transform: number[]; width: number; height: number }

/**
 * Joins a page's text items into lines: a new line where pdf.js says one ends (hasEOL) or where the
 * baseline moves; a space where two items on one line are apart and neither brings its own.
 */
export function pageText(items: ReadonlyArray<object>): string {
  const parts: string[] = []; // joined once at the end: pages can have many thousands of items
  let last = '\n'; // the last character so far ('\n' at the start of the page)
  let previous: { x: number; y: number; size: number } | null = null;
  for (const raw of items) {
    if (!('str' in raw)) continue; // marked-content boundaries carry no text
    const item = raw as Item;
    const [, , c = 0, d = 0, x = 0, y = 0] = item.transform;
    const size = item.height || Math.hypot(c, d) || 1;
    if (previous && item.str && last !== '\n') {
      if (Math.abs(y - previous.y) > Math.max(size, previous.size) * 0.5) parts.push((last = '\n'));
      else if (x - previous.x > size * 0.15 && !/\s/.test(last) && !/^\s/.test(item.str)) parts.push((last = ' '));
    }
    if (item.str) {
      parts.push(item.str);
      last = item.str.at(-1)!;
    }
    if (item.hasEOL) parts.push((last = '\n'));
    if (item.str || item.hasEOL) previous = { x: x + item.width, y, size };
  }
  return parts
    .join('')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The info dictionary's Title, unless it is empty or a leftover such as "Microsoft Word - x.doc". */
function sensibleTitle(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const title = value.replace(/\s+/g, ' ').trim();
  if (title.length < 2 || title.length > 300) return null;
  if (/^(untitled|title|document\d*|slide \d+)$/i.test(title)) return null;
  if (/^microsoft (word|powerpoint|excel) - /i.test(title)) return null;
  if (/\.(pdf|docx?|dvi|tex|ps|indd|pptx?|xlsx?|rtf|txt)$/i.test(title)) return null;
  if (/^\S+\.[a-z][a-z0-9]{1,7}$/i.test(title)) return null; // a file name ("IBM-PDFs.graffle")
  if (!/\p{L}/u.test(title) || /\uFFFD/.test(title)) return null;
  return title;
}

/** A PDF date ("D:20170612143000+02'00'") as ISO 8601, or null. */
function pdfDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?/.exec(value);
  if (!m) return null;
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00', sign, tzh = '00', tzm = '00'] = m;
  const zone = !sign || sign.toUpperCase() === 'Z' ? 'Z' : `${sign}${tzh}:${tzm}`;
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}${zone}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
