// A real Dovecot IMAP server for tests: config, passwd-file and Maildir in a temp dir, started with
// `dovecot -F -c conf` on a free 127.0.0.1 port and stopped after. Without the dovecot binary the
// test fails in CI (CI=true) and is skipped loudly elsewhere, as test/support/shared.ts does for data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** Servers still running, killed if the test process exits without stopping them (a failed test). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const candidates = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot', '/opt/homebrew/sbin/dovecot', '/usr/bin/dovecot'];

export function dovecotBinary(): string | null {
  for (const path of candidates) if (existsSync(path)) return path;
  const found = spawnSync('sh', ['-c', 'command -v dovecot'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
}

/** The dovecot binary, or null after failing (CI) or skipping loudly (elsewhere). */
export function requireDovecot(t: TestContext): string | null {
  const binary = dovecotBinary();
  if (binary) return binary;
  const message = 'MISSING TEST SERVER: dovecot (apt-get install -y dovecot-imapd)';
  if (process.env.CI) throw new Error(message);
  console.warn(`\n*** ${message}: skipping ***\n`);
  t.skip(message);
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface DovecotUser {
  user: string;
  password: string;
}

export interface DovecotOptions {
  /** Log in with OAuth2 bearer tokens (XOAUTH2) checked at this introspection URL, not passwords. */
  oauth2IntrospectionUrl?: string;
}

export class Dovecot {
  readonly dir: string;
  readonly port: number;
  readonly users: DovecotUser[];
  readonly #binary: string;
  #process: ChildProcess | null = null;
  #counter = 0;

  private constructor(binary: string, dir: string, port: number, users: DovecotUser[]) {
    this.#binary = binary;
    this.dir = dir;
    this.port = port;
    this.users = users;
  }

  /** Writes the config and starts the server; resolves once it greets. */
  static async start(binary: string, users: DovecotUser[] = [{ user: 'alice', password: 'secret-pw-1' }], options: DovecotOptions = {}): Promise<Dovecot> {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-dovecot-'));
    chmodSync(dir, 0o755);
    const server = new Dovecot(binary, dir, await freePort(), users);
    server.#writeConfig(options);
    await server.startServer();
    return server;
  }

  get host(): string {
    return '127.0.0.1';
  }

  /** The Maildir of a user (INBOX is its root; other folders are ".Name"). */
  maildir(user = this.users[0]!.user): string {
    return join(this.dir, 'mail', user);
  }

  folderDir(folder: string, user = this.users[0]!.user): string {
    return folder === 'INBOX' ? this.maildir(user) : join(this.maildir(user), `.${folder.replaceAll('/', '.')}`);
  }

  #writeConfig(options: DovecotOptions): void {
    const { username } = userInfo();
    // Dovecot refuses uid 0 for mail; as root, mail belongs to the dovecot user.
    const [uid, gid] = mailOwner();
    const mail = join(this.dir, 'mail');
    mkdirSync(join(this.dir, 'run'), { recursive: true });
    mkdirSync(join(this.dir, 'state'), { recursive: true });
    mkdirSync(mail, { recursive: true });
    const passwd = join(this.dir, 'passwd');
    writeFileSync(passwd, this.users.map((u) => `${u.user}:{PLAIN}${u.password}:${uid}:${gid}::${join(mail, u.user)}::\n`).join(''));
    for (const u of this.users) {
      for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(mail, u.user, sub), { recursive: true });
      for (const folder of ['Sent', 'Archive']) for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(mail, u.user, `.${folder}`, sub), { recursive: true });
      writeFileSync(join(mail, u.user, 'subscriptions'), 'Sent\nArchive\n');
    }
    if (userInfo().uid === 0) chownTree(mail, uid, gid);
    // Dovecot's own services run as whoever runs the test (root in CI: then its usual users).
    const internal = userInfo().uid === 0 ? 'dovecot' : username;
    const login = userInfo().uid === 0 ? 'dovenull' : username;
    const conf = `
protocols = imap
listen = 127.0.0.1
base_dir = ${join(this.dir, 'run')}
state_dir = ${join(this.dir, 'state')}
log_path = ${join(this.dir, 'dovecot.log')}
info_log_path = ${join(this.dir, 'dovecot.log')}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = ${options.oauth2IntrospectionUrl ? 'xoauth2' : 'plain login'}
auth_failure_delay = 0
first_valid_uid = 0
first_valid_gid = 0
default_internal_user = ${internal}
default_login_user = ${login}
mail_location = maildir:~
mail_privileged_group =
${options.oauth2IntrospectionUrl ? `passdb {
  driver = oauth2
  mechanisms = xoauth2
  args = ${join(this.dir, 'oauth2.conf.ext')}
}` : `passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwd}
}`}
userdb {
  driver = passwd-file
  args = username_format=%u ${passwd}
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${this.port}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  chroot =
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  chroot =
}
`;
    writeFileSync(join(this.dir, 'dovecot.conf'), conf);
    if (options.oauth2IntrospectionUrl) {
      // Tokens are checked by POSTing them to the test's own introspection endpoint (RFC 7662).
      writeFileSync(join(this.dir, 'oauth2.conf.ext'), [
        'introspection_mode = post',
        `introspection_url = ${options.oauth2IntrospectionUrl}`,
        'force_introspection = yes',
        'username_attribute = username',
        'active_attribute = active',
        'active_value = true',
        '',
      ].join('\n'));
    }
  }

  /** Starts (or restarts) the server process; resolves once it greets on its port. */
  async startServer(): Promise<void> {
    if (this.#process) return;
    const child = spawn(this.#binary, ['-F', '-c', join(this.dir, 'dovecot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    this.#process = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      if (await greets(this.port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    const log = existsSync(join(this.dir, 'dovecot.log')) ? readFileSync(join(this.dir, 'dovecot.log'), 'utf8') : '';
    child.kill('SIGKILL');
    this.#process = null;
    throw new Error(`dovecot did not start on 127.0.0.1:${this.port}:\n${output}\n${log}`);
  }

  /** Stops the server process (connections drop); the Maildir stays for a later startServer(). */
  async stopServer(): Promise<void> {
    const child = this.#process;
    if (!child) return;
    this.#process = null;
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    // The master's children (imap, imap-login) may outlive it briefly; wait for the port to close.
    for (let i = 0; i < 50 && (await greets(this.port)); i++) await new Promise((r) => setTimeout(r, 100));
  }

  async stop(): Promise<void> {
    await this.stopServer();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Drops a message into a folder's Maildir "new" directory, as a delivery agent would. */
  deliver(raw: string | Uint8Array, folder = 'INBOX', user = this.users[0]!.user): string {
    const name = `${Date.now()}.M${process.pid}P${++this.#counter}.cairn-test`;
    const bytes = typeof raw === 'string' ? Buffer.from(raw.replace(/\r?\n/g, '\r\n')) : raw;
    const dir = this.folderDir(folder, user);
    writeFileSync(join(dir, 'tmp', name), bytes);
    // rename from tmp to new is how Maildir delivery is atomic
    renameSync(join(dir, 'tmp', name), join(dir, 'new', name));
    return name;
  }

  log(): string {
    const path = join(this.dir, 'dovecot.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }
}

function mailOwner(): [number, number] {
  const me = userInfo();
  if (me.uid !== 0) return [me.uid, me.gid];
  const id = (flag: string) => Number(spawnSync('id', [flag, 'dovecot'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, the tests need the "dovecot" user that the dovecot package creates');
  return [uid, gid];
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, uid, gid);
    else chownSync(child, uid, gid);
  }
}

/** Whether something on the port sends an IMAP greeting. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (d: Buffer) => done(d.toString().startsWith('* OK')));
  });
}

/** A simple RFC 822 message for tests. */
export function testMessage(options: { subject: string; body: string; from?: string; to?: string; date?: Date; messageId?: string; headers?: string }): string {
  const date = options.date ?? new Date('2024-05-01T10:00:00Z');
  return [
    `From: ${options.from ?? 'Bob Sender <bob@example.com>'}`,
    `To: ${options.to ?? 'Alice <alice@example.com>'}`,
    `Subject: ${options.subject}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: ${options.messageId ?? `<${Math.random().toString(36).slice(2)}@example.com>`}`,
    ...(options.headers ? [options.headers] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    options.body,
    '',
  ].join('\r\n');
}
