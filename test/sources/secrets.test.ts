// Where mail passwords and provider keys go (openSecretStore): the Secret Service through
// `secret-tool` on Linux when it answers, the macOS keychain through `security`, else a 0600 file
// beside the library (with one warning), and CAIRN_SECRETS=file to force the file. The keychain
// tools are stand-ins on PATH here that keep what they are given in a folder and log how they were
// called, so the secret is seen to go through stdin, never the command line.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { FileSecretStore, MacKeychainStore, openSecretStore, SecretToolStore } from '../../app/sources/secrets.ts';
import { tempDir } from '../support/corpus.ts';

const SECRET = 'hunter2-imap-password';
const KEY = 'imap://alice@mail.example.org';

// Each stand-in keeps a secret in $FAKE_KEYRING/<key in hex> and logs its arguments in $FAKE_KEYRING/calls.
const PRELUDE = `#!/bin/sh
PATH=/usr/bin:/bin
echo "$*" >> "$FAKE_KEYRING/calls"
hex() { printf %s "$1" | od -An -tx1 | tr -d ' \\n'; }
`;
const SECRET_TOOL = `${PRELUDE}
case "$1" in
  lookup) f="$FAKE_KEYRING/$(hex "$5")"; [ -f "$f" ] || exit 1; cat "$f" ;;
  store) cat > "$FAKE_KEYRING/$(hex "$7")" ;;
  clear) rm -f "$FAKE_KEYRING/$(hex "$5")" ;;
esac
`;
/** secret-tool installed, but no keyring service on the session bus. */
const SECRET_TOOL_WITHOUT_SERVICE = `${PRELUDE}
echo "secret-tool: Cannot autolaunch D-Bus without X11 \\$DISPLAY" >&2
exit 1
`;
const SECURITY = `${PRELUDE}
case "$1" in
  find-generic-password) f="$FAKE_KEYRING/$(hex "$5")"; [ -f "$f" ] || exit 44; cat "$f"; echo ;;
  add-generic-password) read -r first; read -r second; [ "$first" = "$second" ] || exit 2; printf %s "$first" > "$FAKE_KEYRING/$(hex "$6")" ;;
  delete-generic-password) rm -f "$FAKE_KEYRING/$(hex "$5")" ;;
esac
`;

const saved = { path: process.env.PATH, keyring: process.env.FAKE_KEYRING, secrets: process.env.CAIRN_SECRETS, platform: process.platform };
afterEach(() => {
  process.env.PATH = saved.path;
  for (const [name, value] of [['FAKE_KEYRING', saved.keyring], ['CAIRN_SECRETS', saved.secrets]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  Object.defineProperty(process, 'platform', { value: saved.platform });
});

/** A PATH holding only `sh` and the given stand-ins (so no real keychain tool is found); returns the keyring folder. */
function machine(tools: Record<string, string>, platform: NodeJS.Platform = 'linux'): string {
  const bin = tempDir();
  symlinkSync('/bin/sh', join(bin, 'sh'));
  for (const [name, script] of Object.entries(tools)) {
    writeFileSync(join(bin, name), script);
    chmodSync(join(bin, name), 0o755);
  }
  const keyring = join(tempDir(), 'keyring');
  mkdirSync(keyring);
  process.env.PATH = bin;
  process.env.FAKE_KEYRING = keyring;
  delete process.env.CAIRN_SECRETS;
  Object.defineProperty(process, 'platform', { value: platform });
  return keyring;
}

function calls(keyring: string): string {
  return existsSync(join(keyring, 'calls')) ? readFileSync(join(keyring, 'calls'), 'utf8') : '';
}

test('on Linux with a keyring that answers, secrets go to it through secret-tool, by stdin', { skip: process.platform === 'win32' }, async () => {
  const keyring = machine({ 'secret-tool': SECRET_TOOL });
  const dataDir = tempDir();
  const store = openSecretStore(dataDir, () => assert.fail('no warning with a keychain'));
  assert.ok(store instanceof SecretToolStore, store.description);
  assert.equal(await store.get(KEY), null);
  await store.set(KEY, SECRET);
  assert.equal(await store.get(KEY), SECRET);
  await store.delete(KEY);
  assert.equal(await store.get(KEY), null);
  assert.ok(!existsSync(join(dataDir, 'secrets.json')), 'no file beside the library');
  assert.match(calls(keyring), /^store --label Cairn: imap:\/\/alice@mail\.example\.org service cairn account imap:\/\/alice@mail\.example\.org$/m);
  assert.doesNotMatch(calls(keyring), new RegExp(SECRET), 'the secret never on a command line');
});

test('on macOS, secrets go to the keychain through security, by stdin', { skip: process.platform === 'win32' }, async () => {
  const keyring = machine({ security: SECURITY, 'secret-tool': SECRET_TOOL }, 'darwin');
  const dataDir = tempDir();
  const store = openSecretStore(dataDir, () => assert.fail('no warning with a keychain'));
  assert.ok(store instanceof MacKeychainStore, store.description);
  assert.equal(await store.get(KEY), null);
  await store.set(KEY, SECRET);
  assert.equal(await store.get(KEY), SECRET);
  await store.set(KEY, 'replaced');
  assert.equal(await store.get(KEY), 'replaced');
  await store.delete(KEY);
  assert.equal(await store.get(KEY), null);
  assert.ok(!existsSync(join(dataDir, 'secrets.json')));
  assert.match(calls(keyring), /^add-generic-password -U -s cairn -a imap:\/\/alice@mail\.example\.org -w$/m);
  assert.doesNotMatch(calls(keyring), /^lookup /m, 'secret-tool is not asked on macOS');
  assert.doesNotMatch(calls(keyring), /hunter2|replaced/, 'the secret never on a command line');
});

test('without a keychain that answers, secrets go to a 0600 file beside the library, with one warning', { skip: process.platform === 'win32' }, async () => {
  for (const tools of [{}, { 'secret-tool': SECRET_TOOL_WITHOUT_SERVICE }] as Record<string, string>[]) {
    machine(tools);
    const dataDir = tempDir();
    const warnings: string[] = [];
    const store = openSecretStore(dataDir, (m) => warnings.push(m));
    assert.ok(store instanceof FileSecretStore, store.description);
    await store.set(KEY, SECRET);
    await store.set('web:brave', 'another');
    assert.equal(await store.get(KEY), SECRET);
    const file = join(dataDir, 'secrets.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(warnings.length, 1, 'warned once');
    assert.match(warnings[0]!, /no system keychain found; secrets are kept in .*secrets\.json, readable only by you \(mode 0600\)/);
  }
});

test('CAIRN_SECRETS=file keeps secrets in the file even where a keychain answers', { skip: process.platform === 'win32' }, async () => {
  const keyring = machine({ 'secret-tool': SECRET_TOOL });
  process.env.CAIRN_SECRETS = 'file';
  const dataDir = tempDir();
  const store = openSecretStore(dataDir, () => {});
  assert.ok(store instanceof FileSecretStore);
  await store.set(KEY, SECRET);
  assert.equal(JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8'))[KEY], SECRET);
  assert.equal(calls(keyring), '', 'the keychain was not even asked');
});
