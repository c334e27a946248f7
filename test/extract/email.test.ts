import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractBytes, type ExtractedDocument } from '../../app/extract/index.ts';
import { encodedWord, message, nihongoIso2022jp, zhongwenGb2312 } from '../fixtures/mail.ts';
import { buildPdf } from '../fixtures/pdf.ts';

async function email(bytes: Uint8Array, name = 'message.eml'): Promise<ExtractedDocument> {
  const result = await extractBytes({ bytes, name });
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.equal(result.doc.kind, 'email');
  return result.doc;
}

const base64Lines = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/.{76}/g, '$&\n');

test('headers become metadata and filter fields; attachments and embedded messages become children', async () => {
  const pdf = buildPdf({ pages: [['Invoice 42']] });
  const embedded = 'From: Carol <carol@example.com>\nTo: Alice <alice@example.com>\nSubject: Original question\n\nWhat was the budget?\n';
  const bytes = message(
    'From: "Alice Example" <alice@example.com>\n',
    'To: Bob <bob@example.com>, carol@example.com\n',
    'Cc: Dan <dan@example.com>\n',
    'Subject: Budget for Q3\n',
    'Date: Tue, 01 Jul 2025 09:30:00 +0200\n',
    'Message-ID: <m2@example.com>\n',
    'In-Reply-To: <m1@example.com>\n',
    'References: <m0@example.com> <m1@example.com>\n',
    'MIME-Version: 1.0\n',
    'Content-Type: multipart/mixed; boundary="outer"\n',
    '\n',
    '--outer\n',
    'Content-Type: text/plain; charset=utf-8\n',
    '\n',
    'Hi Bob,\nthe budget is attached.\n',
    '--outer\n',
    'Content-Type: application/pdf; name="invoice 42.pdf"\n',
    'Content-Disposition: attachment; filename="invoice 42.pdf"\n',
    'Content-Transfer-Encoding: base64\n',
    '\n',
    base64Lines(pdf), '\n',
    '--outer\n',
    'Content-Type: message/rfc822\n',
    'Content-Disposition: attachment\n',
    '\n',
    embedded,
    '--outer--\n',
  );
  const doc = await email(bytes);
  assert.equal(doc.title, 'Budget for Q3');
  assert.equal(doc.mime, 'message/rfc822');
  assert.equal(doc.from, 'Alice Example <alice@example.com>');
  assert.deepEqual(doc.to, ['Bob <bob@example.com>', 'carol@example.com']);
  assert.deepEqual(doc.cc, ['Dan <dan@example.com>']);
  assert.equal(doc.date, Date.parse('2025-07-01T07:30:00Z'));
  assert.deepEqual(doc.metadata, {
    subject: 'Budget for Q3',
    from: 'Alice Example <alice@example.com>',
    to: ['Bob <bob@example.com>', 'carol@example.com'],
    cc: ['Dan <dan@example.com>'],
    date: '2025-07-01T07:30:00.000Z',
    messageId: '<m2@example.com>',
    inReplyTo: '<m1@example.com>',
    references: ['<m0@example.com>', '<m1@example.com>'],
  });
  assert.equal(doc.sections.length, 1);
  assert.equal(doc.sections[0]!.text, [
    'Subject: Budget for Q3',
    'From: Alice Example <alice@example.com>',
    'To: Bob <bob@example.com>, carol@example.com',
    'Cc: Dan <dan@example.com>',
    '',
    'Hi Bob,\nthe budget is attached.',
  ].join('\n'));

  assert.equal(doc.children.length, 2);
  const [attachment, forwarded] = doc.children;
  assert.equal(attachment!.key, 'attachment-1-invoice_42.pdf');
  assert.equal(attachment!.name, 'invoice 42.pdf');
  assert.equal(attachment!.mime, 'application/pdf');
  assert.deepEqual(Buffer.from(attachment!.bytes), Buffer.from(pdf));
  assert.equal(forwarded!.name, 'attachment-2.eml');
  assert.equal(forwarded!.mime, 'message/rfc822');
  assert.match(Buffer.from(forwarded!.bytes).toString(), /Subject: Original question[\s\S]*What was the budget\?/);

  // The children are extractable in their turn.
  const child = await extractBytes(forwarded!);
  assert.ok(child.ok && child.doc.kind === 'email' && child.doc.title === 'Original question');
  const invoice = await extractBytes(attachment!);
  assert.ok(invoice.ok && invoice.doc.sections[0]!.text === 'Invoice 42');
});

test('ISO-2022-JP subject and body decode to Japanese', async () => {
  const bytes = message(
    'From: Taro <taro@example.jp>\n',
    'To: hanako@example.jp\n',
    `Subject: ${encodedWord('ISO-2022-JP', nihongoIso2022jp)} memo\n`,
    'MIME-Version: 1.0\n',
    'Content-Type: text/plain; charset=ISO-2022-JP\n',
    'Content-Transfer-Encoding: 7bit\n',
    '\n',
    'Body: ', nihongoIso2022jp, '\n',
  );
  const doc = await email(bytes);
  assert.equal(doc.title, '日本語 memo');
  assert.match(doc.sections[0]!.text, /\n\nBody: 日本語$/);
});

test('GB2312 headers and body decode to Chinese', async () => {
  const bytes = message(
    `From: ${encodedWord('GB2312', zhongwenGb2312)} <zh@example.cn>\n`,
    'To: li@example.cn\n',
    `Subject: ${encodedWord('GB2312', zhongwenGb2312)}\n`,
    'MIME-Version: 1.0\n',
    'Content-Type: text/plain; charset=GB2312\n',
    'Content-Transfer-Encoding: 8bit\n',
    '\n',
    zhongwenGb2312, ' ', zhongwenGb2312, '\n',
  );
  const doc = await email(bytes);
  assert.equal(doc.title, '中文');
  assert.equal(doc.from, '中文 <zh@example.cn>');
  assert.match(doc.sections[0]!.text, /中文 中文$/);
});

test('an HTML-only body is read as text; images shown inline are not children', async () => {
  const bytes = message(
    'From: news@example.com\nTo: me@example.com\nSubject: Newsletter\nMIME-Version: 1.0\n',
    'Content-Type: multipart/related; boundary="rel"\n\n',
    '--rel\nContent-Type: text/html; charset=utf-8\n\n',
    '<html><head><style>p{color:red}</style></head><body><h1>News</h1><p>Big <b>release</b> today.</p><img src="cid:logo@x"></body></html>\n',
    '--rel\nContent-Type: image/png\nContent-ID: <logo@x>\nContent-Transfer-Encoding: base64\n\n',
    'iVBORw0KGgo=\n',
    '--rel--\n',
  );
  const doc = await email(bytes);
  const text = doc.sections[0]!.text;
  assert.match(text, /News/);
  assert.match(text, /Big release today\./i);
  assert.doesNotMatch(text, /<|color:red/);
  assert.deepEqual(doc.children, []);
});

test('a message with no body or subject is still a document, found by its headers', async () => {
  const doc = await email(message('From: a@example.com\nTo: b@example.com\nDate: not a date at all\n\n'));
  assert.equal(doc.title, '(no subject)');
  assert.deepEqual(doc.sections, [{ text: 'From: a@example.com\nTo: b@example.com', headingPath: [] }]);
  assert.equal(doc.date, undefined, 'an unparseable Date header gives no date (not "now")');
  assert.equal(doc.metadata.date, undefined);
});

test('an attachment without a file name gets one from its content type', async () => {
  const bytes = message(
    'From: a@example.com\nSubject: csv\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n',
    '--b\nContent-Type: text/plain\n\nsee attached\n',
    '--b\nContent-Type: text/csv\nContent-Disposition: attachment\n\na,b\n1,2\n',
    '--b--\n',
  );
  const doc = await email(bytes);
  assert.equal(doc.children.length, 1);
  assert.equal(doc.children[0]!.name, 'attachment-1.csv');
  assert.equal(doc.children[0]!.key, 'attachment-1-attachment-1.csv');
  assert.equal(Buffer.from(doc.children[0]!.bytes).toString().replace(/\r\n/g, '\n').trim(), 'a,b\n1,2');
});
