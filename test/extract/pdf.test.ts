import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractBytes } from '../../app/extract/index.ts';
import { pageText, usableText } from '../../app/extract/pdf-reader.ts';
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

test('pages without text are left to OCR; a page with text keeps it', async () => {
  const scan = await extractBytes({ bytes: buildPdf({ pages: [[], [], []] }), name: 'scan.pdf' });
  assert.ok(scan.ok, scan.ok ? '' : scan.reason);
  assert.deepEqual(scan.doc.sections, []);
  assert.deepEqual(scan.doc.ocr, { pages: [1, 2, 3] });
  const mixed = await extractBytes({ bytes: buildPdf({ pages: [['Cover letter'], []] }), name: 'mixed.pdf' });
  assert.ok(mixed.ok);
  assert.deepEqual(mixed.doc.ocr, { pages: [2] });
  const text = await extractBytes({ bytes: buildPdf({ pages: [['All text']] }), name: 'text.pdf' });
  assert.ok(text.ok && text.doc.ocr === undefined);
});

test('a text layer of glyphs that map to no Unicode is garbage: the page goes to OCR', () => {
  assert.equal(usableText('\uFFFD\uFFFD\uFFFD \uFFFD\uFFFD 12'), '');
  assert.equal(usableText('\uE001\uE002\uE003\uE004 ab'), '');
  assert.equal(usableText('Invoice \uFFFD 42'), 'Invoice  42');
  assert.equal(usableText('   '), '');
});

test('garbage and truncated PDFs fail as damaged', async () => {
  const garbage = await extractBytes({ bytes: new TextEncoder().encode('this is not a pdf at all'), name: 'fake.pdf' });
  assert.ok(!garbage.ok && garbage.status === 'failed' && garbage.code === 'damaged', JSON.stringify(garbage));
  assert.match(garbage.reason, /^PDF file is damaged: /);

  const whole = buildPdf({ pages: [['hello']] });
  const truncated = await extractBytes({ bytes: whole.subarray(0, whole.length / 2), name: 'cut.pdf' });
  assert.ok(!truncated.ok && truncated.status === 'failed' && truncated.code === 'damaged', JSON.stringify(truncated));
});

test('form field values and FreeText annotations are indexed with their page, under their own heading, unless the page shows them', async () => {
  const bytes = buildPdf({
    pages: [['Application form', 'Applicant details below'], ['Travel plans']],
    fields: [
      { page: 1, name: 'applicant', label: 'Full name', value: 'Jane Quokka' },
      { page: 1, name: 'heading', value: 'Application form' }, // the page's text shows it already
      { page: 1, name: 'code', label: 'Code', value: 'App' }, // only part of a word on the page: kept
      { page: 2, name: 'countries', value: ['Norway', 'Chile'], options: ['Chile', 'Norway', 'Peru'] },
      { page: 2, name: 'notes', value: '' },
    ],
    freeText: [{ page: 2, text: 'Reviewer comment: approved by Okapi' }],
  });
  const result = await extractBytes({ bytes, name: 'form.pdf' });
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.deepEqual(result.doc.sections, [
    { text: 'Application form\nApplicant details below', page: 1, headingPath: [] },
    { text: 'Full name: Jane Quokka\nCode: App', page: 1, headingPath: ['Form fields'] },
    { text: 'Travel plans', page: 2, headingPath: [] },
    { text: 'countries: Norway, Chile', page: 2, headingPath: ['Form fields'] },
    { text: 'Reviewer comment: approved by Okapi', page: 2, headingPath: ['Annotations'] },
  ]);

  // A filled form on a page with no text layer of its own is not "no text".
  const scanned = await extractBytes({ bytes: buildPdf({ pages: [[]], fields: [{ page: 1, name: 'invoice', label: 'Invoice number', value: 'INV-778' }] }), name: 'scan.pdf' });
  assert.ok(scanned.ok, scanned.ok ? '' : scanned.reason);
  assert.deepEqual(scanned.doc.sections, [{ text: 'Invoice number: INV-778', page: 1, headingPath: ['Form fields'] }]);
});

test('encrypted PDFs that open without a user password are read: owner password only (RC4, AES-128), or an empty owner password', async () => {
  const cases = [
    { method: 'rc4', ownerPassword: 'owner-secret' },
    { method: 'aes-128', ownerPassword: 'owner-secret' },
    // pdftotext (poppler) and qpdf also try the empty password as the owner password; pdf.js alone does not.
    { method: 'rc4', userPassword: 'user-pw', ownerPassword: '' },
    { method: 'aes-128', userPassword: 'user-pw', ownerPassword: '' },
  ] as const;
  for (const encrypt of cases) {
    const result = await extractBytes({ bytes: buildPdf({ pages: [['Confidential tapir census']], title: 'Census', encrypt }), name: 'census.pdf' });
    assert.ok(result.ok, `${JSON.stringify(encrypt)}: ${result.ok ? '' : result.reason}`);
    assert.equal(result.doc.title, 'Census');
    assert.deepEqual(result.doc.sections, [{ text: 'Confidential tapir census', page: 1, headingPath: [] }]);
  }
});

test('a PDF that needs a user password is reported as password-protected', async () => {
  for (const method of ['rc4', 'aes-128'] as const) {
    const bytes = buildPdf({ pages: [['Confidential']], encrypt: { method, userPassword: 'user-pw', ownerPassword: 'owner-pw' } });
    assert.deepEqual(await extractBytes({ bytes, name: 'locked.pdf' }), { ok: false, status: 'failed', code: 'encrypted', reason: 'PDF is password-protected' });
  }
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
