import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractBytes } from '../../app/extract/index.ts';
import { splitMbox } from '../../app/extract/mbox-reader.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const asText = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

test('an mbox splits into messages that become message/rfc822 children', async () => {
  const mbox = [
    'From alice@example.com Mon Jan  1 10:00:00 2024',
    'From: alice@example.com',
    'Subject: First',
    '',
    'Hello.',
    '>From the archives: escaped once.',
    '>>From quoted twice.',
    '',
    'From bob@example.com Tue Jan  2 11:00:00 2024',
    'From: bob@example.com',
    'Subject: Second — ünïcödé',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'From Russia with love (a body line, not a separator)',
    '',
    'From - Wed Jan  3 12:00:00 2024',
    'From: carol@example.com',
    'Subject: Third',
    '',
    'Bye.',
    '',
  ].join('\n');
  const result = await extractBytes({ bytes: utf8(mbox), name: 'Archive.mbox' });
  assert.ok(result.ok, result.ok ? '' : result.reason);
  const { doc } = result;
  assert.equal(doc.kind, 'file');
  assert.equal(doc.title, 'Archive.mbox');
  assert.equal(doc.metadata.messages, 3);
  assert.deepEqual(doc.sections, [{ text: 'Mailbox Archive.mbox: 3 messages', headingPath: [] }]);
  assert.deepEqual(doc.children.map((c) => [c.key, c.name, c.mime]), [
    ['message-1', 'message-1.eml', 'message/rfc822'],
    ['message-2', 'message-2.eml', 'message/rfc822'],
    ['message-3', 'message-3.eml', 'message/rfc822'],
  ]);
  assert.equal(asText(doc.children[0]!.bytes), 'From: alice@example.com\nSubject: First\n\nHello.\nFrom the archives: escaped once.\n>From quoted twice.\n');
  assert.match(asText(doc.children[1]!.bytes), /\n\nFrom Russia with love \(a body line, not a separator\)\n$/);

  const second = await extractBytes(doc.children[1]!);
  assert.ok(second.ok && second.doc.kind === 'email');
  assert.equal(second.doc.title, 'Second — ünïcödé');
});

test('Content-Length headers delimit messages (no unquoting) when they land on a postmark', () => {
  const body1 = 'line one\n\nFrom inside the body, unescaped\n>From stays as written\n';
  const mbox =
    `From - Mon Jan  1 10:00:00 2024\nSubject: A\nContent-Length: ${Buffer.byteLength(body1)}\n\n${body1}\n` +
    'From - Mon Jan  1 10:05:00 2024\nSubject: B\nContent-Length: 5\n\nshort\n';
  const messages = splitMbox(utf8(mbox)).map(asText);
  assert.equal(messages.length, 2);
  assert.equal(messages[0], `Subject: A\nContent-Length: ${Buffer.byteLength(body1)}\n\n${body1}`);
  assert.equal(messages[1], 'Subject: B\nContent-Length: 5\n\nshort');
});

test('a wrong Content-Length is ignored in favour of the postmark', () => {
  const mbox = 'From - Mon Jan  1 10:00:00 2024\nSubject: A\nContent-Length: 9999\n\nbody\n\nFrom - Mon Jan  1 10:05:00 2024\nSubject: B\n\nb\n';
  assert.deepEqual(splitMbox(utf8(mbox)).map(asText), ['Subject: A\nContent-Length: 9999\n\nbody\n', 'Subject: B\n\nb\n']);
});

test('an .mbox without any postmark is one message; an empty mailbox is skipped', async () => {
  assert.equal(splitMbox(utf8('Subject: lone\n\nbody\n')).length, 1);
  const empty = await extractBytes({ bytes: utf8('\n\n'), name: 'empty.mbox' });
  assert.ok(!empty.ok && empty.code === 'empty');
});
