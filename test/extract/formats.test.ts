// The readers for spreadsheets, slides, OpenDocument, RTF, EPUB, notebooks, Outlook messages and
// images: real files written by LibreOffice (fixtures/files) and generated edge cases, each format
// also damaged (cut short, renamed, a zip bomb).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { extractBytes, type ExtractResult } from '../../app/extract/index.ts';
import { buildDocx } from '../fixtures/docx.ts';
import { buildMsg, buildPptx, buildTiff, textImage, textPixels, zipBomb } from '../fixtures/office.ts';

const files = join(import.meta.dirname, '..', 'fixtures', 'files');
const real = (name: string) => new Uint8Array(readFileSync(join(files, name)));

async function read(bytes: Uint8Array, name: string) {
  const result = await extractBytes({ bytes, name });
  assert.ok(result.ok, result.ok ? '' : `${name}: ${result.code}: ${result.reason}`);
  return result.doc;
}

function problem(result: ExtractResult): string {
  return result.ok ? 'ok' : `${result.status}/${result.code}`;
}

for (const name of ['budget.xlsx', 'budget.xls', 'budget.ods']) {
  test(`${name}: each sheet's rows named by their headers, formulas as their cached values`, async () => {
    const doc = await read(real(name), name);
    assert.equal(doc.title, 'Quarterly revenue 2025');
    assert.deepEqual(doc.sections.map((s) => s.headingPath), [['Revenue', 'Row 1 (header)'], ['Revenue', 'Rows 2–3'], ['Notes', 'Row 1']]);
    assert.equal(doc.sections[1]!.text, 'Quarter: Q1; Region: North; Revenue: 1200; Doubled: 2400\nQuarter: Q3; Region: Lapland; Revenue: 4321; Doubled: 8642');
    assert.doesNotMatch(doc.sections.map((s) => s.text).join('\n'), /\[\.C|C2\*2|=/);
  });
}

test('large sheets come in sections of rows, each row carrying its headers', async () => {
  const csv = ['Invoice,Customer,Amount', ...Array.from({ length: 60 }, (_, i) => `INV-${i + 1},"Customer, ${i + 1}",${(i + 1) * 10}`)].join('\r\n');
  const doc = await read(new TextEncoder().encode(csv), 'invoices.csv');
  assert.deepEqual(doc.sections.map((s) => s.headingPath.at(-1)), ['Row 1 (header)', 'Rows 2–26', 'Rows 27–51', 'Rows 52–61']);
  assert.match(doc.sections[3]!.text, /^Invoice: INV-51; Customer: Customer, 51; Amount: 510$/m);
  const tsv = await read(new TextEncoder().encode('Name\tCity\nÅsa\tMalmö\n'), 'people.tsv');
  assert.equal(tsv.sections[1]!.text, 'Name: Åsa; City: Malmö');
  const semicolons = await read(new TextEncoder().encode('Datum;Betrag\n01.02.2025;12,50\n03.02.2025;7,00\n'), 'konto.csv');
  assert.equal(semicolons.sections[1]!.text, 'Datum: 01.02.2025; Betrag: 12,50\nDatum: 03.02.2025; Betrag: 7,00');
});

for (const name of ['deck.pptx', 'deck.odp']) {
  test(`${name}: each slide a page, with its speaker notes`, async () => {
    const doc = await read(real(name), name);
    assert.equal(doc.title, 'Harbour plans');
    assert.deepEqual(doc.sections.map((s) => [s.page, s.text]), [
      [1, 'Harbour plans\nNew pier for the ferry\nBudget of 2 million'],
      [1, 'Mention the seagull survey.'],
      [2, 'Timeline\nConstruction starts in spring'],
      [2, 'Ask about the lighthouse keeper.'],
    ]);
    assert.deepEqual(doc.sections[1]!.headingPath.at(-1), 'Speaker notes');
  });
}

test('PPTX titles come from title placeholders; notes leave out the slide picture and number', async () => {
  const doc = await read(buildPptx([{ title: 'Q3 results', body: ['Revenue up 12%'], notes: 'Say thanks to the team' }, { title: 'Risks', body: ['Currency'] }]), 'q3.pptx');
  assert.deepEqual(doc.sections, [
    { text: 'Q3 results\nRevenue up 12%', page: 1, headingPath: ['Q3 results'] },
    { text: 'Say thanks to the team', page: 1, headingPath: ['Q3 results', 'Speaker notes'] },
    { text: 'Risks\nCurrency', page: 2, headingPath: ['Risks'] },
  ]);
  assert.equal(doc.title, 'Q3 results'); // the first slide's title, when the package has none
});

test('ODT: headings by outline level, lists, tables and CJK text', async () => {
  const doc = await read(real('letter.odt'), 'letter.odt');
  assert.equal(doc.title, 'Lease for the lighthouse');
  assert.deepEqual(doc.sections.map((s) => s.headingPath), [['Lease for the lighthouse'], ['Lease for the lighthouse', 'Rent'], ['Lease for the lighthouse', 'Termination']]);
  assert.match(doc.sections[2]!.text, /- Keys are returned on the last day\.\n- The lamp stays lit\.\n\nDeposit \| 900 euros\n\n租金每月支付一次。/);
});

test('RTF is decoded, not shown as control words: Unicode escapes, code pages by font, tables', async () => {
  const doc = await read(real('letter.rtf'), 'letter.rtf');
  assert.equal(doc.title, 'Lease for the lighthouse');
  const text = doc.sections.map((s) => s.text).join('\n');
  assert.match(text, /The rent is 450 euros a month/);
  assert.match(text, /租金每月支付一次。/);
  assert.doesNotMatch(text, /\\[a-z]+|[{}]|Times New Roman/);
  const gbk = '{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0\\fswiss Arial;}{\\f1\\fnil\\fcharset134 SimSun;}}{\\info{\\title Notice}}\\f0 Rent: \\f1 \\\'d7\\\'e2\\\'bd\\\'f0\\par\\trowd\\cellx1000\\cellx2000 A\\cell B\\cell\\row\\f0 caf\\\'e9 \\u8364? 5\\par}';
  const decoded = await read(Buffer.from(gbk, 'latin1'), 'notice.rtf');
  assert.equal(decoded.title, 'Notice');
  assert.equal(decoded.sections[0]!.text, 'Rent: 租金\n\nA | B |\ncafé € 5');
});

test('EPUB: chapters in reading order, headed by their titles from the table of contents', async () => {
  const doc = await read(real('letter.epub'), 'letter.epub');
  assert.equal(doc.title, 'Lease for the lighthouse');
  assert.equal(doc.mime, 'application/epub+zip');
  assert.match(doc.sections.map((s) => s.text).join('\n'), /three months' notice/);
  assert.ok(doc.sections.every((s) => s.headingPath[0] === 'Lease for the lighthouse'));
});

test('Jupyter notebooks: Markdown cells by heading, code cells verbatim, no outputs', async () => {
  const notebook = {
    cells: [
      { cell_type: 'markdown', source: ['# Rainfall\n', 'Monthly totals.'] },
      { cell_type: 'code', source: ['df = load("rain.csv")\n', 'df.plot()'], outputs: [{ output_type: 'display_data', data: { 'image/png': 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==' } }] },
      { cell_type: 'markdown', source: '## Findings\nWettest in **March**.' },
    ],
    metadata: { language_info: { name: 'python' } },
  };
  const doc = await read(new TextEncoder().encode(JSON.stringify(notebook)), 'rain.ipynb');
  assert.equal(doc.title, 'Rainfall');
  assert.deepEqual(doc.sections.map((s) => [s.headingPath, s.text]), [
    [['Rainfall'], 'Rainfall\nMonthly totals.\n\n```python\ndf = load("rain.csv")\ndf.plot()\n```'],
    [['Rainfall', 'Findings'], 'Findings\nWettest in **March**.'],
  ]);
  assert.doesNotMatch(doc.sections.map((s) => s.text).join(''), /iVBOR/);
});

test('Outlook .msg: an email with sender, recipients, date and attachments as children', async () => {
  const bytes = buildMsg({
    subject: 'Invoice 4411', body: 'Please find the invoice attached.\r\nRegards', senderName: 'Ada Quokka', senderEmail: 'ada@example.org',
    to: [{ name: 'Bob', email: 'bob@example.org' }], headers: 'Date: Tue, 1 Jul 2025 09:30:00 +0200\r\nSubject: Invoice 4411\r\n',
    attachments: [{ name: 'invoice.txt', bytes: new TextEncoder().encode('Total due: 42 EUR') }],
  });
  const doc = await read(bytes, 'invoice.msg');
  assert.equal(doc.kind, 'email');
  assert.equal(doc.title, 'Invoice 4411');
  assert.equal(doc.from, 'Ada Quokka <ada@example.org>');
  assert.deepEqual(doc.to, ['Bob <bob@example.org>']);
  assert.equal(doc.date, Date.parse('2025-07-01T07:30:00Z'));
  assert.match(doc.sections[0]!.text, /^Subject: Invoice 4411\nFrom: Ada Quokka <ada@example.org>\nTo: Bob <bob@example.org>\n\nPlease find the invoice attached\.\nRegards$/);
  assert.equal(doc.children.length, 1);
  assert.equal(doc.children[0]!.name, 'invoice.txt');
  assert.equal(Buffer.from(doc.children[0]!.bytes).toString(), 'Total due: 42 EUR');
});

test('images have no text of their own: their pages are left to OCR; tiny ones are skipped', async () => {
  for (const format of ['png', 'jpeg', 'webp'] as const) {
    const doc = await read(textImage(['Receipt'], { format }), `receipt.${format}`);
    assert.deepEqual(doc.sections, []);
    assert.deepEqual(doc.ocr, { pages: [1] });
    assert.equal(doc.mime, `image/${format}`);
  }
  const tiff = await read(buildTiff([textPixels(['Page one']), textPixels(['Page two']), textPixels(['Page three'])]), 'scan.tiff');
  assert.deepEqual(tiff.ocr, { pages: [1, 2, 3] });
  const icon = await extractBytes({ bytes: textImage(['x'], { width: 60, fontPx: 8 }), name: 'icon.png' });
  assert.equal(problem(icon), 'skipped/no-text');
  const heic = await extractBytes({ bytes: new Uint8Array(64), name: 'IMG_0001.HEIC' });
  assert.equal(problem(heic), 'skipped/unsupported');
});

test('damaged files of each format fail with a reason: cut short, garbage, wrong content', async () => {
  const cases: [string, Uint8Array][] = [
    ['budget.xlsx', real('budget.xlsx').subarray(0, 3000)],
    ['budget.ods', real('budget.ods').subarray(0, 3000)],
    ['budget.xls', real('budget.xls').subarray(0, 1500)],
    ['deck.pptx', real('deck.pptx').subarray(0, 10_000)],
    ['deck.odp', real('deck.odp').subarray(0, 10_000)],
    ['letter.odt', real('letter.odt').subarray(0, 5000)],
    ['letter.epub', real('letter.epub').subarray(0, 1500)],
    ['photo.png', textImage(['cut']).subarray(0, 200)],
    ['scan.tif', buildTiff([textPixels(['x'])]).subarray(0, 20)],
    ['mail.msg', buildMsg({ subject: 's', body: 'b', senderName: 'n', senderEmail: 'e@x', to: [] }).subarray(0, 700)],
    ['notes.ipynb', new TextEncoder().encode('{"cells": [')],
    ['garbage.xlsx', new TextEncoder().encode('this is not a workbook')],
    ['garbage.pptx', new TextEncoder().encode('this is not a deck')],
    ['garbage.epub', new Uint8Array(2000).fill(7)],
  ];
  for (const [name, bytes] of cases) {
    const result = await extractBytes({ bytes, name });
    assert.ok(!result.ok && result.status === 'failed' && result.code === 'damaged', `${name}: ${JSON.stringify(result).slice(0, 200)}`);
    assert.ok(result.reason.length > 10, name);
  }
  const rtf = await extractBytes({ bytes: new TextEncoder().encode('not rtf at all'), name: 'x.rtf' });
  assert.equal(problem(rtf), 'failed/damaged');
});

test('a file with the wrong extension is read as what it is', async () => {
  const docx = await read(buildDocx([{ heading: 1, text: 'Minutes' }, { paragraph: 'Decided to repaint the pier.' }]), 'minutes.xlsx');
  assert.equal(docx.title, 'Minutes');
  const image = await read(textImage(['Scanned']), 'scan.pdf');
  assert.deepEqual(image.ocr, { pages: [1] });
  const workbook = await read(real('budget.xlsx'), 'budget.pptx');
  assert.equal(workbook.title, 'Quarterly revenue 2025');
});

test('zip bombs are refused before they fill memory', async () => {
  for (const [name, entry] of [['bomb.xlsx', 'xl/workbook.xml'], ['bomb.pptx', 'ppt/presentation.xml'], ['bomb.odt', 'content.xml'], ['bomb.epub', 'META-INF/container.xml']]) {
    const bytes = zipBomb(entry!, 300);
    assert.ok(bytes.byteLength < 1024 * 1024, 'the bomb is small');
    const result = await extractBytes({ bytes, name: name! });
    assert.equal(problem(result), 'skipped/too-large', `${name}: ${JSON.stringify(result)}`);
    assert.match(!result.ok ? result.reason : '', /zip bomb/);
  }
});
