// A PDF page's text as Cairn indexes it, built from pdf.js's text items, with where each character
// came from. The reader (app/extract/pdf-reader.ts) indexes exactly `pdfPageText(items).text`, and
// the window's viewer runs the same function on the same items of the page it shows, so a chunk's
// stored offsets point at the very text-layer items to highlight: nothing is guessed or matched.
// Pure code, no Node and no DOM: both sides import it.

/** The fields of a pdf.js text item that the joining reads (marked-content items have no `str`). */
export interface PdfTextItem {
  str: string;
  hasEOL: boolean;
  transform: number[];
  width: number;
  height: number;
}

export interface PdfPageText {
  /** The page's text: items joined into lines, trailing blanks and undecodable glyphs dropped, trimmed. */
  text: string;
  /** For each UTF-16 unit of `text`: the index (in the items given) of the item it comes from, or -1 for a space or line break the joining added. */
  item: Int32Array;
  /** For each UTF-16 unit of `text` that comes from an item: its index in that item's `str`. */
  at: Int32Array;
}

/** Part of one item's `str`, [from, to), that a range of the page text covers. */
export interface ItemRange {
  item: number;
  from: number;
  to: number;
}

/** Text with the origin of each unit; every step below only ever removes units. */
interface Traced {
  text: string;
  item: number[];
  at: number[];
}

/**
 * Joins a page's text items into lines: a new line where pdf.js says one ends (hasEOL) or where the
 * baseline moves; a space where two items on one line are apart and neither brings its own. Then
 * blanks at line ends go, runs of blank lines become one, and the whole is trimmed.
 */
function joinItems(items: ReadonlyArray<object>): Traced {
  const out: Traced = { text: '', item: [], at: [] };
  const parts: string[] = []; // joined once at the end: pages can have many thousands of items
  const add = (piece: string, index: number) => {
    parts.push(piece);
    for (let i = 0; i < piece.length; i++) {
      out.item.push(index);
      out.at.push(index === -1 ? -1 : i);
    }
  };
  let last = '\n'; // the last character so far ('\n' at the start of the page)
  let previous: { x: number; y: number; size: number } | null = null;
  items.forEach((raw, index) => {
    if (!('str' in raw)) return; // marked-content boundaries carry no text
    const item = raw as PdfTextItem;
    const [, , c = 0, d = 0, x = 0, y = 0] = item.transform;
    const size = item.height || Math.hypot(c, d) || 1;
    if (previous && item.str && last !== '\n') {
      if (Math.abs(y - previous.y) > Math.max(size, previous.size) * 0.5) add((last = '\n'), -1);
      else if (x - previous.x > size * 0.15 && !/\s/.test(last) && !/^\s/.test(item.str)) add((last = ' '), -1);
    }
    if (item.str) {
      add(item.str, index);
      last = item.str.at(-1)!;
    }
    if (item.hasEOL) add((last = '\n'), -1);
    if (item.str || item.hasEOL) previous = { x: x + item.width, y, size };
  });
  out.text = parts.join('');
  return trim(drop(drop(out, /[ \t]+(?=\n|$)/g), /\n{3,}/g, 2));
}

/** Removes what `pattern` (global) matches, past the first `keep` units of each match. */
function drop(traced: Traced, pattern: RegExp, keep = 0): Traced {
  const gone: [number, number][] = [];
  for (const match of traced.text.matchAll(pattern)) {
    if (match[0].length > keep) gone.push([match.index + keep, match.index + match[0].length]);
  }
  if (gone.length === 0) return traced;
  const out: Traced = { text: '', item: [], at: [] };
  const parts: string[] = [];
  let from = 0;
  for (const [start, end] of [...gone, [traced.text.length, traced.text.length] as [number, number]]) {
    parts.push(traced.text.slice(from, start));
    for (let i = from; i < start; i++) {
      out.item.push(traced.item[i]!);
      out.at.push(traced.at[i]!);
    }
    from = end;
  }
  out.text = parts.join('');
  return out;
}

/** String.prototype.trim, traced (`\s` is exactly the set trim() removes). */
function trim(traced: Traced): Traced {
  return drop(traced, /^\s+|\s+$/g);
}

/**
 * Whether joined page text is text anyone can search: glyphs whose fonts map to no Unicode come out
 * as U+FFFD or U+FFFF, or in the private use area, and a page where they are a third of the
 * characters or more is not (its readable rest is usually stray digits and spaces); OCR reads it.
 */
function usable(raw: string): boolean {
  let bad = 0;
  let good = 0;
  for (const ch of raw) {
    const code = ch.codePointAt(0)!;
    if (code === 0xfffd || code === 0xfffe || code === 0xffff || code === 0 || (code >= 0xe000 && code <= 0xf8ff)) bad++;
    else if (!/\s/.test(ch)) good++;
  }
  return good > 0 && bad * 2 < good;
}

/** Undecodable glyphs dropped and the rest trimmed, or nothing when the text is not usable. */
function clean(traced: Traced): Traced {
  return usable(traced.text) ? trim(drop(traced, /[\uFFFD\uFFFE\uFFFF\0]/g)) : { text: '', item: [], at: [] };
}

/** The page text as the reader indexes it ('' for a page left to OCR), with the origin of every character. */
export function pdfPageText(items: ReadonlyArray<object>): PdfPageText {
  const text = clean(joinItems(items));
  return { text: text.text, item: Int32Array.from(text.item), at: Int32Array.from(text.at) };
}

/** Joined page text as the reader indexes it: '' when it is not usable (see `usable`). */
export function usableText(raw: string): string {
  return clean({ text: raw, item: [], at: [] }).text;
}

/** The items joined into lines (before undecodable glyphs are dropped). */
export function pageText(items: ReadonlyArray<object>): string {
  return joinItems(items).text;
}

/** The headings of the sections the PDF reader adds after a page's text. */
export const PAGE_EXTRAS = new Set(['Form fields', 'Annotations']);

/** Where a chunk lies in a page's text, as far as that text is the one indexed. */
export type PassageOnPage =
  /** [start, end) in the page's text (end short of the chunk's when the chunk goes on into the page's form fields or annotations). */
  | { found: 'exact'; start: number; end: number }
  /** The chunk lies past the page's text: in the page's form fields or annotations, which have no text layer. */
  | { found: 'elsewhere' }
  /** The page's text is not what was indexed (the file changed since): nothing can be marked exactly. */
  | { found: 'changed' };

/**
 * Finds a chunk in its page by its stored offsets: `pageStart` is where the page's text starts in
 * the document's text (the first chunk of the page starts there, as a page's text is trimmed). The
 * page's text is checked against the chunk's own: nothing is marked unless it is the same text.
 */
export function passageOnPage(page: PdfPageText, pageStart: number, chunk: { start: number; end: number; text: string; headingPath: string[] }): PassageOnPage {
  const start = chunk.start - pageStart;
  if (start < 0) return { found: 'changed' };
  // Past the page's text come its form fields and annotations (app/extract/pdf-reader.ts), under their headings.
  if (start >= page.text.length) return PAGE_EXTRAS.has(chunk.headingPath[0] ?? '') ? { found: 'elsewhere' } : { found: 'changed' };
  const end = Math.min(chunk.end - pageStart, page.text.length);
  return page.text.slice(start, end) === chunk.text.slice(0, end - start) ? { found: 'exact', start, end } : { found: 'changed' };
}

/**
 * The parts of items that the page text's [start, end) comes from, in order: what a viewer marks
 * in the text layer. Spaces and line breaks the joining added belong to no item and are skipped.
 */
export function itemRanges(page: PdfPageText, start: number, end: number): ItemRange[] {
  const ranges: ItemRange[] = [];
  for (let i = Math.max(0, start); i < Math.min(end, page.text.length); i++) {
    const item = page.item[i]!;
    if (item === -1) continue;
    const at = page.at[i]!;
    const last = ranges.at(-1);
    if (last && last.item === item && last.to === at) last.to = at + 1;
    else ranges.push({ item, from: at, to: at + 1 });
  }
  return ranges;
}

/** An OCR line: [start, end) in its page's OCR text, and its box [x0, y0, x1, y1] on the image read. */
export interface OcrLineBox {
  start: number;
  end: number;
  box: [number, number, number, number];
}

/**
 * The boxes (in pixels of the image OCR read) of the lines a passage of a page's OCR text lies on,
 * by the offsets OCR kept for each line: what a viewer marks on a scanned page.
 */
export function ocrBoxes(lines: readonly OcrLineBox[], start: number, end: number): [number, number, number, number][] {
  return lines.filter((line) => line.start < end && line.end > start).map((line) => line.box);
}
