// The engine process's secret store when its host keeps the secrets: the desktop app encrypts
// them with Electron's safeStorage, which only its main process can use, so every get, set and
// delete is a `secret` request on the parent port answered by a `secret-result`. Secrets stored
// by the `cairn` command (the system keychain, or its 0600 file) are still read when the host has
// none, so that an account added in the terminal works in the app too.
import { CairnError } from '../contract/index.ts';
import type { EngineToHost, HostToEngine } from '../contract/wire.ts';
import type { SecretStore } from '../sources/index.ts';

type SecretResult = Extract<HostToEngine, { type: 'secret-result' }>;

export class HostSecretStore implements SecretStore {
  readonly description: string;
  readonly #post: (message: EngineToHost) => void;
  readonly #fallback: () => SecretStore | null;
  readonly #pending = new Map<number, { resolve: (value: string | null) => void; reject: (error: Error) => void }>();
  #nextId = 1;

  /**
   * `description` says where the host keeps secrets (for people); `fallback` opens the store the
   * CLI uses, read when the host has nothing under a key.
   */
  constructor(post: (message: EngineToHost) => void, description: string, fallback: () => SecretStore | null = () => null) {
    this.#post = post;
    this.description = description;
    let opened: SecretStore | null | undefined;
    this.#fallback = () => (opened === undefined ? (opened = fallback()) : opened);
  }

  /** Passes on the host's answer to a request. */
  receive(message: SecretResult): void {
    const call = this.#pending.get(message.id);
    if (!call) return;
    this.#pending.delete(message.id);
    if (message.error) call.reject(new CairnError(message.error.code, message.error.message));
    else call.resolve(message.value);
  }

  async get(key: string): Promise<string | null> {
    return (await this.#ask('get', key)) ?? (await this.#fallback()?.get(key)) ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    await this.#ask('set', key, value);
  }

  async delete(key: string): Promise<void> {
    await this.#ask('delete', key);
    await this.#fallback()?.delete(key);
  }

  #ask(op: 'get' | 'set' | 'delete', key: string, value?: string): Promise<string | null> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#post({ type: 'secret', id, op, key, ...(value === undefined ? {} : { value }) });
    });
  }
}
