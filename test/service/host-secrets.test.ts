// The engine process's secret store when the desktop app keeps the secrets: every get, set and
// delete is a request to the host, answered by id; a key the host does not have is read from the
// store the `cairn` command uses (an account added in the terminal works in the app), a delete
// reaches both, and a failure of the host's store is the caller's error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CairnError } from '../../app/contract/index.ts';
import type { EngineToHost } from '../../app/contract/wire.ts';
import { HostSecretStore } from '../../app/service/host-secrets.ts';
import { MemorySecretStore } from '../../app/sources/index.ts';

test('secrets go to the host and come back by id; the CLI store is read for what the host lacks', async () => {
  const host = new Map<string, string>();
  const asked: string[] = [];
  const cli = new MemorySecretStore();
  await cli.set('mail:imap://me@terminal.example:993', 'added-in-the-terminal');
  await cli.set('web-search.brave', 'old-cli-key');
  // The host answers out of order, as an async store may.
  const pending: (() => void)[] = [];
  const post = (message: EngineToHost) => {
    if (message.type !== 'secret') return;
    asked.push(`${message.op} ${message.key}`);
    pending.push(() => {
      if (message.key === 'locked') {
        store.receive({ type: 'secret-result', id: message.id, value: null, error: { code: 'secret-store', message: 'The keyring is locked.' } });
        return;
      }
      if (message.op === 'set') host.set(message.key, message.value ?? '');
      if (message.op === 'delete') host.delete(message.key);
      store.receive({ type: 'secret-result', id: message.id, value: message.op === 'get' ? host.get(message.key) ?? null : null, error: null });
    });
  };
  const store = new HostSecretStore(post, 'the system keyring (libsecret)', () => cli);
  const answerAll = async () => {
    while (pending.length) {
      for (const answer of pending.splice(0).reverse()) answer();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  assert.equal(store.description, 'the system keyring (libsecret)');

  const set = store.set('web-search.brave', 'new-key');
  await answerAll();
  await set;
  const reads = [store.get('web-search.brave'), store.get('mail:imap://me@terminal.example:993'), store.get('nowhere')];
  await answerAll();
  assert.deepEqual(await Promise.all(reads), ['new-key', 'added-in-the-terminal', null]);

  const removed = store.delete('mail:imap://me@terminal.example:993');
  await answerAll();
  await removed;
  assert.equal(await cli.get('mail:imap://me@terminal.example:993'), null, 'gone from the CLI store too');

  const locked = assert.rejects(store.set('locked', 'x'), (error: unknown) => error instanceof CairnError && error.code === 'secret-store' && /locked/.test(error.message));
  await answerAll();
  await locked;
  assert.deepEqual(asked, ['set web-search.brave', 'get web-search.brave', 'get mail:imap://me@terminal.example:993', 'get nowhere', 'delete mail:imap://me@terminal.example:993', 'set locked']);
  assert.equal(host.has('mail:imap://me@terminal.example:993'), false);
});
