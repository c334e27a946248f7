// The API token (made once and kept in the library, or given), its constant-time check, and the
// refusal to listen anywhere but 127.0.0.1.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { CairnError } from '../../app/contract/index.ts';
import { API_TOKEN_SETTING, bearerMatches, loopbackOnly, resolveApiToken, startApiServer, startHttpServer } from '../../app/server/index.ts';
import { Library } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';

test('the first start makes a token and keeps it in the library; later starts reuse it; a given one is used, not kept', () => {
  const path = join(tempDir(), 'library.db');
  let library = Library.open(path);
  const first = resolveApiToken(library.settings);
  assert.equal(first.source, 'new');
  assert.match(first.token, /^cairn-[A-Za-z0-9_-]{32}$/);
  assert.equal(library.settings.get(API_TOKEN_SETTING), first.token);
  library.close();

  library = Library.open(path);
  assert.deepEqual(resolveApiToken(library.settings), { token: first.token, source: 'stored' });
  assert.deepEqual(resolveApiToken(library.settings, 'my-own-token-for-tools'), { token: 'my-own-token-for-tools', source: 'given' });
  assert.equal(library.settings.get(API_TOKEN_SETTING), first.token, 'a given token does not replace the stored one');
  for (const bad of ['short', 'has a space in it here', '', 'tab\there-0123456789']) {
    assert.throws(() => resolveApiToken(library.settings, bad), (e: unknown) => e instanceof CairnError && e.code === 'usage', bad);
  }
  // Two libraries never share a token.
  const other = Library.open(join(tempDir(), 'library.db'));
  assert.notEqual(resolveApiToken(other.settings).token, first.token);
  other.close();
  library.close();
});

test('only "Authorization: Bearer <the token>" passes', () => {
  const token = 'cairn-abcdefghijklmnopqrstuvwxyz012345';
  const req = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
  assert.equal(bearerMatches(req(`Bearer ${token}`), token), true);
  assert.equal(bearerMatches(req(`bearer ${token} `), token), true);
  for (const wrong of [undefined, '', token, `Basic ${token}`, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, `Bearer ${token} extra`, 'Bearer ']) {
    assert.equal(bearerMatches(req(wrong), token), false, String(wrong));
  }
});

test('the server listens on 127.0.0.1 only and refuses any other host', async () => {
  assert.equal(loopbackOnly(undefined), '127.0.0.1');
  assert.equal(loopbackOnly('localhost'), '127.0.0.1');
  for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '::1']) {
    assert.throws(() => loopbackOnly(host), (e: unknown) => e instanceof CairnError && e.code === 'server-host' && /127\.0\.0\.1 only/.test(e.message), host);
  }
  const engine = { chatModel: async () => ({ unavailable: 'none' }), currentEmbedder: () => ({ unavailable: 'none' }), search: async () => ({ hits: [], mode: 'bm25' as const, keywordOnly: true, notice: null }) };
  await assert.rejects(startApiServer({ engine, token: 'x'.repeat(20), port: 0, host: '0.0.0.0' }), /127\.0\.0\.1 only/);
  const server = await startApiServer({ engine, token: 'x'.repeat(20), port: 0 });
  try {
    assert.match(server.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    // A port already taken is said plainly.
    await assert.rejects(
      startHttpServer({ port: server.port, routes: [], authorize: () => true, errorBody: (e) => e.message, maxBodyBytes: 10 }),
      (e: unknown) => e instanceof CairnError && e.code === 'server-port-in-use' && /--port/.test(e.message),
    );
  } finally {
    await server.close();
  }
});
