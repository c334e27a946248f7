// Live updates from a real Dovecot: IDLE brings a new message into search and takes an expunged one
// out; the server going away and coming back is survived (reconnect, then sync what arrived); a
// refused password stops the source with the reason and no retries.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ImapFlow } from 'imapflow';
import type { SourceStateEvent } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { secretKey } from '../../app/sources/mail-account.ts';
import { MailService } from '../../app/sources/mail-service.ts';
import { MemorySecretStore } from '../../app/sources/secrets.ts';
import { Library } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';
import { Dovecot, requireDovecot, testMessage } from '../support/dovecot.ts';

const PASSWORD = 'secret-pw-1';

async function setup(t: TestContext) {
  const binary = requireDovecot(t);
  if (!binary) return null;
  const server = await Dovecot.start(binary, [{ user: 'alice', password: PASSWORD }]);
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null });
  const events: SourceStateEvent[] = [];
  const listeners = new Set<(e: SourceStateEvent) => void>();
  const secrets = new MemorySecretStore();
  const mail = new MailService({
    library: engine.library, secrets, index: () => engine.index(),
    emit: (e) => {
      events.push(e);
      for (const l of listeners) l(e);
    },
    backoff: { initialMs: 100, maxMs: 400 },
    connect: { timeoutMs: 5000 },
  });
  const controller = new AbortController();
  let watching: Promise<void> | null = null;
  t.after(async () => {
    controller.abort();
    await watching;
    await engine.close();
    await server.stop();
  });
  /** Resolves with the first event (already seen or to come) that matches. */
  const waitFor = (match: (e: SourceStateEvent) => boolean, what: string, after = 0) =>
    new Promise<SourceStateEvent>((resolve, reject) => {
      const seen = events.slice(after).find(match);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events.slice(-5))}`));
      }, 20_000);
      const listener = (e: SourceStateEvent) => {
        if (!match(e)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(e);
      };
      listeners.add(listener);
    });
  const watch = () => {
    watching = mail.watch(controller.signal);
    return watching;
  };
  return { server, engine, mail, events, waitFor, watch, secrets, controller };
}

/** Polls search until `query` finds (or stops finding) something; generous timeout. */
async function eventually(engine: Engine, query: string, present: boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { hits } = await engine.search({ query, mode: 'bm25' });
    if ((hits.length > 0) === present) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`"${query}" was ${present ? 'never found' : 'still found'} after 20 s`);
}

test('watching: a new message arriving during IDLE becomes searchable; an expunged one leaves', async (t) => {
  const env = await setup(t);
  if (!env) return;
  const { server, engine, mail, waitFor, watch } = env;
  server.deliver(testMessage({ subject: 'Before', body: 'existing heron' }));
  await mail.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'alice', secret: PASSWORD, folders: ['INBOX'] });
  void watch();
  await waitFor((e) => e.state.state === 'watching', 'watching');
  await eventually(engine, 'heron', true);

  server.deliver(testMessage({ subject: 'Arrived', body: 'fresh flamingo news' }));
  await eventually(engine, 'flamingo', true);

  const client = new ImapFlow({ host: '127.0.0.1', port: server.port, secure: false, doSTARTTLS: false, auth: { user: 'alice', pass: PASSWORD }, logger: false });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.mailboxOpen('INBOX');
    const uids = (await client.search({ subject: 'Before' }, { uid: true })) || [];
    assert.equal(uids.length, 1);
    await client.messageDelete(uids.join(','), { uid: true });
  } finally {
    await client.logout();
  }
  await eventually(engine, 'heron', false);
  await eventually(engine, 'flamingo', true);
  assert.equal(mail.list()[0]!.messages, 1);
});

test('the server going away and coming back: the watcher reconnects with backoff and syncs what arrived', async (t) => {
  const env = await setup(t);
  if (!env) return;
  const { server, engine, mail, events, waitFor, watch } = env;
  server.deliver(testMessage({ subject: 'First', body: 'first penguin' }));
  await mail.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'alice', secret: PASSWORD, folders: ['INBOX'] });
  void watch();
  await waitFor((e) => e.state.state === 'watching', 'watching');
  await eventually(engine, 'penguin', true);

  await server.stopServer();
  const lost = await waitFor((e) => e.state.state === 'reconnecting', 'reconnecting');
  assert.ok(lost.state.reason);
  server.deliver(testMessage({ subject: 'While away', body: 'delivered while the server was down: albatross' }));
  // A few refused connection attempts, spaced out by the backoff.
  await waitFor((e) => e.state.state === 'reconnecting' && /refused|Nothing accepts/i.test(e.state.reason ?? ''), 'a refused reconnect');
  // Backoff: each wait doubles (100, 200, 400 ms here) up to the maximum (400 ms), never a storm.
  const retries = () => events.filter((e) => /trying again in/.test(e.state.reason ?? '')).map((e) => e.state.reason!.match(/in ([\d.]+) s/)![1]);
  await waitFor(() => retries().length >= 4, 'four retries');
  assert.deepEqual(retries().slice(0, 4), ['0.1', '0.2', '0.4', '0.4']);
  const mark = events.length;
  await server.startServer();
  await waitFor((e) => e.state.state === 'watching', 'watching again', mark);
  await eventually(engine, 'albatross', true);
  assert.equal(mail.list()[0]!.messages, 2, 'no duplicates after reconnecting');
});

test('a wrong password: a clear error on add, and a watcher stops with the reason instead of retrying', async (t) => {
  const env = await setup(t);
  if (!env) return;
  const { server, mail, waitFor, watch, secrets } = env;
  await assert.rejects(
    mail.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'alice', secret: 'not-the-password' }),
    (error: Error & { code?: string }) => error.code === 'mail-auth-failed' && /refused the login for alice/.test(error.message),
  );
  assert.equal(mail.list().length, 0, 'nothing saved');

  // The password changes on the server after the account was added.
  const account = await mail.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'alice', secret: PASSWORD, folders: ['INBOX'] });
  await secrets.set(secretKey(account.uri), 'changed-elsewhere');
  // Every login attempt reads the password first: counted here, where it happens (the server's
  // log is written later, by another process).
  let logins = 0;
  const read = secrets.get.bind(secrets);
  secrets.get = (key) => {
    logins++;
    return read(key);
  };
  const done = watch();
  const error = await waitFor((e) => e.state.state === 'error', 'error state');
  assert.match(error.state.reason ?? '', /refused the login/);
  await done; // the watcher gave up on its own: nothing is retrying
  assert.equal(mail.list()[0]!.state.state, 'error');
  assert.match(mail.list()[0]!.state.reason ?? '', /wrong user name, password or token/);
  const status = env.engine.sources().find((s) => s.kind === 'mailbox');
  assert.equal(status?.state.state, 'error', 'engine.sources() shows the mailbox in error');
  assert.match(status?.state.reason ?? '', /refused the login/);
  // With its code, kept in the library, so that a window can say what to do (enter the password again).
  assert.equal(status?.state.code, 'mail-auth-failed');
  assert.equal(mail.list()[0]!.state.code, 'mail-auth-failed');
  // The watcher has ended (nothing is left to retry later): it tried once.
  assert.equal(logins, 1, 'exactly one login attempt');
});

test('an account removed by another process while it is watched: the watcher lets it go at its next change, and nothing fails', async (t) => {
  const env = await setup(t);
  if (!env) return;
  const { server, engine, mail, waitFor, watch } = env;
  server.deliver(testMessage({ subject: 'Before', body: 'an early ibis' }));
  await mail.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'alice', secret: PASSWORD, folders: ['INBOX'] });
  const done = watch();
  await waitFor((e) => e.state.state === 'watching', 'watching');
  await eventually(engine, 'ibis', true);

  const other = Library.open(engine.library.path);
  other.transaction(() => other.mailboxes.removeAccount(mail.list()[0]!.sourceId));
  other.close();
  server.deliver(testMessage({ subject: 'After', body: 'a late kestrel' }));
  await done; // the watcher ended by itself, without an error
  assert.deepEqual(mail.list(), []);
  assert.equal(engine.library.jobs.count(), 0, 'nothing queued for the removed account');
  assert.equal(engine.library.db.prepare('SELECT count(*) FROM documents').pluck().get(), 0);
});
