// Mail through the contract, against a real Dovecot on 127.0.0.1: an account is tested and added,
// synced and followed by the live engine (state as events), its mail searchable; paused (not
// followed, state paused, kept across the call) and resumed (new mail arrives); then removed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EngineEvent } from '../../app/contract/index.ts';
import { CairnError } from '../../app/contract/index.ts';
import { ModelManager } from '../../app/llm/index.ts';
import { MemorySecretStore } from '../../app/sources/index.ts';
import { tempDir } from '../support/corpus.ts';
import { Dovecot, requireDovecot, testMessage } from '../support/dovecot.ts';
import { connectService, indexingDone } from './support.ts';

const PASSWORD = 'secret-pw-1';

test('mail through the contract: test, add, follow, pause, resume, remove', { timeout: 120_000 }, async (t) => {
  const binary = requireDovecot(t);
  if (!binary) return;
  const server = await Dovecot.start(binary, [{ user: 'alice', password: PASSWORD }]);
  const c = await connectService({ dbPath: join(tempDir(), 'library.db'), embedder: null, chatModel: null, live: true, secrets: new MemorySecretStore(), models: new ModelManager({ dir: tempDir() }) });
  try {
    const { api } = c.client;
    server.deliver(testMessage({ subject: 'Harbour visit', body: 'The harbour visit is on Thursday at the lighthouse.' }));
    const account = { host: server.host, port: server.port, security: 'plain' as const, user: 'alice', secret: PASSWORD, folders: ['INBOX'] };
    await assert.rejects(api.mail.test({ ...account, secret: 'wrong' }), (e: unknown) => e instanceof CairnError && e.code === 'mail-auth-failed');
    assert.equal((await api.mail.test(account)).user, 'alice');
    const added = await api.mail.add(account);
    const found = (word: string) => async () => (await api.search.query({ query: word, k: 1 })).hits.length > 0;
    await c.log.until(indexingDone, found('lighthouse'));
    await c.log.waitFor((e: EngineEvent) => e.type === 'source-state' && e.sourceId === added.sourceId && e.state.state === 'watching');
    assert.equal((await api.mail.list())[0]?.messages, 1);
    // The last completed sync is kept, and shown with the account and its source.
    assert.equal(added.syncedAt, null, 'not synced yet when added');
    const syncedAt = (await api.mail.list())[0]!.syncedAt;
    assert.ok(syncedAt !== null && syncedAt <= Date.now());
    assert.equal((await api.sources.list()).find((s) => s.id === added.sourceId)?.syncedAt, syncedAt);

    const paused = await api.sources.pause({ sourceId: added.sourceId });
    assert.equal(paused.state.state, 'paused');
    assert.equal((await api.mail.list())[0]?.state.state, 'paused');
    await assert.rejects(api.mail.sync({ sourceId: added.sourceId }), (e: unknown) => e instanceof CairnError && e.code === 'source-paused');
    server.deliver(testMessage({ subject: 'Ferry times', body: 'The ferry leaves at noon from pier seven.' }));
    await api.sources.resume({ sourceId: added.sourceId });
    await c.log.until(indexingDone, found('ferry'));
    assert.equal((await api.mail.list())[0]?.messages, 2);

    assert.deepEqual(await api.mail.remove({ sourceId: added.sourceId }), { removed: 2 });
    assert.deepEqual(await api.mail.list(), []);
    assert.equal((await api.search.query({ query: 'ferry', k: 1 })).hits.length, 0);
  } finally {
    await c.close();
    await server.stop();
  }
});
