// The desktop app's secrets (mail passwords, app passwords, API keys), kept with Electron's
// safeStorage: each is encrypted with a key the system keeps (the macOS Keychain, Windows DPAPI,
// GNOME Keyring or KWallet on Linux) and written encrypted to a 0600 file in the app's folder,
// never into the library. The engine process reaches this store through its parent port
// (app/service/host-secrets.ts), since safeStorage exists only in main.
//
// On Linux without a keyring, safeStorage falls back to its `basic_text` backend, which encrypts
// with a fixed key anyone can read in Chromium's source: that is plain text with extra steps. There
// a secret is refused for the disk, kept in memory for this session only, and the user is told why.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What the store needs of Electron's safeStorage. */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only: the password store safeStorage chose. */
  getSelectedStorageBackend?(): string;
}

/** Why secrets cannot be kept across sessions here, or null when they can. */
export async function whySessionOnly(safeStorage: SafeStorageLike, platform: NodeJS.Platform): Promise<string | null> {
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    if (backend === 'basic_text' || backend === 'unknown') {
      return 'no system keyring (GNOME Keyring or KWallet) is available to encrypt it, and Electron would otherwise store it with a key anyone can read';
    }
  }
  if (!(await safeStorage.isAsyncEncryptionAvailable())) return "the system's encryption (Keychain, DPAPI or keyring) is not available";
  return null;
}

export interface DesktopSecretsOptions {
  safeStorage: SafeStorageLike;
  platform: NodeJS.Platform;
  /** The encrypted store: a JSON file of base64 ciphertexts (0600). */
  file: string;
  /** Told the first time a secret is kept for this session only (to show the user why). */
  onSessionOnly?: (message: string) => void;
}

export class DesktopSecrets {
  /** Where secrets are kept, in words (the engine reports it: "stored in …"). */
  readonly description: string;
  readonly #safeStorage: SafeStorageLike;
  readonly #file: string;
  readonly #sessionOnly: string | null;
  readonly #onSessionOnly: (message: string) => void;
  readonly #session = new Map<string, string>();
  #told = false;

  private constructor(options: DesktopSecretsOptions, sessionOnly: string | null) {
    this.#safeStorage = options.safeStorage;
    this.#file = options.file;
    this.#sessionOnly = sessionOnly;
    this.#onSessionOnly = options.onSessionOnly ?? (() => {});
    this.description = sessionOnly
      ? `memory, for this session only: ${sessionOnly}`
      : `${describeBackend(options.safeStorage, options.platform)}, encrypted in ${options.file}`;
  }

  /** Opens the store (after the app is ready: safeStorage knows its backend only then). */
  static async open(options: DesktopSecretsOptions): Promise<DesktopSecrets> {
    return new DesktopSecrets(options, await whySessionOnly(options.safeStorage, options.platform));
  }

  /** Whether secrets outlive this session. */
  get persistent(): boolean {
    return this.#sessionOnly === null;
  }

  async get(key: string): Promise<string | null> {
    const kept = this.#session.get(key);
    if (kept !== undefined) return kept;
    try {
      const encrypted = this.#read()[key];
      if (encrypted === undefined) return null;
      const { result, shouldReEncrypt } = await this.#safeStorage.decryptStringAsync(Buffer.from(encrypted, 'base64'));
      if (shouldReEncrypt && this.persistent) await this.set(key, result).catch(() => {}); // kept as it was: still readable
      return result;
    } catch {
      return null; // encrypted under a key this system no longer has, or a damaged file: as if never stored
    }
  }

  async set(key: string, value: string): Promise<void> {
    if (!this.persistent) {
      this.#session.set(key, value);
      if (!this.#told) {
        this.#told = true;
        this.#onSessionOnly(`Cairn keeps this password or key for this session only: ${this.#sessionOnly}. Set up a keyring and enter it again to keep it.`);
      }
      return;
    }
    const encrypted = await this.#safeStorage.encryptStringAsync(value);
    this.#write({ ...this.#read(), [key]: encrypted.toString('base64') });
  }

  async delete(key: string): Promise<void> {
    this.#session.delete(key);
    const values = this.#read();
    if (!(key in values)) return;
    delete values[key];
    this.#write(values);
  }

  /** The stored ciphertexts; a damaged file throws (writing over it would lose every other secret). */
  #read(): Record<string, string> {
    if (!existsSync(this.#file)) return {};
    let values: unknown = null;
    try {
      values = JSON.parse(readFileSync(this.#file, 'utf8'));
    } catch {
      // told below
    }
    if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new Error(`The secrets file ${this.#file} is damaged: move it away to store secrets again.`);
    return values as Record<string, string>;
  }

  #write(values: Record<string, string>): void {
    mkdirSync(dirname(this.#file), { recursive: true, mode: 0o700 });
    const temp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(values, null, 2), { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.#file);
  }
}

function describeBackend(safeStorage: SafeStorageLike, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'the macOS Keychain';
  if (platform === 'win32') return 'Windows (DPAPI)';
  const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
  return backend === 'gnome_libsecret' ? 'the system keyring (libsecret)' : backend.startsWith('kwallet') ? 'KWallet' : `the system keyring (${backend})`;
}
