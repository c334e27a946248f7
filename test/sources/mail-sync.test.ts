// IMAP sync against a real Dovecot on 127.0.0.1: first sync, incremental sync, expunge and move,
// UIDVALIDITY change, attachments as children, folder/sender/recipient/date filters, and the
// database never holding the password.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ImapFlow } from 'imapflow';
import type { SourceStateEvent } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { ExtractorPool, type ChildInput } from '../../app/extract/index.ts';
import { Ingestor } from '../../app/index/index.ts';
import { MailService } from '../../app/sources/mail-service.ts';
import { MemorySecretStore } from '../../app/sources/secrets.ts';
import { tempDir } from '../support/corpus.ts';
import { Dovecot, requireDovecot, testMessage } from '../support/dovecot.ts';

const PASSWORD = 'secret-pw-1';

async function setup(t: TestContext) {
  const binary = requireDovecot(t);
  if (!binary) return null;
  const server = await Dovecot.start(binary, [{ user: 'alice', password: PASSWORD }]);
  const dbPath = join(tempDir(), 'library.db');
  const engine = await Engine.open({ dbPath, embedder: null });
  const events: SourceStateEvent[] = [];
  const mail = new MailService({ library: engine.library, secrets: new MemorySecretStore(), index: () => engine.index(), emit: (e) => events.push(e), batchSize: 7 });
  t.after(async () => {
    await engine.close();
    await server.stop();
  });
  return { server, engine, mail, events, dbPath };
}

async function admin(server: Dovecot): Promise<ImapFlow> {
  const client = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, doSTARTTLS: false, auth: { user: 'alice', pass: PASSWORD }, logger: false });
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function titles(engine: Engine, query: string, filters = {}): Promise<string[]> {
  const { hits } = await engine.search({ query, mode: 'bm25', k: 100, filters });
  return [...new Set(hits.map((h) => h.title))].sort();
}

function topLevelEmails(engine: Engine): { uri: string; title: string; metadata: string; path: string }[] {
  return engine.library.db.prepare(`SELECT uri, title, metadata, path FROM documents WHERE kind = 'email' AND parent_id IS NULL ORDER BY uri`).all() as never;
}

test('first sync indexes INBOX and Sent newest first with progress; the database never holds the password', async (t) => {
  const env = await setup(t);
  if (!env) return;
  const { server, engine, mail, events, dbPath } = env;
  for (let i = 1; i <= 20; i++) {
    server.deliver(testMessage({ subject: `Inbox note ${i}`, body: `quarterly budget item${i} with zebra`, date: new Date(Date.UTC(2024, 0, i)) }));
  }
  server.deliver(testMessage({ subject: 'Sent reply', body: 'sending the giraffe report', from: 'Alice <alice@example.com>', to: 'Carol <carol@example.org>' }), 'Sent');
  server.deliver(testMessage({ subject: 'Archived thing', body: 'archived walrus' }), 'Archive');

  const account = await mail.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'alice', secret: PASSWORD });
  assert.deepEqual(account.folders, ['INBOX', 'Sent'], 'INBOX and the \\Sent folder by default');
  const summary = await mail.sync();
  assert.equal(summary.added, 21);

  assert.equal((await titles(engine, 'zebra')).length, 20);
  assert.deepEqual(await titles(engine, 'giraffe'), ['Sent reply']);
  assert.deepEqual(await titles(engine, 'walrus'), [], 'Archive is not synced');

  const syncing = events.filter((e) => e.state.state === 'syncing' && e.folder === 'INBOX');
  assert.equal(syncing.at(-1)?.state.done, 20);
  assert.equal(syncing.at(-1)?.state.total, 20);
  assert.ok(syncing.length >= 3, 'progress per batch of 7');

  // Newest first: the highest UID was queued (and so indexed) first.
  const order = engine.library.db.prepare(`SELECT uri FROM documents WHERE parent_id IS NULL AND path LIKE '%/INBOX' ORDER BY id`).pluck().all() as string[];
  const uids = order.map((u) => Number(u.split(';UID=')[1]));
  assert.deepEqual(uids, [...uids].sort((a, b) => b - a));

  const doc = topLevelEmails(engine).find((d) => d.title === 'Sent reply')!;
  assert.match(doc.uri, /^imap:\/\/alice@127\.0\.0\.1:\d+\/Sent;UIDVALIDITY=\d+\/;UID=1$/);
  const metadata = JSON.parse(doc.metadata) as Record<string, unknown>;
  assert.equal(metadata.folder, 'Sent');
  assert.equal(metadata.from, 'Alice <alice@example.com>');
  assert.deepEqual(metadata.to, ['Carol <carol@example.org>']);
  assert.ok(typeof metadata.messageId === 'string' && typeof metadata.thread === 'string');

  assert.equal(mail.list()[0]!.messages, 21);
  assert.equal(mail.list()[0]!.state.state, 'idle');

  await engine.close();
  const bytes = readFileSync(dbPath);
  const wal = (() => { try { return readFileSync(dbPath + '-wal'); } catch { return Buffer.alloc(0); } })();
  assert.equal(bytes.includes(PASSWORD), false, 'password not in the database file');
  assert.equal(wal.includes(PASSWORD), false, 'password not in the write-ahead log');
});

test('incremental sync fetches only new UIDs; expunged and moved messages leave or move; filters by folder, sender, recipient, date', async (t) => {
  const env = await setup(t);
  if (!env) return;
  const { server, engine, mail } = env;
  server.deliver(testMessage({ subject: 'Alpha', body: 'pelican alpha', from: 'Dana <dana@example.net>', date: new Date('2023-03-01T00:00:00Z') }));
  server.deliver(testMessage({ subject: 'Beta', body: 'pelican beta', to: 'Erin <erin@example.com>', date: new Date('2024-06-01T00:00:00Z') }));
  server.deliver(testMessage({ subject: 'Gamma', body: 'pelican gamma', date: new Date('2024-07-01T00:00:00Z') }));
  await mail.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'alice', secret: PASSWORD, folders: ['INBOX', 'Archive'] });
  assert.equal((await mail.sync()).added, 3);

  assert.deepEqual(await titles(engine, 'pelican', { from: 'dana@' }), ['Alpha']);
  assert.deepEqual(await titles(engine, 'pelican', { to: 'erin' }), ['Beta']);
  assert.deepEqual(await titles(engine, 'pelican', { dateFrom: '2024-01-01' }), ['Beta', 'Gamma']);
  assert.deepEqual(await titles(engine, 'pelican', { folder: 'INBOX' }), ['Alpha', 'Beta', 'Gamma']);

  server.deliver(testMessage({ subject: 'Delta', body: 'pelican delta' }));
  const again = await mail.sync();
  assert.deepEqual(again, { added: 1, removed: 0 }, 'only the new message is fetched');

  const client = await admin(server);
  try {
    await client.mailboxOpen('INBOX');
    const [alpha] = (await client.search({ subject: 'Alpha' }, { uid: true })) || [];
    const [beta] = (await client.search({ subject: 'Beta' }, { uid: true })) || [];
    await client.messageDelete(String(alpha), { uid: true });
    await client.messageMove(String(beta), 'Archive', { uid: true });
  } finally {
    await client.logout();
  }
  const third = await mail.sync();
  assert.equal(third.removed, 2);
  assert.equal(third.added, 1);
  assert.deepEqual(await titles(engine, 'pelican'), ['Beta', 'Delta', 'Gamma']);
  assert.deepEqual(await titles(engine, 'pelican', { folder: 'Archive' }), ['Beta'], 'the moved message is found in its new folder');
  assert.deepEqual(await titles(engine, 'pelican', { folder: 'INBOX' }), ['Delta', 'Gamma']);
  assert.equal(topLevelEmails(engine).length, 3, 'no duplicates');
});

test('a UIDVALIDITY change re-syncs the folder without duplicates', async (t) => {
  const env = await setup(t);
  if (!env) return;
  const { server, engine, mail } = env;
  const raw = [1, 2, 3].map((i) => testMessage({ subject: `Kept ${i}`, body: `otter number${i}`, messageId: `<kept${i}@example.com>` }));
  for (const m of raw) server.deliver(m, 'Archive');
  await mail.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'alice', secret: PASSWORD, folders: ['Archive'] });
  await mail.sync();
  const before = topLevelEmails(engine);
  assert.equal(before.length, 3);

  // Delete and recreate the folder: Dovecot gives the new one another UIDVALIDITY.
  const client = await admin(server);
  try {
    await client.mailboxDelete('Archive');
    await client.mailboxCreate('Archive');
    for (const m of raw) await client.append('Archive', m);
    await client.append('Archive', testMessage({ subject: 'Kept 4', body: 'otter number4' }));
  } finally {
    await client.logout();
  }
  await mail.sync();
  const after = topLevelEmails(engine);
  assert.equal(after.length, 4, 'three again plus the new one, no duplicates');
  const validity = (uri: string) => uri.match(/UIDVALIDITY=(\d+)/)![1];
  assert.notEqual(validity(after[0]!.uri), validity(before[0]!.uri));
  assert.equal(new Set(after.map((d) => validity(d.uri))).size, 1);
  assert.equal((await titles(engine, 'otter')).length, 4);
});

test('attachments become child documents of the message', async (t) => {
  const env = await setup(t);
  if (!env) return;
  const { server, engine, mail } = env;
  const attachment = Buffer.from('The attached minutes mention the narwhal budget.\n').toString('base64');
  server.deliver([
    'From: Bob <bob@example.com>',
    'To: Alice <alice@example.com>',
    'Subject: Minutes attached',
    'Date: Mon, 06 May 2024 10:00:00 +0000',
    'Message-ID: <att1@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Please see the file.',
    '--b1',
    'Content-Type: text/plain; name="minutes.txt"',
    'Content-Disposition: attachment; filename="minutes.txt"',
    'Content-Transfer-Encoding: base64',
    '',
    attachment,
    '--b1--',
    '',
  ].join('\r\n'));
  await mail.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'alice', secret: PASSWORD, folders: ['INBOX'] });
  await mail.sync();
  const { hits } = await engine.search({ query: 'narwhal', mode: 'bm25' });
  assert.equal(hits[0]?.title, 'minutes.txt');
  const child = engine.library.db.prepare('SELECT d.uri, p.title AS parent, d.path FROM documents d JOIN documents p ON p.id = d.parent_id WHERE d.title = ?').get('minutes.txt') as { uri: string; parent: string; path: string };
  assert.equal(child.parent, 'Minutes attached');
  assert.match(child.uri, /;UID=1#attachment-1-minutes\.txt$/);
  assert.deepEqual(await titles(engine, 'narwhal', { folder: 'INBOX' }), ['minutes.txt'], 'attachments are in their message\'s folder');
});

test('fetched messages wait in the persistent queue: a process that dies before indexing loses nothing', async (t) => {
  const binary = requireDovecot(t);
  if (!binary) return;
  const server = await Dovecot.start(binary, [{ user: 'alice', password: PASSWORD }]);
  const dbPath = join(tempDir(), 'library.db');
  t.after(() => server.stop());
  for (let i = 1; i <= 5; i++) server.deliver(testMessage({ subject: `Queued ${i}`, body: `stork number${i}` }));

  // First process: fetches, but its indexing never runs (as if killed right after the fetch).
  const first = await Engine.open({ dbPath, embedder: null });
  const secrets = new MemorySecretStore();
  const fetchOnly = new MailService({ library: first.library, secrets, index: async () => {} });
  await fetchOnly.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'alice', secret: PASSWORD, folders: ['INBOX'] });
  assert.equal((await fetchOnly.sync()).added, 5);
  assert.equal(first.library.mailboxes.pendingMessages(), 5);
  assert.equal(topLevelEmails(first).length, 0);
  await first.close();

  // Next process: the queue (with the bytes) is still there; indexing needs no server.
  await server.stopServer();
  const second = await Engine.open({ dbPath, embedder: null });
  try {
    await second.index();
    assert.equal(topLevelEmails(second).length, 5);
    assert.equal(second.library.mailboxes.pendingMessages(), 0);
    assert.equal(second.library.db.prepare('SELECT count(*) FROM job_blobs').pluck().get(), 0, 'the bytes leave with their jobs');
    assert.equal((await titles(second, 'stork')).length, 5);
    // A sync after that fetches nothing again.
    await server.startServer();
    const again = new MailService({ library: second.library, secrets, index: () => second.index() });
    assert.deepEqual(await again.sync(), { added: 0, removed: 0 });
  } finally {
    await second.close();
  }
});

test('a message expunged while the pipeline is reading it does not come back', async () => {
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null });
  try {
    const { library } = engine;
    const source = library.sources.ensure('mailbox', 'imap://alice@127.0.0.1:1', 'alice@127.0.0.1');
    const folder = 'imap://alice@127.0.0.1:1/INBOX';
    const message = (uid: number) => ({ sourceId: source.id, path: `${folder};UIDVALIDITY=7/;UID=${uid}`, folder, mailbox: 'INBOX', uid, uidValidity: '7' });
    library.mailboxes.enqueueMessage(message(1), Buffer.from(testMessage({ subject: 'Kept', body: 'a puffin stays' })));
    library.mailboxes.enqueueMessage(message(2), Buffer.from(testMessage({ subject: 'Expunged', body: 'a puffin goes' })));
    const pool = new ExtractorPool();
    // The sync removes message 2 (expunged on the server) while the pipeline is extracting it.
    const racing = {
      extractChild: async (child: ChildInput) => {
        const result = await pool.extractChild(child);
        if (result.ok && result.doc.title === 'Expunged') library.transaction(() => library.mailboxes.removeMessage(message(2)));
        return result;
      },
    } as unknown as ExtractorPool;
    try {
      await new Ingestor({ library, pool: racing, target: null }).run();
    } finally {
      await pool.close();
    }
    assert.deepEqual(topLevelEmails(engine).map((d) => d.title), ['Kept']);
    assert.equal(library.jobs.count(), 0);
  } finally {
    await engine.close();
  }
});

test('a message without a Date header is dated by its IMAP internal date, not by when it was synced', async (t) => {
  const env = await setup(t);
  if (!env) return;
  const { server, engine, mail } = env;
  const arrived = new Date('2003-04-05T06:07:08Z');
  const raw = 'From: Bob <bob@example.com>\r\nTo: alice@example.com\r\nSubject: No date header\r\n\r\nThe undated capybara memo.\r\n';
  const client = await admin(server);
  try {
    await client.append('INBOX', raw, [], arrived);
  } finally {
    await client.logout();
  }
  await mail.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'alice', secret: PASSWORD });
  await mail.sync();
  const { hits } = await engine.search({ query: 'capybara', mode: 'bm25' });
  assert.deepEqual(hits.map((h) => [h.title, h.date]), [['No date header', arrived.getTime()]]);
  assert.deepEqual((await engine.search({ query: 'capybara', mode: 'bm25', filters: { dateFrom: Date.now() - 7 * 86_400_000 } })).hits, [], 'not "last week"');
});
