import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractBytes, ExtractorPool, type ExtractedDocument } from '../../app/extract/index.ts';
import { encodedWord, message, multipartMessage, nihongoIso2022jp, zhongwenGb2312, type MimePart } from '../fixtures/mail.ts';
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

// Damaged and odd parts: mailparser leaves fields false, undefined or strange; one bad part, or too
// many, must cost only that part.

const plainBody = (text: string): MimePart => ({ headers: ['Content-Type: text/plain; charset=utf-8'], body: text });

test('a part with an empty Content-Type (mailparser: contentType false) costs nothing: the message and its parts are read', async () => {
  const pdf = buildPdf({ pages: [['Itinerary for Svalbard']] });
  const bytes = multipartMessage(['From: Ann <ann@example.com>', 'To: bo@example.com', 'Subject: Holiday photos', 'Date: Tue, 01 Jul 2025 09:30:00 +0200'], [
    plainBody('Photos from the trip to Longyearbyen.'),
    { headers: ['Content-Type: ; name="x.jpg"', 'Content-Transfer-Encoding: base64'], body: Buffer.from('not really a jpeg').toString('base64') },
    { headers: ['Content-Type: application/pdf; name="plan.pdf"', 'Content-Transfer-Encoding: base64'], body: base64Lines(pdf) },
  ]);
  const doc = await email(bytes);
  assert.equal(doc.title, 'Holiday photos');
  assert.equal(doc.from, 'Ann <ann@example.com>');
  assert.match(doc.sections[0]!.text, /Longyearbyen/);
  assert.deepEqual(doc.children.map((c) => [c.key, c.name, c.mime]), [
    ['attachment-1-x.jpg', 'x.jpg', undefined],
    ['attachment-2-plan.pdf', 'plan.pdf', 'application/pdf'],
  ]);
  assert.equal(Buffer.from(doc.children[0]!.bytes).toString(), 'not really a jpeg');
});

test('a message with 1,500 parts is read up to its first 1,000; the rest are counted in a problem of their own', async () => {
  const parts = [
    plainBody('The body of a message with very many parts mentions a narwhal.'),
    ...Array.from({ length: 1499 }, (_, i): MimePart => ({
      headers: ['Content-Type: text/plain', `Content-Disposition: attachment; filename="part-${i + 2}.txt"`],
      body: `text of part ${i + 2}`,
    })),
  ];
  const doc = await email(multipartMessage(['From: bulk@example.com', 'Subject: Many parts', 'Date: Tue, 01 Jul 2025 09:30:00 +0200'], parts));
  assert.equal(doc.title, 'Many parts');
  assert.match(doc.sections[0]!.text, /narwhal/);
  assert.equal(doc.children.length, 1000, '999 attachments (the body is the first part) and the note');
  assert.equal(doc.children[0]!.name, 'part-2.txt');
  assert.equal(Buffer.from(doc.children[0]!.bytes).toString().trim(), 'text of part 2');
  assert.equal(doc.children[998]!.name, 'part-1000.txt');
  const note = doc.children[999]!;
  assert.equal(note.key, 'parts-left-out');
  assert.equal(note.bytes.byteLength, 0);
  const reason = 'Email has 1,500 parts: the 500 after the first 1,000 were not read';
  assert.deepEqual(note.problem, { status: 'skipped', code: 'too-large', reason });

  // The note comes out of the pool as a problem with its reason, like any child that cannot be read.
  const pool = new ExtractorPool();
  try {
    const result = await pool.extractChild(note);
    assert.deepEqual(result, { ok: false, status: 'skipped', code: 'too-large', reason, hash: null, size: 0 });
  } finally {
    await pool.close();
  }
});

test('odd attachment file names become safe names: missing, empty, only a path, control characters, very long', async () => {
  const attachment = (filename: string | null, type = 'text/plain'): MimePart => ({
    headers: [`Content-Type: ${type}`, filename === null ? 'Content-Disposition: attachment' : `Content-Disposition: attachment; filename="${filename}"`],
    body: 'content',
  });
  const long = `${'a'.repeat(5000)}.txt`;
  const bytes = multipartMessage(['From: a@example.com', 'Subject: names'], [
    plainBody('see the attachments'),
    attachment(null, 'application/pdf'),
    attachment(''),
    attachment('../../etc/'),
    attachment(['C:', 'Users', 'me', 'report.txt'].join('\\\\')), // quoted-pairs: the name is C:\Users\me\report.txt
    { headers: ['Content-Type: text/plain', `Content-Disposition: attachment; filename="${encodedWord('utf-8', Buffer.from('evil\x1b[31mred\x07.txt'))}"`], body: 'content' },
    attachment(long),
    attachment('..'),
    attachment('   '),
  ]);
  const doc = await email(bytes);
  const names = doc.children.map((c) => c.name);
  assert.deepEqual(names.slice(0, 5), ['attachment-1.pdf', 'attachment-2.txt', 'attachment-3.txt', 'report.txt', 'evil[31mred.txt']);
  assert.equal(names[5]!.length, 200);
  assert.match(names[5]!, /^a+\.txt$/);
  assert.deepEqual(names.slice(6), ['attachment-7.txt', 'attachment-8.txt']);
  for (const child of doc.children) assert.ok(child.key.length <= 100 && !/[/\\]/.test(child.key), child.key);
});

test('without a valid Date header the first Received header with a date gives the date; without either there is none', async () => {
  const received = (date: string) => [`Received: from mx.example.com (mx.example.com [192.0.2.1])`, `\tby mail.example.org with ESMTPS id 42;`, `\t${date}`];
  const noDate = await email(message([
    'From: a@example.com', 'Subject: no date',
    ...received('Mon, 3 Mar 1997 10:00:00 -0800 (PST)'),
    ...received('Sun, 2 Mar 1997 09:00:00 +0000'),
    '', 'body', '',
  ].join('\n')));
  assert.equal(noDate.date, Date.parse('1997-03-03T18:00:00Z'), 'the topmost Received header: when the message arrived');
  assert.equal(noDate.metadata.date, '1997-03-03T18:00:00.000Z');

  const badDate = await email(message([
    'From: a@example.com', 'Subject: bad date', 'Date: 31/02/97 sometime',
    'Received: by relay.example.com; yesterday around noon',
    ...received('Sun, 2 Mar 1997 09:00:00 +0000'),
    '', 'body', '',
  ].join('\n')));
  assert.equal(badDate.date, Date.parse('1997-03-02T09:00:00Z'), 'a Received header without a readable date is passed over');

  const undated = await email(message('From: a@example.com\nSubject: undated\nDate: garbage\n\nbody\n'));
  assert.equal(undated.date, undefined);
  assert.equal(undated.metadata.date, undefined);
});

test('address headers that are groups, empty groups, garbage or repeated are read without losing the message', async () => {
  const doc = await email(message([
    'From: <<<>>>',
    'To: Team: alice@example.com, Bob <bob@example.com>;',
    'To: ;;;,,,',
    'To: carol@example.com',
    'Cc: undisclosed-recipients:;',
    'Bcc: "" <>',
    'Reply-To: @',
    'Subject: first subject',
    'Subject: second subject',
    'Message-ID: <one@example.com>',
    'Message-ID: <two@example.com>',
    'In-Reply-To: <parent@example.com>',
    'In-Reply-To: <other@example.com>',
    'References: <root@example.com>',
    'References: <middle@example.com> <parent@example.com>',
    '', 'the body survives', '',
  ].join('\n')));
  assert.equal(doc.title, 'first subject');
  assert.deepEqual(doc.to, ['alice@example.com', 'Bob <bob@example.com>', 'carol@example.com']);
  assert.deepEqual(doc.cc, []);
  assert.match(doc.sections[0]!.text, /the body survives/);
  assert.equal(doc.metadata.messageId, '<one@example.com>');
  assert.equal(doc.metadata.inReplyTo, '<parent@example.com>');
  assert.deepEqual(doc.metadata.references, ['<root@example.com>', '<middle@example.com>', '<parent@example.com>']);
  for (const value of [doc.from, ...doc.to!, ...doc.cc!]) assert.ok(value === undefined || (typeof value === 'string' && value.length > 0));
});
