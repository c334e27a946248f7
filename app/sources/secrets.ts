// Where passwords and tokens live, never in the library or its settings: the OS keychain when
// there is one (secret-tool on Linux, security on macOS), else a file only the user can read
// (mode 0600) in the user data dir, with a warning printed once. The desktop app will bring its
// own store (Electron safeStorage) behind the same interface.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface SecretStore {
  /** Where secrets are kept, in words (for `cairn mail list`). */
  readonly description: string;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Secrets in memory only (tests, one-off runs). */
export class MemorySecretStore implements SecretStore {
  readonly description = 'memory (not kept)';
  readonly #values = new Map<string, string>();
  async get(key: string): Promise<string | null> {
    return this.#values.get(key) ?? null;
  }
  async set(key: string, value: string): Promise<void> {
    this.#values.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.#values.delete(key);
  }
}

/** A JSON file readable only by its owner (0600); rewritten whole through a temp file. */
export class FileSecretStore implements SecretStore {
  readonly path: string;
  readonly description: string;
  readonly #warn: (() => void) | null;
  #warned = false;

  constructor(path: string, options: { warn?: () => void } = {}) {
    this.path = path;
    this.description = `file ${path} (mode 0600)`;
    this.#warn = options.warn ?? null;
  }

  async get(key: string): Promise<string | null> {
    return this.#read()[key] ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    this.#warnOnce();
    this.#write({ ...this.#read(), [key]: value });
  }

  async delete(key: string): Promise<void> {
    const values = this.#read();
    if (!(key in values)) return;
    delete values[key];
    this.#write(values);
  }

  #warnOnce(): void {
    if (this.#warned || !this.#warn) return;
    this.#warned = true;
    this.#warn();
  }

  #read(): Record<string, string> {
    if (!existsSync(this.path)) return {};
    // Someone loosened the permissions: tighten them again rather than go on leaking.
    if (process.platform !== 'win32' && (statSync(this.path).mode & 0o077) !== 0) chmodSync(this.path, 0o600);
    return JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>;
  }

  #write(values: Record<string, string>): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(values, null, 2), { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.path);
  }
}

const SERVICE = 'cairn';

/** The freedesktop Secret Service through `secret-tool` (GNOME Keyring, KWallet). */
export class SecretToolStore implements SecretStore {
  readonly description = 'the system keyring (secret-tool)';
  async get(key: string): Promise<string | null> {
    const result = await run('secret-tool', ['lookup', 'service', SERVICE, 'account', key]);
    return result.code === 0 ? result.stdout.replace(/\n$/, '') : null;
  }
  async set(key: string, value: string): Promise<void> {
    const result = await run('secret-tool', ['store', '--label', `Cairn: ${key}`, 'service', SERVICE, 'account', key], value);
    if (result.code !== 0) throw new Error(`secret-tool could not store the secret: ${result.stderr.trim()}`);
  }
  async delete(key: string): Promise<void> {
    await run('secret-tool', ['clear', 'service', SERVICE, 'account', key]);
  }
}

/** The macOS login keychain through `security`. */
export class MacKeychainStore implements SecretStore {
  readonly description = 'the macOS keychain';
  async get(key: string): Promise<string | null> {
    const result = await run('security', ['find-generic-password', '-s', SERVICE, '-a', key, '-w']);
    return result.code === 0 ? result.stdout.replace(/\n$/, '') : null;
  }
  async set(key: string, value: string): Promise<void> {
    // -w as the last argument makes security prompt for the value on stdin, off the command line.
    const result = await run('security', ['add-generic-password', '-U', '-s', SERVICE, '-a', key, '-w'], `${value}\n${value}\n`);
    if (result.code !== 0) throw new Error(`security could not store the secret: ${result.stderr.trim()}`);
  }
  async delete(key: string): Promise<void> {
    await run('security', ['delete-generic-password', '-s', SERVICE, '-a', key]);
  }
}

function onPath(command: string): boolean {
  if (process.platform === 'win32') return false;
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Whether the Secret Service answers (secret-tool exists on many machines with no keyring running). */
function secretServiceWorks(): boolean {
  // Not found exits 1 quietly; no D-Bus or keyring exits 1 with a complaint on stderr.
  const probe = spawnSync('secret-tool', ['lookup', 'service', SERVICE, 'account', '(probe)'], { encoding: 'utf8', timeout: 5000 });
  return (probe.status === 0 || probe.status === 1) && !probe.stderr.trim();
}

/**
 * The store the CLI uses: the OS keychain if present, else a 0600 file in `dataDir` (warning
 * once, through `warn`, the first time a secret is written there). CAIRN_SECRETS=file forces the file.
 */
export function openSecretStore(dataDir: string, warn: (message: string) => void = (m) => console.error(m)): SecretStore {
  const forced = process.env.CAIRN_SECRETS;
  if (forced !== 'file') {
    if (process.platform === 'darwin' && onPath('security')) return new MacKeychainStore();
    if (process.platform === 'linux' && onPath('secret-tool') && secretServiceWorks()) return new SecretToolStore();
  }
  const path = join(dataDir, 'secrets.json');
  return new FileSecretStore(path, {
    warn: () => warn(`warning: no system keychain found; secrets are kept in ${path}, readable only by you (mode 0600).`),
  });
}

function run(command: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => resolve({ code: -1, stdout, stderr: error.message }));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
