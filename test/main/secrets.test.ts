// The desktop app's secrets with a fake safeStorage: kept encrypted in a 0600 file where the system
// has a keyring; on Linux with only safeStorage's `basic_text` backend (a fixed, public key),
// refused for the disk, kept for this session only, and the user is told why, once.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DesktopSecrets, whySessionOnly, type SafeStorageLike } from '../../main/secrets.ts';
import { tempDir } from '../support/corpus.ts';

/** safeStorage with a reversible "encryption" the test can recognise, on the given Linux backend. */
function fakeSafeStorage(backend: string, available = true): SafeStorageLike & { encrypted: number } {
  const fake = {
    encrypted: 0,
    isAsyncEncryptionAvailable: async () => available,
    encryptStringAsync: async (plain: string) => {
      fake.encrypted++;
      return Buffer.from(`sealed:${[...plain].reverse().join('')}`);
    },
    decryptStringAsync: async (data: Buffer) => {
      const text = data.toString();
      if (!text.startsWith('sealed:')) throw new Error('not ours');
      return { result: [...text.slice('sealed:'.length)].reverse().join(''), shouldReEncrypt: false };
    },
    getSelectedStorageBackend: () => backend,
  };
  return fake;
}

describe("the desktop app's secrets", () => {
  test('with a keyring they are stored encrypted in a file only the user can read, and read back', async () => {
    const file = join(tempDir(), 'app', 'secrets.safestorage.json');
    const safeStorage = fakeSafeStorage('gnome_libsecret');
    const told: string[] = [];
    const secrets = await DesktopSecrets.open({ safeStorage, platform: 'linux', file, onSessionOnly: (m) => told.push(m) });
    assert.equal(secrets.persistent, true);
    assert.match(secrets.description, /system keyring \(libsecret\), encrypted in .*secrets\.safestorage\.json/);
    await secrets.set('mail:imap://me@example.com:993', 'correct horse battery staple');
    await secrets.set('web-search.brave', 'BSA-key');
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /correct horse|BSA-key/, 'never in plain text');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(await secrets.get('mail:imap://me@example.com:993'), 'correct horse battery staple');
    // A new session reads what the last one stored.
    const again = await DesktopSecrets.open({ safeStorage, platform: 'linux', file });
    assert.equal(await again.get('web-search.brave'), 'BSA-key');
    await again.delete('web-search.brave');
    assert.equal(await again.get('web-search.brave'), null);
    assert.equal(await again.get('never-set'), null);
    assert.deepEqual(told, []);

    for (const [platform, words] of [['darwin', /macOS Keychain/], ['win32', /DPAPI/]] as const) {
      const other = await DesktopSecrets.open({ safeStorage: fakeSafeStorage('unknown'), platform, file: join(tempDir(), 's.json') });
      assert.equal(other.persistent, true, platform);
      assert.match(other.description, words);
    }
    assert.match((await DesktopSecrets.open({ safeStorage: fakeSafeStorage('kwallet6'), platform: 'linux', file })).description, /KWallet/);
  });

  test("on Linux with safeStorage's basic_text backend a secret is refused for the disk, kept for this session only, and the user told why once", async () => {
    const file = join(tempDir(), 'secrets.safestorage.json');
    const safeStorage = fakeSafeStorage('basic_text');
    const told: string[] = [];
    const secrets = await DesktopSecrets.open({ safeStorage, platform: 'linux', file, onSessionOnly: (m) => told.push(m) });
    assert.equal(secrets.persistent, false);
    assert.match(secrets.description, /^memory, for this session only: no system keyring/);
    await secrets.set('mail:imap://me@example.com:993', 'hunter2');
    await secrets.set('web-search.tavily', 'tvly-key');
    assert.equal(existsSync(file), false, 'nothing written to disk');
    assert.equal(safeStorage.encrypted, 0, 'basic_text never asked to encrypt');
    assert.equal(await secrets.get('mail:imap://me@example.com:993'), 'hunter2', 'usable for this session');
    assert.equal(told.length, 1, 'told once, not for every secret');
    assert.match(told[0]!, /this session only: no system keyring \(GNOME Keyring or KWallet\)/);
    assert.match(told[0]!, /enter it again/);
    await secrets.delete('web-search.tavily');
    assert.equal(await secrets.get('web-search.tavily'), null);
    // The next session has nothing.
    const next = await DesktopSecrets.open({ safeStorage, platform: 'linux', file });
    assert.equal(await next.get('mail:imap://me@example.com:993'), null);

    // Before the app is ready the backend is 'unknown': also refused. So is a system without encryption.
    assert.match((await whySessionOnly(fakeSafeStorage('unknown'), 'linux')) ?? '', /no system keyring/);
    assert.match((await whySessionOnly(fakeSafeStorage('unknown', false), 'darwin')) ?? '', /not available/);
    assert.equal(await whySessionOnly(fakeSafeStorage('gnome_libsecret'), 'linux'), null);
  });

  test('a damaged secrets file is never written over (that would lose every other secret); reading it finds nothing', async () => {
    const file = join(tempDir(), 'secrets.safestorage.json');
    writeFileSync(file, '{ not json', { mode: 0o600 });
    const secrets = await DesktopSecrets.open({ safeStorage: fakeSafeStorage('kwallet5'), platform: 'linux', file });
    assert.equal(await secrets.get('any'), null);
    await assert.rejects(secrets.set('any', 'value'), /secrets file .* is damaged: move it away/);
    assert.equal(readFileSync(file, 'utf8'), '{ not json');
  });
});
