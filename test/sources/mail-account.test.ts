// Adding an account: the connection is tested first, and each way it can fail says what to fix.
// Also the secret store (file fallback: mode 0600, warning once).
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { CairnError } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { accountUri, mailError, messageUri, testAccount, folderUri } from '../../app/sources/mail-account.ts';
import { MailService } from '../../app/sources/mail-service.ts';
import { FileSecretStore, MemorySecretStore } from '../../app/sources/secrets.ts';
import { tempDir } from '../support/corpus.ts';
import { Dovecot, requireDovecot } from '../support/dovecot.ts';

const PASSWORD = 'secret-pw-1';

function rejectsWith(code: string, pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof CairnError, `a CairnError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    return true;
  };
}

test('the connection test: folders found, wrong password, TLS to a plain port, a missing folder', async (t) => {
  const binary = requireDovecot(t);
  if (!binary) return;
  const server = await Dovecot.start(binary, [{ user: 'alice', password: PASSWORD }]);
  t.after(() => server.stop());
  const base = { host: '127.0.0.1', port: server.port, user: 'alice' } as const;

  const ok = await testAccount({ ...base, security: 'plain', secret: PASSWORD });
  assert.deepEqual(ok.folders, ['INBOX', 'Sent'], 'Sent found by its \\Sent flag');
  const chosen = await testAccount({ ...base, security: 'plain', secret: PASSWORD, folders: ['Archive'] });
  assert.deepEqual(chosen.folders, ['Archive']);

  await assert.rejects(testAccount({ ...base, security: 'plain', secret: 'wrong' }), rejectsWith('mail-auth-failed', /refused the login for alice/));
  await assert.rejects(testAccount({ ...base, security: 'tls', secret: PASSWORD }, { timeoutMs: 5000 }), rejectsWith('mail-tls-failed', /secure connection/));
  // The test server offers no STARTTLS: asking for it must fail rather than go on in plain text.
  await assert.rejects(testAccount({ ...base, security: 'starttls', secret: PASSWORD }, { timeoutMs: 5000 }), rejectsWith('mail-tls-failed', /does not support STARTTLS/));
  await assert.rejects(testAccount({ ...base, security: 'plain', secret: PASSWORD, folders: ['Nope'] }), rejectsWith('mail-folder-missing', /No folder "Nope"/));
});

test('a server that never greets times out with a clear message; a closed port is refused', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  try {
    await assert.rejects(
      testAccount({ host: '127.0.0.1', port, security: 'plain', user: 'alice', secret: 'x' }, { timeoutMs: 500 }),
      rejectsWith('mail-timeout', /did not answer in time/),
    );
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  }
  // Nothing listens there any more.
  await assert.rejects(testAccount({ host: '127.0.0.1', port, security: 'plain', user: 'alice', secret: 'x' }), rejectsWith('mail-refused', /Nothing accepts connections/));
});

test('plain text is refused to anything but this machine; error codes for unknown hosts and TLS', async () => {
  await assert.rejects(testAccount({ host: 'imap.example.com', security: 'plain', user: 'a', secret: 'b' }), rejectsWith('mail-plain-refused', /unencrypted/));
  const settings = { host: 'imap.nowhere.invalid', port: 993, user: 'a', security: 'tls' } as const;
  // What Node reports for a name DNS does not know, and for a bad certificate.
  assert.equal(mailError(Object.assign(new Error('getaddrinfo ENOTFOUND imap.nowhere.invalid'), { code: 'ENOTFOUND' }), settings).code, 'mail-unknown-host');
  assert.match(mailError(Object.assign(new Error('x'), { code: 'ENOTFOUND' }), settings).message, /Unknown host imap\.nowhere\.invalid/);
  assert.equal(mailError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), settings).code, 'mail-tls-failed');
  assert.equal(mailError(Object.assign(new Error('Failed to upgrade'), { code: 'CONNECT_TIMEOUT' }), settings).code, 'mail-timeout');
});

test('uris are stable: account, folder, message', () => {
  const account = accountUri({ user: 'a.b@example.com', host: 'IMAP.Example.com', port: 993 });
  assert.equal(account, 'imap://a.b%40example.com@imap.example.com:993');
  assert.equal(messageUri(folderUri(account, 'INBOX'), '385759045', 20), 'imap://a.b%40example.com@imap.example.com:993/INBOX;UIDVALIDITY=385759045/;UID=20');
});

test('the file secret store: 0600, values round-trip, one warning however many writes', async () => {
  const path = join(tempDir(), 'data', 'secrets.json');
  const warnings: string[] = [];
  const store = new FileSecretStore(path, { warn: () => warnings.push('warned') });
  assert.equal(await store.get('k'), null);
  await store.set('k', 'pa55');
  await store.set('other', 'x');
  assert.equal(await store.get('k'), 'pa55');
  if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(warnings, ['warned']);
  await store.delete('k');
  assert.equal(await store.get('k'), null);
  assert.equal(readFileSync(path, 'utf8').includes('pa55'), false);
  assert.equal(await new FileSecretStore(path).get('other'), 'x', 'kept on disk');
});

test('OAuth2: an access token logs in with XOAUTH2 and mail syncs; a rejected token is a clear error', async (t) => {
  const binary = requireDovecot(t);
  if (!binary) return;
  // The token check Dovecot makes (RFC 7662 introspection), answered by the test.
  const checked: string[] = [];
  const introspection = createHttpServer((request, response) => {
    let body = '';
    request.on('data', (d: Buffer) => (body += d.toString()));
    request.on('end', () => {
      const token = new URLSearchParams(body).get('token') ?? '';
      checked.push(token);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(token === 'ya29.good-token' ? { active: true, username: 'alice' } : { active: false }));
    });
  });
  await new Promise<void>((resolve) => introspection.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(introspection.address() as { port: number }).port}/introspect`;
  const server = await Dovecot.start(binary, [{ user: 'alice', password: 'unused' }], { oauth2IntrospectionUrl: url });
  t.after(async () => {
    await server.stop();
    await new Promise((r) => introspection.close(r));
  });
  server.deliver('From: a@example.com\r\nSubject: Token mail\r\n\r\nreached with a bearer token: ocelot\r\n');

  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null });
  t.after(() => engine.close());
  const secrets = new MemorySecretStore();
  const mail = new MailService({ library: engine.library, secrets, index: () => engine.index() });
  await assert.rejects(
    mail.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'alice', secret: 'expired-token', auth: 'oauth2', folders: ['INBOX'] }),
    rejectsWith('mail-auth-failed', /password or token/),
  );
  const account = await mail.add({ host: '127.0.0.1', port: server.port, security: 'plain', user: 'alice', secret: 'ya29.good-token', auth: 'oauth2', folders: ['INBOX'] });
  assert.equal(account.auth, 'oauth2');
  assert.equal(await secrets.get(`mail:${account.uri}`), 'ya29.good-token');
  assert.equal((await mail.sync()).added, 1);
  assert.equal((await engine.search({ query: 'ocelot', mode: 'bm25' })).hits[0]?.title, 'Token mail');
  assert.ok(checked.includes('ya29.good-token') && checked.includes('expired-token'));
  assert.match(server.log(), /method=XOAUTH2/);
});
