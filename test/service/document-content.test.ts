// What the source viewer reads through the contract: a document's text as indexed with its chunks
// at their stored offsets (PDF pages, an email's headers and attachments, a long text in part),
// and an original PDF's bytes by document id only: never a file that is not an indexed PDF the
// user added, never one whose link now leads outside, and a removed document said plainly.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CairnError } from '../../app/contract/index.ts';
import { MAX_DOCUMENT_TEXT, type DocumentSummary, type DocumentText } from '../../app/contract/api.ts';
import { documentText as joinedSections } from '../../app/chunk/index.ts';
import { extractBytes } from '../../app/extract/index.ts';
import { ModelManager } from '../../app/llm/index.ts';
import { paragraph, tempDir } from '../support/corpus.ts';
import { multipartMessage } from '../fixtures/mail.ts';
import { buildPdf } from '../fixtures/pdf.ts';
import { scannedPdf } from '../fixtures/scan.ts';
import { ocrBoxes } from '../../app/contract/pdf-text.ts';
import { connectService, indexingDone, type Connected } from './support.ts';

async function rejects(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CairnError, `a CairnError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** Every chunk of the answer lies in its text at its offsets. */
function assertChunksInPlace(content: DocumentText, texts: Map<number, string>): void {
  for (const chunk of content.chunks) {
    const expected = texts.get(chunk.id);
    assert.ok(expected !== undefined, `chunk ${chunk.id} is the document's`);
    assert.equal(content.text.slice(chunk.start - content.offset, chunk.end - content.offset), expected, `chunk ${chunk.ordinal} at its offsets`);
  }
}

const REPORT = buildPdf({
  title: 'Quarterly report',
  pages: [
    ['Revenue grew by twelve percent.', 'Costs stayed flat over the quarter.'],
    [],
    ['Appendix: the kayak rental figures', 'were counted by hand in October.'],
  ],
});
const ATTACHED = buildPdf({ pages: [['The signed offer for the harbour lease.']] });

describe('documents.text and documents.file', { timeout: 120_000 }, () => {
  let c: Connected;
  let dir: string;
  let outside: string;
  const byTitle = new Map<string, DocumentSummary>();

  before(async () => {
    dir = tempDir();
    outside = tempDir();
    mkdirSync(join(dir, 'docs'));
    mkdirSync(join(dir, 'mail'));
    writeFileSync(join(dir, 'docs', 'report.pdf'), REPORT);
    writeFileSync(join(dir, 'docs', 'notes.md'), `# Notes\n\nFirst paragraph about kayaks.\n\nSecond paragraph about canoes.\n`);
    // Longer than what documents.text gives at once.
    writeFileSync(join(dir, 'docs', 'long.txt'), Array.from({ length: 1500 }, (_, i) => `Part ${i}. ${paragraph(i, 50)}`).join('\n\n'));
    writeFileSync(join(dir, 'docs', 'scan.pdf'), scannedPdf([{ lines: ['Typed letter about the harbour'] }, { lines: ['The tenant pays rent', 'on the first of each month'] }]));
    writeFileSync(join(dir, 'docs', 'broken.pdf'), '%PDF-1.7 this is not really a PDF');
    writeFileSync(join(outside, 'secret.pdf'), buildPdf({ pages: [['Secret numbers outside the folder.']] }));
    writeFileSync(join(outside, 'other.pdf'), buildPdf({ pages: [['Another file outside.']] }));
    // A link that leads outside is never read; one that stays inside is, until it is changed.
    symlinkSync(join(outside, 'secret.pdf'), join(dir, 'docs', 'leak.pdf'));
    writeFileSync(join(dir, 'docs', 'target.pdf'), buildPdf({ pages: [['Inside target of a link.']] }));
    symlinkSync(join(dir, 'docs', 'target.pdf'), join(dir, 'docs', 'swap.pdf'));
    writeFileSync(
      join(dir, 'mail', 'offer.eml'),
      multipartMessage(
        ['From: Alice Smith <alice@example.com>', 'To: Bob <bob@example.com>', 'Cc: Carol <carol@example.com>', 'Date: Mon, 02 Nov 2026 10:00:00 +0000', 'Subject: The harbour lease'],
        [
          { headers: ['Content-Type: text/plain; charset=utf-8'], body: 'Bob, the signed lease is attached. Please file it.\n\nAlice' },
          { headers: ['Content-Type: application/pdf; name="offer.pdf"', 'Content-Disposition: attachment; filename="offer.pdf"', 'Content-Transfer-Encoding: base64'], body: Buffer.from(ATTACHED).toString('base64') },
          { headers: ['Content-Type: text/plain; name="terms.txt"', 'Content-Disposition: attachment; filename="terms.txt"'], body: 'Rent is due on the first of the month.' },
        ],
      ),
    );
    c = await connectService({ dbPath: join(tempDir(), 'library.db'), embedder: null, chatModel: null, models: new ModelManager({ dir: tempDir() }) });
    await c.client.api.folders.add({ path: dir });
    await c.log.waitFor(indexingDone);
    const list = await c.client.api.documents.list({ limit: 100 });
    for (const doc of list.items) byTitle.set(doc.title, doc);
  });
  after(() => c.close());

  const id = (title: string) => {
    const doc = byTitle.get(title);
    assert.ok(doc, `${title} is in the library (${[...byTitle.keys()].join(', ')})`);
    return doc.id;
  };
  const chunkTexts = async (documentId: number) =>
    new Map((await c.client.api.documents.get({ id: documentId, chunkLimit: 10_000 })).chunkList.map((ch) => [ch.id, ch.text] as const));

  test('a PDF: the text as the reader made it, each page where its chunks say, the cited chunk, and its file', async () => {
    const { api } = c.client;
    const report = id('Quarterly report');
    const texts = await chunkTexts(report);
    const cited = [...texts.keys()].at(-1)!;
    const content = await api.documents.text({ id: report, chunkId: cited });
    // Exactly the reader's text: the pages' sections joined as the chunker joined them.
    const extracted = await extractBytes({ bytes: REPORT, name: 'report.pdf' });
    assert.ok(extracted.ok);
    assert.equal(content.text, joinedSections(extracted.doc.sections));
    assert.equal(content.offset, 0);
    assert.equal(content.length, content.text.length);
    assertChunksInPlace(content, texts);
    assert.deepEqual(content.pageStarts, [
      { page: 1, start: 0 },
      { page: 3, start: extracted.doc.sections[0]!.text.length + 2 },
    ]);
    assert.equal(content.pages, 3);
    assert.equal(content.chunk?.id, cited);
    assert.equal(content.chunk?.text, texts.get(cited));
    assert.equal(content.chunk?.page, 3);
    assert.deepEqual(content.file, { mime: 'application/pdf', size: REPORT.byteLength });
    assert.equal(content.fileNote, null);
    assert.equal(content.email, null);

    // Its bytes, a range at a time, are the file's.
    const head = await api.documents.file({ id: report, offset: 0, length: 8 });
    assert.deepEqual({ size: head.size, mime: head.mime, offset: head.offset }, { size: REPORT.byteLength, mime: 'application/pdf', offset: 0 });
    assert.deepEqual(new Uint8Array(Buffer.from(head.data, 'base64')), REPORT.subarray(0, 8));
    assert.match(Buffer.from(head.data, 'base64').toString('latin1'), /^%PDF-/);
    const pieces: Buffer[] = [];
    for (let offset = 0; offset < REPORT.byteLength; offset += 1000) pieces.push(Buffer.from((await api.documents.file({ id: report, offset, length: 1000 })).data, 'base64'));
    assert.deepEqual(new Uint8Array(Buffer.concat(pieces)), REPORT);
    const past = await api.documents.file({ id: report, offset: REPORT.byteLength + 10 });
    assert.equal(past.data, '');
  });

  test('an email: headers, where the body starts, its attachments; an attachment is text with its email as parent, and no file of its own', async () => {
    const { api } = c.client;
    const email = await api.documents.text({ id: id('The harbour lease') });
    assert.equal(email.document.kind, 'email');
    const { bodyStart, ...headers } = email.email!;
    assert.deepEqual(headers, {
      from: 'Alice Smith <alice@example.com>', to: ['Bob <bob@example.com>'], cc: ['Carol <carol@example.com>'], subject: 'The harbour lease', date: Date.UTC(2026, 10, 2, 10),
    });
    assert.equal(email.text.slice(0, bodyStart), 'Subject: The harbour lease\nFrom: Alice Smith <alice@example.com>\nTo: Bob <bob@example.com>\nCc: Carol <carol@example.com>\n\n');
    assert.equal(email.text.slice(bodyStart), 'Bob, the signed lease is attached. Please file it.\n\nAlice');
    assert.deepEqual(email.children.map((a) => [a.title, a.mime]).sort(), [
      ['offer.pdf', 'application/pdf'],
      ['terms.txt', 'text/plain'],
    ]);
    assert.equal(email.file, null);
    assert.equal(email.fileNote, null);

    const attachment = email.children.find((a) => a.title === 'offer.pdf')!;
    const inside = await api.documents.text({ id: attachment.id });
    assert.deepEqual(inside.parent, { id: email.document.id, title: 'The harbour lease', kind: 'email' });
    assert.equal(inside.text, 'The signed offer for the harbour lease.');
    assert.equal(inside.file, null);
    assert.match(inside.fileNote ?? '', /came inside another document/);
    await rejects(api.documents.file({ id: attachment.id }), 'no-file');
    await rejects(api.documents.file({ id: email.document.id }), 'no-file', /not a PDF/);
  });

  test('a scan: its pages as OCR read them, each line with its box, the chunks at offsets in their page, apart from the text of its own', async () => {
    const { api } = c.client;
    const scan = id('scan.pdf');
    const texts = await chunkTexts(scan);
    const rent = [...texts].find(([, text]) => /rent/i.test(text));
    assert.ok(rent, [...texts.values()].join(' | '));
    const content = await api.documents.text({ id: scan, chunkId: rent[0] });
    assert.equal(content.text, '', 'no text layer of its own');
    assert.deepEqual(content.chunks, []);
    assert.deepEqual(content.ocrPages.map((p) => p.page), [1, 2]);
    const page = content.ocrPages[1]!;
    assert.match(page.text, /tenant pays rent\s+on the first of each month/i);
    assert.ok(page.width! > 0 && page.height! > 0 && page.lines.length === 2, JSON.stringify(page));
    for (const chunk of page.chunks) {
      assert.equal(chunk.ocr, true);
      assert.equal(page.text.slice(chunk.start, chunk.end), texts.get(chunk.id));
    }
    assert.equal(content.chunk?.ocr, true);
    assert.equal(content.chunk?.page, 2);
    // The passage's lines, by their offsets: both lines of the page, inside its image.
    const boxes = ocrBoxes(page.lines, content.chunk!.start, content.chunk!.end);
    assert.equal(boxes.length, 2);
    for (const [x0, y0, x1, y1] of boxes) assert.ok(x0 >= 0 && y0 >= 0 && x1 <= page.width! && y1 <= page.height! && x1 > x0 && y1 > y0);
    assert.ok(boxes[0]![1] < boxes[1]![1], 'the first line above the second');
    assert.deepEqual(content.file, { mime: 'application/pdf', size: content.document.size });
  });

  test('a long text comes as the part around the cited chunk, every chunk still at its offsets', async () => {
    const { api } = c.client;
    const long = id('long.txt');
    const texts = await chunkTexts(long);
    const ids = [...texts.keys()];
    const middle = ids[Math.floor(ids.length / 2)]!;
    const content = await api.documents.text({ id: long, chunkId: middle });
    assert.ok(content.length > MAX_DOCUMENT_TEXT, `${content.length} characters in all`);
    assert.ok(content.text.length <= MAX_DOCUMENT_TEXT && content.text.length > MAX_DOCUMENT_TEXT * 0.9, `${content.text.length} shown`);
    assert.ok(content.offset > 0 && content.offset + content.text.length < content.length);
    assert.ok(content.chunks.some((ch) => ch.id === middle));
    assertChunksInPlace(content, texts);
    // Without a chunk: the start of it.
    const start = await api.documents.text({ id: long });
    assert.equal(start.offset, 0);
    assert.equal(start.chunk, null);
    assert.ok(start.text.startsWith('Part 0. '));
  });

  test('a chunk of another document, or one gone since, is not passed off as this one', async () => {
    const { api } = c.client;
    const other = [...(await chunkTexts(id('Notes'))).keys()][0]!;
    const content = await api.documents.text({ id: id('Quarterly report'), chunkId: other });
    assert.equal(content.chunk, null);
    assert.equal(content.offset, 0);
  });

  test('only indexed PDFs the user added are read: not other documents, not a link leading outside, not a link changed since', async () => {
    const { api } = c.client;
    await rejects(api.documents.file({ id: id('Notes') }), 'no-file', /not a PDF/);
    await rejects(api.documents.file({ id: 987_654 }), 'not-found', /no longer in the library/);
    await rejects(api.documents.text({ id: 987_654 }), 'not-found');
    assert.ok(!byTitle.has('leak.pdf'), 'the link leading outside was never read');
    const broken = byTitle.get('broken.pdf');
    assert.equal(broken?.status, 'failed');
    await rejects(api.documents.file({ id: broken!.id }), 'no-file', /was not indexed \(PDF file is damaged/);

    // A link inside, indexed, then pointed outside: refused from then on.
    const swap = id('swap.pdf');
    assert.equal((await api.documents.file({ id: swap, length: 5 })).data, Buffer.from('%PDF-').toString('base64'));
    unlinkSync(join(dir, 'docs', 'swap.pdf'));
    symlinkSync(join(outside, 'other.pdf'), join(dir, 'docs', 'swap.pdf'));
    await rejects(api.documents.file({ id: swap }), 'outside', /leads outside/);
    const text = await api.documents.text({ id: swap });
    assert.equal(text.file, null);
    assert.match(text.fileNote ?? '', /leads outside/);
    // Nothing of the outside file was read into the answer.
    assert.ok(!text.text.includes('Another file outside'));
  });

  test('a file deleted from disk, and a document removed from the library, are said plainly', async () => {
    const { api } = c.client;
    const target = id('target.pdf');
    rmSync(join(dir, 'docs', 'target.pdf'));
    await rejects(api.documents.file({ id: target }), 'file-gone', /no longer at/);
    assert.match((await api.documents.text({ id: target })).fileNote ?? '', /no longer at/);
    // Its text is still what was indexed.
    assert.equal((await api.documents.text({ id: target })).text, 'Inside target of a link.');

    const notes = id('Notes');
    await api.library.remove({ path: join(dir, 'docs', 'notes.md') });
    await rejects(api.documents.text({ id: notes }), 'not-found', /no longer in the library/);
    await rejects(api.documents.file({ id: notes }), 'not-found');
    assert.ok(readFileSync(join(dir, 'docs', 'report.pdf')).byteLength > 0);
  });
});
