// Text from documents never reaches the terminal raw: file names, titles, email subjects and
// senders, snippets, problems and answers holding control codes (window title, clear screen,
// colours), bidi overrides and line breaks are shown escaped by `search`, `status` and `ask`,
// while `--json` keeps every string exact.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { LibraryStatus, SearchResponse } from '../../app/contract/index.ts';
import { Library } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';
import { startChatServer, type ChatServer } from '../llm/chat-server.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');

/** The CLI without blocking this process (the test's chat server must keep answering). */
async function cairn(db: string, ...args: string[]) {
  const child = spawn(process.execPath, [main, '--db', db, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Anything a terminal would act on: C0 (but the CLI's own line breaks), DEL, C1, bidi controls, separators. */
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u; // eslint-disable-line no-control-regex

function assertSafe(output: string, what: string): void {
  const found = RAW_CONTROL.exec(output);
  assert.equal(found, null, `${what} printed a raw U+${found?.[0].charCodeAt(0).toString(16).padStart(4, '0')}: ${JSON.stringify(output)}`);
}

const HEADING = 'Quarterly \x1b[31mred\x1b[0m report \u202eevil';
const FILE_NAME = 'notes\x1b]0;owned\x07\nFAKE 2. line.md';
const BROKEN = 'broken\x1b[2J\nFAKE problem.pdf';
const SUBJECT = 'Invoice \x1b]0;pwned\x07 due \u202egnp.exe';
const SENDER = 'Mallory \x1b[2J';

let server: ChatServer;
let db: string;
let dir: string;
let addOutput: string;

before(async () => {
  server = await startChatServer();
  dir = tempDir();
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs', FILE_NAME), `# ${HEADING}\n\nhostilemarker body \x1b]0;pwned\x07 then \x1b[2J cleared \u202eright\x9b31m.\n`);
  writeFileSync(join(dir, 'docs', BROKEN), '%PDF-1.7\nnot really a pdf');
  const encoded = (text: string) => `=?utf-8?B?${Buffer.from(text).toString('base64')}?=`;
  writeFileSync(
    join(dir, 'docs', 'mail.eml'),
    [`From: ${encoded(SENDER)} <mallory@example.com>`, 'To: bob@example.com', 'Date: Mon, 02 Nov 2026 10:00:00 +0000', `Subject: ${encoded(SUBJECT)}`,
      'Content-Type: text/plain; charset=utf-8', '', 'hostilemarker in the mail too.', ''].join('\r\n'),
  );
  db = join(tempDir(), 'library.db');
  const add = await cairn(db, 'add', join(dir, 'docs'));
  assert.equal(add.code, 0, add.stderr);
  addOutput = add.stdout + add.stderr;
});

after(async () => {
  await server.close();
});

test('search shows hostile titles, file names, subjects, senders and snippets escaped; --json keeps them exact', async () => {
  const json = await cairn(db, 'search', 'hostilemarker', '--json');
  assert.equal(json.code, 0, json.stderr);
  const { hits } = JSON.parse(json.stdout) as SearchResponse;
  const file = hits.find((h) => h.kind === 'file')!;
  const mail = hits.find((h) => h.kind === 'email')!;
  assert.equal(file.title, HEADING);
  assert.equal(file.uri, join(dir, 'docs', FILE_NAME));
  assert.match(file.snippet, /\x1b\]0;pwned\x07/); // eslint-disable-line no-control-regex
  assert.equal(mail.title, SUBJECT);
  assert.equal(mail.from, `${SENDER} <mallory@example.com>`);

  const text = await cairn(db, 'search', 'hostilemarker');
  assert.equal(text.code, 0, text.stderr);
  assertSafe(text.stdout + text.stderr, 'search');
  assert.ok(text.stdout.includes('Quarterly \\x1b[31mred\\x1b[0m report \\u202eevil'), text.stdout);
  assert.ok(text.stdout.includes('notes\\x1b]0;owned\\x07\\nFAKE 2. line.md'), text.stdout);
  assert.ok(text.stdout.includes('Invoice \\x1b]0;pwned\\x07 due \\u202egnp.exe'), text.stdout);
  assert.ok(text.stdout.includes('Mallory \\x1b[2J'), text.stdout);
  assert.ok(text.stdout.includes('\\x1b[2J cleared \\u202eright\\x9b31m'), text.stdout);
  assert.doesNotMatch(text.stdout, /^FAKE/m, 'no line of the output comes from a document');
});

test('add shows the problem with a hostile file name escaped', () => {
  assertSafe(addOutput, 'add');
  assert.ok(addOutput.includes('broken\\x1b[2J\\nFAKE problem.pdf'), addOutput);
});

test('status shows a hostile problem escaped; --json keeps it exact', async () => {
  const json = await cairn(db, 'status', '--json');
  assert.equal(json.code, 0, json.stderr);
  const status = JSON.parse(json.stdout) as LibraryStatus;
  assert.deepEqual(status.problems.map((p) => p.uri), [join(dir, 'docs', BROKEN)]);

  const text = await cairn(db, 'status');
  assert.equal(text.code, 0, text.stderr);
  assertSafe(text.stdout + text.stderr, 'status');
  assert.ok(text.stdout.includes('broken\\x1b[2J\\nFAKE problem.pdf'), text.stdout);
  assert.doesNotMatch(text.stdout, /^FAKE/m);
});

test('ask streams an answer holding control codes escaped, keeps its line breaks, and lists hostile sources escaped', async () => {
  const library = Library.open(db);
  library.settings.set('chat-model', { type: 'openai', baseUrl: server.baseUrl, model: 'echo' });
  library.close();
  // The echo model answers with the prompt it was given: the documents' own text, controls and all.
  const ask = await cairn(db, 'ask', 'hostilemarker');
  assert.equal(ask.code, 0, ask.stderr);
  assertSafe(ask.stdout + ask.stderr, 'ask');
  assert.ok(ask.stdout.includes('\\x1b]0;pwned\\x07'), ask.stdout);
  assert.ok(ask.stdout.split('\n').length > 5, 'the answer keeps its own line breaks');

  const conversation = JSON.parse((await cairn(db, 'conversations', 'show', '1', '--json')).stdout) as { messages: { content: string }[] };
  assert.match(conversation.messages[1]!.content, /\x1b\]0;pwned\x07/, 'the stored answer is exact'); // eslint-disable-line no-control-regex
  const show = await cairn(db, 'conversations', 'show', '1');
  assertSafe(show.stdout + show.stderr, 'conversations show');
});
