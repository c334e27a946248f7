// PdfReader: one section per page (pdf.js legacy build, made for Node). The text layer only:
// no rendering, no fonts loaded, warnings silenced; recovery from broken files left to pdf.js.
import { fileURLToPath } from 'node:url';
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { baseName, failed, shortMessage } from './results.ts';
import type { ExtractInput, ExtractResult, Section } from './types.ts';

// Predefined CMaps decode CJK text; standard fonts give glyph data for non-embedded base fonts.
const pdfjsRoot = fileURLToPath(new URL('.', import.meta.resolve('pdfjs-dist/package.json')));

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
  try {
    const pdf = await task.promise;
    const sections: Section[] = [];
    let pageError: unknown = null;
    let undecodable = false;
    for (let number = 1; number <= pdf.numPages; number++) {
      try {
        const page = await pdf.getPage(number);
        const raw = pageText((await page.getTextContent()).items);
        page.cleanup();
        // Glyphs whose font maps to no Unicode come out as U+FFFF/U+FFFD: not text anyone can search.
        const text = raw.replace(/[\uFFFD\uFFFE\uFFFF]/g, '').replaceAll('\0', '').trim();
        if (raw && !text) undecodable = true;
        if (text) sections.push({ text, page: number, headingPath: [] });
      } catch (error) {
        pageError ??= error; // one broken page should not cost the others
      }
    }
    const pages = pdf.numPages;
    if (sections.length === 0) {
      const count = `${pages} page${pages === 1 ? '' : 's'}`;
      if (pageError) return failed('damaged', `PDF file is damaged: ${shortMessage(pageError)}`);
      if (undecodable) return failed('no-text', `PDF text cannot be decoded (its fonts map to no Unicode); ${count}`);
      return failed('no-text', `PDF has no text layer (scanned or image-only); ${count}`);
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
      },
    };
  } catch (error) {
    if ((error as Error | null)?.name === 'PasswordException') return failed('encrypted', 'PDF is password-protected');
    return failed('damaged', `PDF file is damaged: ${shortMessage(error)}`);
  } finally {
    await task.destroy().catch(() => {});
  }
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
