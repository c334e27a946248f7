import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractBytes } from '../../app/extract/index.ts';
import { pageText } from '../../app/extract/pdf-reader.ts';
import { buildPdf } from '../fixtures/pdf.ts';

test('the fixture PDF has a correct cross-reference table', () => {
  const pdf = Buffer.from(buildPdf({ pages: [['a'], ['b']], title: 'T' })).toString('latin1');
  const startxref = Number(/startxref\n(\d+)/.exec(pdf)![1]);
  assert.ok(pdf.startsWith('xref\n', startxref));
  const entries = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
  assert.equal(entries.length, 8);
  entries.forEach((offset, i) => assert.ok(pdf.startsWith(`${i + 1} 0 obj`, offset), `object ${i + 1}`));
});

test('one section per page with its 1-based page number; pages without text are left out', async () => {
  const bytes = buildPdf({
    pages: [['Quarterly report', 'Revenue grew (a lot).'], [], ['Appendix: tables']],
    title: 'Q3 Report',
  });
  const result = await extractBytes({ bytes, name: 'q3.pdf' });
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.equal(result.doc.title, 'Q3 Report');
  assert.equal(result.doc.mime, 'application/pdf');
  assert.equal(result.doc.metadata.pages, 3);
  assert.deepEqual(result.doc.sections, [
    { text: 'Quarterly report\nRevenue grew (a lot).', page: 1, headingPath: [] },
    { text: 'Appendix: tables', page: 3, headingPath: [] },
  ]);
});

test('extractBytes leaves the caller\'s bytes intact (pdf.js detaches what it is given)', async () => {
  const bytes = buildPdf({ pages: [['x']] });
  const length = bytes.byteLength;
  await extractBytes({ bytes, name: 'x.pdf' });
  assert.equal(bytes.byteLength, length);
});

test('a leftover title such as "Microsoft Word - draft.doc" gives way to the file name', async () => {
  const result = await extractBytes({ bytes: buildPdf({ pages: [['text']], title: 'Microsoft Word - draft.doc' }), name: '/a/final.pdf' });
  assert.ok(result.ok);
  assert.equal(result.doc.title, 'final.pdf');
});

test('no text on any page fails as no-text with the page count', async () => {
  const result = await extractBytes({ bytes: buildPdf({ pages: [[], [], []] }), name: 'scan.pdf' });
  assert.deepEqual(result, { ok: false, status: 'failed', code: 'no-text', reason: 'PDF has no text layer (scanned or image-only); 3 pages' });
});

test('garbage and truncated PDFs fail as damaged', async () => {
  const garbage = await extractBytes({ bytes: new TextEncoder().encode('this is not a pdf at all'), name: 'fake.pdf' });
  assert.ok(!garbage.ok && garbage.status === 'failed' && garbage.code === 'damaged', JSON.stringify(garbage));
  assert.match(garbage.reason, /^PDF file is damaged: /);

  const whole = buildPdf({ pages: [['hello']] });
  const truncated = await extractBytes({ bytes: whole.subarray(0, whole.length / 2), name: 'cut.pdf' });
  assert.ok(!truncated.ok && truncated.status === 'failed' && truncated.code === 'damaged', JSON.stringify(truncated));
});

test('pageText joins items: hasEOL ends a line, a gap on one line is a space, a new baseline a new line', () => {
  const item = (str: string, x: number, y: number, width: number, hasEOL = false) =>
    ({ str, hasEOL, transform: [10, 0, 0, 10, x, y], width, height: 10 });
  const text = pageText([
    item('Hello', 0, 700, 25),
    item('world', 30, 700, 25), // 5 units after "Hello" ends: a space
    item('!', 55, 700, 3, true), // touching: no space, then end of line
    item('Next', 0, 686, 20),
    item('line', 0, 672, 20), // baseline moved without hasEOL: new line
    { type: 'beginMarkedContent', id: 'x' },
    item('', 0, 0, 0, true),
  ]);
  assert.equal(text, 'Hello world!\nNext\nline');
});
