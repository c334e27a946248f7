// `cairn mail` end to end against a real Dovecot: add (password on stdin, connection tested
// first), list, sync, search with the folder filter, sync --watch until Ctrl-C, remove. The
// password goes to the 0600 secrets file (CAIRN_SECRETS=file), never into the library.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../app/engine.ts';
import { MailService } from '../../app/sources/mail-service.ts';
import { FileSecretStore } from '../../app/sources/secrets.ts';
import { tempDir } from '../support/corpus.ts';
import { IndexChild } from '../support/index-child.ts';
import { Dovecot, requireDovecot, testMessage } from '../support/dovecot.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');
const PASSWORD = 'cli-secret-pw';
const env = { ...process.env, CAIRN_SECRETS: 'file' };

function cairn(db: string, args: string[], input?: string) {
  const run = spawnSync(process.execPath, [main, '--db', db, ...args], { encoding: 'utf8', timeout: 60_000, input: input ?? '', env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('cairn mail add, list, sync, search --folder, sync --watch, remove', async (t) => {
  const binary = requireDovecot(t);
  if (!binary) return;
  const server = await Dovecot.start(binary, [{ user: 'alice', password: PASSWORD }]);
  t.after(() => server.stop());
  const db = join(tempDir(), 'library.db');
  server.deliver(testMessage({ subject: 'Invoice March', body: 'the invoice for the lighthouse repairs', from: 'Ops <ops@example.com>' }));
  server.deliver(testMessage({ subject: 'Sent note', body: 'lighthouse visit planned', from: 'Alice <alice@example.com>' }), 'Sent');

  const wrong = cairn(db, ['mail', 'add', '--host', '127.0.0.1', '--port', String(server.port), '--user', 'alice', '--plain', '--password-stdin'], 'nope\n');
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /refused the login for alice/);

  const add = cairn(db, ['mail', 'add', '--host', '127.0.0.1', '--port', String(server.port), '--user', 'alice', '--plain', '--password-stdin'], `${PASSWORD}\n`);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /Added 1 {2}alice@127\.0\.0\.1:\d+ \(plain\) {2}folders: INBOX, Sent/);
  const secrets = join(dirname(db), 'secrets.json');
  assert.ok(existsSync(secrets));
  if (process.platform !== 'win32') assert.equal(statSync(secrets).mode & 0o777, 0o600);
  assert.match(add.stderr, /no system keychain found/);

  const sync = cairn(db, ['mail', 'sync']);
  assert.equal(sync.code, 0, sync.stderr);
  assert.match(sync.stderr, /Mail: 2 new, 0 removed/);
  const list = JSON.parse(cairn(db, ['mail', 'list', '--json']).stdout) as { messages: number; state: { state: string } }[];
  assert.equal(list[0]!.messages, 2);
  assert.equal(list[0]!.state.state, 'idle');

  const inSent = JSON.parse(cairn(db, ['search', 'lighthouse', '--mode', 'bm25', '--folder', 'Sent', '--json']).stdout) as { hits: { title: string }[] };
  assert.deepEqual(inSent.hits.map((h) => h.title), ['Sent note']);
  const fromOps = JSON.parse(cairn(db, ['search', 'lighthouse', '--mode', 'bm25', '--from', 'ops@', '--json']).stdout) as { hits: { title: string }[] };
  assert.deepEqual(fromOps.hits.map((h) => h.title), ['Invoice March']);

  // --watch: stays in IDLE; a delivered message is indexed; Ctrl-C stops it cleanly.
  const watcher = spawn(process.execPath, [main, '--db', db, 'mail', 'sync', '--watch'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((r) => watcher.once('exit', (code) => r(code)));
  const seen = (pattern: RegExp) => new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${stderr}`)), 30_000);
    const check = () => {
      if (!pattern.test(stderr)) return;
      clearTimeout(timer);
      watcher.stderr.off('data', check);
      resolvePromise();
    };
    watcher.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      check();
    });
    check();
  });
  try {
    await seen(/INBOX: watching/);
    server.deliver(testMessage({ subject: 'Live one', body: 'a kingfisher was seen' }));
    await seen(/INBOX: syncing 1 of 1/);
    const deadline = Date.now() + 20_000;
    let titles: string[] = [];
    while (Date.now() < deadline) {
      titles = (JSON.parse(cairn(db, ['search', 'kingfisher', '--mode', 'bm25', '--json']).stdout) as { hits: { title: string }[] }).hits.map((h) => h.title);
      if (titles.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(titles, ['Live one']);
  } finally {
    watcher.kill('SIGINT');
  }
  assert.equal(await exited, 0, stderr);

  const remove = cairn(db, ['mail', 'remove', 'alice@127.0.0.1']);
  assert.equal(remove.code, 0, remove.stderr);
  assert.match(remove.stdout, /Removed alice@127\.0\.0\.1 and its 3 messages/);
  assert.equal(JSON.parse(cairn(db, ['search', 'lighthouse', '--mode', 'bm25', '--json']).stdout).hits.length, 0);
  assert.equal(readFileSync(secrets, 'utf8').includes(PASSWORD), false, 'the secret left with the account');
  assert.equal(readFileSync(db).includes(PASSWORD), false);
});

test('a `cairn mail sync` killed while indexing leaves its queue, and the next `cairn mail sync` finishes it first', async (t) => {
  const binary = requireDovecot(t);
  if (!binary) return;
  const server = await Dovecot.start(binary, [{ user: 'alice', password: PASSWORD }]);
  t.after(() => server.stop());
  const db = join(tempDir(), 'library.db');
  const messages = 30;
  for (let i = 1; i <= messages; i++) server.deliver(testMessage({ subject: `Queued ${i}`, body: `the pelican number${i}` }));
  const add = cairn(db, ['mail', 'add', '--host', '127.0.0.1', '--port', String(server.port), '--user', 'alice', '--plain', '--password-stdin', '--folder', 'INBOX'], `${PASSWORD}\n`);
  assert.equal(add.code, 0, add.stderr);

  // The messages are fetched into the queue...
  const engine = await Engine.open({ dbPath: db, embedder: null });
  const fetchOnly = new MailService({ library: engine.library, secrets: new FileSecretStore(join(dirname(db), 'secrets.json')), index: async () => {} });
  assert.equal((await fetchOnly.sync()).added, messages);
  await engine.close();
  // ...and the process indexing them is killed part of the way through.
  const child = new IndexChild(db, 'index', { delayMs: 0, pauseAfter: 2 });
  t.after(() => child.kill());
  await child.until('the first batch is written', () => child.lines.includes('paused'));
  child.kill();
  assert.equal((await child.exited).code, null);
  const before = JSON.parse(cairn(db, ['mail', 'list', '--json']).stdout) as { messages: number; pending: number }[];
  assert.ok(before[0]!.pending > 0 && before[0]!.messages < messages, `killed part of the way: ${JSON.stringify(before)}`);

  const sync = cairn(db, ['mail', 'sync']);
  assert.equal(sync.code, 0, sync.stderr);
  assert.match(sync.stderr, /Mail: 0 new, 0 removed/);
  const after = JSON.parse(cairn(db, ['mail', 'list', '--json']).stdout) as { messages: number; pending: number }[];
  assert.deepEqual(after.map((a) => [a.messages, a.pending]), [[messages, 0]]);
});
