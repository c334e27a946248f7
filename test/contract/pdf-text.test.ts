// The PDF page text shared by the reader and the viewer, and the mapping of a chunk's stored
// offsets onto pdf.js's text items: on real pdf.js output of fixture PDFs and of the shared
// evaluation PDFs, every chunk the engine stored is found exactly in its page's items, with no
// searching; a page whose text changed, and a passage in a page's form fields, are told apart.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { getDocument, VerbosityLevel, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { itemRanges, passageOnPage, pdfPageText, type PdfTextItem } from '../../app/contract/pdf-text.ts';
import { Engine } from '../../app/engine.ts';
import { documentText } from '../../app/service/document-content.ts';
import { buildPdf } from '../fixtures/pdf.ts';
import { tempDir } from '../support/corpus.ts';
import { evalDir, requireShared } from '../support/shared.ts';

const pdfjsRoot = new URL('../../node_modules/pdfjs-dist/', import.meta.url).pathname;

/** Opens a PDF as the reader does (pdf.js's legacy build, its character maps and standard fonts). */
async function openPdf(bytes: Uint8Array): Promise<PDFDocumentProxy & { close(): Promise<void> }> {
  const task = getDocument({
    data: new Uint8Array(bytes),
    verbosity: VerbosityLevel.ERRORS,
    cMapUrl: `${pdfjsRoot}cmaps/`,
    standardFontDataUrl: `${pdfjsRoot}standard_fonts/`,
    disableFontFace: true,
    useSystemFonts: false,
    isOffscreenCanvasSupported: false,
  });
  return Object.assign(await task.promise, { close: () => task.destroy() });
}

async function pageItems(pdf: PDFDocumentProxy, number: number): Promise<PdfTextItem[]> {
  return (await (await pdf.getPage(number)).getTextContent()).items as PdfTextItem[];
}

const item = (str: string, x: number, y: number, extra: Partial<PdfTextItem> = {}): PdfTextItem => ({ str, hasEOL: false, transform: [10, 0, 0, 10, x, y], width: str.length * 5, height: 10, ...extra });

test('the page text joins items into lines and cleans them, and knows the item and place of every character', () => {
  const items = [
    item('  Title', 0, 700, { hasEOL: true }),
    { type: 'beginMarkedContent' }, // no text: skipped, but indexes stay those of the array given
    item('two', 0, 680),
    item('words', 60, 680), // apart on the same line: a space is added between them
    item('trailing   ', 100, 680, { hasEOL: true }),
    item('', 0, 0, { hasEOL: true }),
    item('', 0, 0, { hasEOL: true }),
    item('', 0, 0, { hasEOL: true }),
    item('bad\uFFFDglyph', 0, 600),
    item('next', 0, 580), // a new baseline: a new line
  ];
  const page = pdfPageText(items);
  assert.equal(page.text, 'Title\ntwo words trailing\n\nbadglyph\nnext');
  for (let i = 0; i < page.text.length; i++) {
    const origin = page.item[i]!;
    if (origin === -1) assert.match(page.text[i]!, /\s/, `added character ${i} is white space`);
    else assert.equal((items[origin] as PdfTextItem).str[page.at[i]!], page.text[i], `character ${i}`);
  }
  // "words trailing" spans two items and the space the joining added.
  const start = page.text.indexOf('words');
  assert.deepEqual(itemRanges(page, start, start + 'words trailing'.length), [
    { item: 3, from: 0, to: 5 },
    { item: 4, from: 0, to: 8 },
  ]);
  // The dropped U+FFFD splits nothing: "badglyph" is two runs of one item.
  const bad = page.text.indexOf('badglyph');
  assert.deepEqual(itemRanges(page, bad, bad + 8), [
    { item: 8, from: 0, to: 3 },
    { item: 8, from: 4, to: 9 },
  ]);
  // A page mostly of glyphs that map to no Unicode has no text: OCR reads it.
  assert.equal(pdfPageText([item('\uFFFD\uFFFD\uE001 12', 0, 0)]).text, '');
  assert.equal(pdfPageText([]).text, '');
});

test("a passage is found by its offsets in the fixture PDF's text items, across a line break", async () => {
  const pdf = await openPdf(buildPdf({ pages: [['Alpha beta gamma', 'delta epsilon zeta'], ['Second page']] }));
  const items = await pageItems(pdf, 1);
  const page = pdfPageText(items);
  assert.equal(page.text, 'Alpha beta gamma\ndelta epsilon zeta');
  const start = page.text.indexOf('gamma');
  const chunk = { start: 100 + start, end: 100 + start + 'gamma\ndelta'.length, text: 'gamma\ndelta', headingPath: [] };
  const found = passageOnPage(page, 100, chunk);
  assert.deepEqual(found, { found: 'exact', start, end: start + 11 });
  const first = items.findIndex((i) => i.str === 'Alpha beta gamma');
  const second = items.findIndex((i) => i.str === 'delta epsilon zeta');
  assert.ok(first >= 0 && second > first, JSON.stringify(items.map((i) => i.str)));
  assert.deepEqual(itemRanges(page, start, start + 11), [
    { item: first, from: 11, to: 16 },
    { item: second, from: 0, to: 5 },
  ]);
  // The same offsets on another page's text: not the indexed text, so nothing is marked.
  assert.deepEqual(passageOnPage(pdfPageText(await pageItems(pdf, 2)), 100, chunk), { found: 'changed' });
  assert.deepEqual(passageOnPage(page, 100 + start + 1, chunk), { found: 'changed' });
  await pdf.close();
});

/**
 * Indexes PDFs with small chunks (several to a page, cut inside paragraphs with overlap, tiny ones
 * merged) and checks every chunk of every page against pdf.js's items of that page, found by its
 * stored offsets alone.
 */
async function everyChunkMaps(files: Map<string, Uint8Array>): Promise<{ documents: number; chunks: number; elsewhere: number }> {
  const dir = tempDir();
  for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null, ingest: { chunk: { maxTokens: 48, overlapTokens: 8, minTokens: 6 } } });
  let documents = 0;
  let chunks = 0;
  let elsewhere = 0;
  try {
    // Pages without a text layer wait for OCR, whose chunks are not in the page's text (see ocrBoxes).
    engine.setOcrSettings({ enabled: false });
    engine.add([dir]);
    await engine.index();
    const { items: docs } = engine.library.listing.page({ offset: 0, limit: 500, sort: 'title', order: 'asc', status: 'indexed' });
    for (const doc of docs) {
      const content = await documentText(engine.library, doc.id);
      assert.equal(content.offset, 0);
      const pdf = await openPdf(files.get(doc.path!.split('/').at(-1)!)!);
      const pages = new Map<number, ReturnType<typeof pdfPageText> & { items: PdfTextItem[] }>();
      for (const chunk of content.chunks) {
        const number = chunk.page!;
        if (!pages.has(number)) {
          const items = await pageItems(pdf, number);
          pages.set(number, { ...pdfPageText(items), items });
        }
        const page = pages.get(number)!;
        const pageStart = content.pageStarts.find((p) => p.page === number)!.start;
        const text = content.text.slice(chunk.start, chunk.end);
        const found = passageOnPage(page, pageStart, { ...chunk, text });
        const where = `${doc.title} p. ${number} chunk ${chunk.ordinal}`;
        if (found.found === 'elsewhere') {
          elsewhere++;
          continue;
        }
        assert.equal(found.found, 'exact', where);
        if (found.found !== 'exact') continue;
        // What the ranges pick out of the items is the chunk's text, less the spaces and line
        // breaks the joining put between items.
        const picked = itemRanges(page, found.start, found.end).map((r) => page.items[r.item]!.str.slice(r.from, r.to)).join('');
        const own = [...text.slice(0, found.end - found.start)].filter((_, i) => page.item[found.start + i] !== -1).join('');
        assert.equal(picked, own, where);
        assert.equal(own.replace(/\s+/g, ''), text.slice(0, found.end - found.start).replace(/\s+/g, ''), `${where}: only white space was added`);
        chunks++;
      }
      await pdf.close();
      documents++;
    }
  } finally {
    await engine.close();
  }
  return { documents, chunks, elsewhere };
}

test('every chunk the engine stores for fixture PDFs maps onto its page items exactly; form fields are elsewhere', async () => {
  const long = Array.from({ length: 30 }, (_, i) => `Line ${i} of a long page about the kayak rental season and its numbers.`);
  const files = new Map<string, Uint8Array>([
    ['long.pdf', buildPdf({ pages: [long, ['Short page.'], long.slice(0, 7)] })],
    [
      'form.pdf',
      buildPdf({
        pages: [['Application form', 'Applicant details below'], ['Travel plans']],
        fields: [{ page: 1, name: 'applicant', label: 'Full name', value: 'Jane Quokka' }],
        freeText: [{ page: 2, text: 'Reviewer comment: approved by Okapi after a long and careful review of the travel plans' }],
      }),
    ],
  ]);
  const result = await everyChunkMaps(files);
  assert.equal(result.documents, 2);
  assert.ok(result.chunks >= 12, `${result.chunks} chunks checked`);
  assert.ok(result.elsewhere >= 1, 'the annotation is a passage outside the text layer');
});

test('every chunk of the shared evaluation PDFs maps onto its page items exactly', async (t) => {
  const dir = requireShared(t, join(evalDir, 'pdfs'));
  if (!dir) return;
  const files = new Map(readdirSync(dir).filter((name) => name.endsWith('.pdf')).map((name) => [name, new Uint8Array(readFileSync(join(dir, name)))] as const));
  const result = await everyChunkMaps(files);
  console.log(`  ${result.chunks} chunks of ${result.documents} PDFs mapped exactly (${result.elsewhere} in form fields or annotations)`);
  assert.ok(result.documents >= 20, `${result.documents} PDFs had text`);
  assert.ok(result.chunks > 1000, `${result.chunks} chunks checked`);
});
