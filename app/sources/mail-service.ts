// ImapSource and MailService: IMAP accounts as sources. A sync lists each folder's UIDs, drops
// what left the server (expunged or moved), fetches what is new newest first in batches into
// the persistent job queue, and lets the ingestion pipeline index it while the next batch is
// fetched. A changed UIDVALIDITY clears the folder and syncs it again. Watching keeps one
// connection a folder in IDLE, syncs on every change, and reconnects with exponential backoff
// when the connection drops; a refused login stops the source with the reason instead. Both
// first index what is left queued (by a process that was killed); watching takes the library's
// watch lock, and an account removed meanwhile (by another process) stops being watched.
import type { ImapFlow } from 'imapflow';
import { CairnError, MailAccountSettings, type MailAccountInfo, type SourceState, type SourceStateEvent } from '../contract/index.ts';
import type { Library } from '../store/index.ts';
import {
  accountUri, connect, folderUri, isPermanent, mailError, messageUri, secretKey, testAccount,
  type ConnectOptions, type MailAccountInput,
} from './mail-account.ts';
import type { SecretStore } from './secrets.ts';
import { releaseWatchLock, takeWatchLock } from './watch-lock.ts';

export interface MailServiceOptions {
  library: Library;
  secrets: SecretStore;
  /** Runs the ingestion pipeline over what is queued (Engine.index). */
  index: () => Promise<unknown>;
  emit?: (event: SourceStateEvent) => void;
  /** Messages fetched in one FETCH (default 100). */
  batchSize?: number;
  /** First wait before reconnecting, doubled after each failure up to maxMs (default 1 s .. 5 min). */
  backoff?: { initialMs: number; maxMs: number };
  connect?: ConnectOptions;
}

export interface SyncSummary {
  added: number;
  removed: number;
}

interface Account {
  sourceId: number;
  uri: string;
  name: string;
  settings: MailAccountSettings;
}

/** Runs the pipeline, one run at a time; a kick while it runs asks for one more run. */
class IndexRunner {
  readonly #run: () => Promise<unknown>;
  readonly #onError: (error: unknown) => void;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(run: () => Promise<unknown>, onError: (error: unknown) => void) {
    this.#run = run;
    this.#onError = onError;
  }

  kick(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          await this.#run();
        } catch (error) {
          this.#onError(error);
        }
      } while (this.#again);
    })().finally(() => {
      this.#running = null;
    });
  }

  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }
}

export class MailService {
  readonly #library: Library;
  readonly #secrets: SecretStore;
  readonly #emit: (event: SourceStateEvent) => void;
  readonly #batchSize: number;
  readonly #backoff: { initialMs: number; maxMs: number };
  readonly #connect: ConnectOptions;
  readonly #indexer: IndexRunner;

  constructor(options: MailServiceOptions) {
    this.#library = options.library;
    this.#secrets = options.secrets;
    this.#emit = options.emit ?? (() => {});
    this.#batchSize = options.batchSize ?? 100;
    this.#backoff = options.backoff ?? { initialMs: 1000, maxMs: 5 * 60_000 };
    this.#connect = options.connect ?? {};
    this.#indexer = new IndexRunner(options.index, (error) => this.#emit({
      type: 'source-state', sourceId: 0, name: 'index', folder: null, state: { state: 'error', reason: `Indexing failed: ${(error as Error).message}` },
    }));
  }

  /** Tests the connection and the login without saving anything; resolves to the settings that worked. */
  test(input: MailAccountInput): Promise<MailAccountSettings> {
    return testAccount(input, this.#connect);
  }

  /** Tests the connection, then saves the account (settings in the library, the secret in the store). */
  async add(input: MailAccountInput): Promise<MailAccountInfo> {
    const settings = await testAccount(input, this.#connect);
    const uri = accountUri(settings);
    await this.#secrets.set(secretKey(uri), input.secret);
    const source = this.#library.transaction(() => {
      const row = this.#library.sources.ensure('mailbox', uri, `${settings.user}@${settings.host}`);
      this.#library.mailboxes.setConfig(row.id, settings);
      this.#library.mailboxes.setState(row.id, { state: 'idle' });
      return row;
    });
    return this.info(this.#account(source.id));
  }

  list(): MailAccountInfo[] {
    return this.#library.sources.list().filter((s) => s.kind === 'mailbox').map((s) => this.info(this.#account(s.id)));
  }

  /** An account by source id, "user@host" or its uri. */
  find(ref: string): MailAccountInfo | null {
    const all = this.list();
    return all.find((a) => String(a.sourceId) === ref || `${a.user}@${a.host}` === ref || a.uri === ref) ?? null;
  }

  /** Removes the account, its documents and its secret. */
  async remove(sourceId: number): Promise<void> {
    const account = this.#account(sourceId);
    this.#library.transaction(() => this.#library.mailboxes.removeAccount(sourceId));
    await this.#secrets.delete(secretKey(account.uri));
  }

  info(account: Account): MailAccountInfo {
    const { mailboxes } = this.#library;
    const state = mailboxes.state(account.sourceId);
    return {
      ...account.settings,
      sourceId: account.sourceId,
      uri: account.uri,
      messages: mailboxes.messageCount(account.sourceId),
      pending: mailboxes.pendingMessages(account.sourceId),
      state: state ? { state: state.state as SourceState['state'], done: state.done, total: state.total, reason: state.reason, code: state.code } : { state: 'idle' },
      syncedAt: state?.syncedAt ?? null,
    };
  }

  /** Indexes what is queued (also what came before), then syncs every folder of the given accounts (default all) once, and indexes what came. */
  async sync(sourceIds?: number[], signal?: AbortSignal): Promise<SyncSummary> {
    const summary: SyncSummary = { added: 0, removed: 0 };
    const ids = sourceIds ?? this.list().map((a) => a.sourceId);
    this.#indexer.kick();
    let failure: CairnError | null = null;
    for (const id of ids) {
      const account = this.#account(id);
      let client: ImapFlow | null = null;
      try {
        client = await this.#open(account);
        for (const folder of account.settings.folders) {
          if (signal?.aborted) break;
          const result = await this.#syncFolder(client, account, folder, signal);
          summary.added += result.added;
          summary.removed += result.removed;
        }
        await this.#indexer.idle();
        if (!signal?.aborted) this.#library.mailboxes.markSynced(account.sourceId);
        this.#setState(account, null, { state: 'idle' });
      } catch (error) {
        const e = mailError(error, account.settings);
        failure ??= e;
        this.#setState(account, null, { state: 'error', reason: e.message, code: e.code });
      } finally {
        await client?.logout().catch(() => client?.close());
      }
    }
    await this.#indexer.idle();
    if (failure) throw failure;
    return summary;
  }

  /**
   * Watches every folder of every account (IDLE), syncing as changes arrive, until the signal
   * aborts. Resolves when all watchers have stopped (aborted, stopped by an error that retrying
   * cannot fix, or their account was removed). Refused while another process watches the library.
   */
  async watch(signal: AbortSignal, sourceIds?: number[]): Promise<void> {
    const lost = takeWatchLock(this.#library);
    try {
      const stop = AbortSignal.any([signal, lost]);
      const ids = sourceIds ?? this.list().map((a) => a.sourceId);
      this.#indexer.kick();
      const watchers = ids.flatMap((id) => {
        const account = this.#account(id);
        return account.settings.folders.map((folder) => this.#watchFolder(account, folder, stop));
      });
      await Promise.all(watchers);
      await this.#indexer.idle();
      if (lost.aborted) throw new CairnError('watch-lost', (lost.reason as Error).message);
    } finally {
      releaseWatchLock(this.#library);
    }
  }

  #exists(account: Account): boolean {
    return this.#library.mailboxes.config(account.sourceId) !== null;
  }

  #account(sourceId: number): Account {
    const source = this.#library.sources.list().find((s) => s.id === sourceId && s.kind === 'mailbox');
    const config = this.#library.mailboxes.config<MailAccountSettings>(sourceId);
    if (!source || !config) throw new CairnError('mail-unknown-account', `No mailbox with id ${sourceId}.`);
    return { sourceId, uri: source.uri, name: source.name, settings: MailAccountSettings.parse(config) };
  }

  async #open(account: Account): Promise<ImapFlow> {
    const secret = await this.#secrets.get(secretKey(account.uri));
    if (secret === null) {
      throw new CairnError('mail-auth-failed', `No password or token is stored for ${account.name}; remove the account and add it again.`);
    }
    return connect(account.settings, secret, this.#connect);
  }

  #setState(account: Account, folder: string | null, state: SourceState): void {
    this.#library.mailboxes.setState(account.sourceId, state);
    this.#emit({ type: 'source-state', sourceId: account.sourceId, name: account.name, folder, state });
  }

  async #syncFolder(client: ImapFlow, account: Account, folder: string, signal?: AbortSignal): Promise<SyncSummary> {
    const { mailboxes } = this.#library;
    const box = await client.mailboxOpen(folder, { readOnly: true });
    const validity = box.uidValidity.toString();
    const fUri = folderUri(account.uri, folder);
    const previous = mailboxes.folderState(account.sourceId, folder);
    let removed = 0;
    if (previous && previous.uidValidity !== validity) {
      // The server renumbered the folder: what we have from it can no longer be matched by UID.
      removed += this.#library.transaction(() => mailboxes.clearFolder(account.sourceId, fUri));
    }
    const server = box.exists === 0 ? [] : ((await client.search({ all: true }, { uid: true })) || []);
    const onServer = new Set(server);
    const known = mailboxes.knownUids(account.sourceId, fUri, validity);
    const gone = [...known].filter((uid) => !onServer.has(uid));
    if (gone.length) {
      this.#library.transaction(() => {
        for (const uid of gone) removed += mailboxes.removeMessage({ sourceId: account.sourceId, folder: fUri, path: messageUri(fUri, validity, uid) });
      });
    }
    // Newest first: the queue runs in the order jobs were added.
    const fresh = server.filter((uid) => !known.has(uid)).sort((a, b) => b - a);
    let done = 0;
    if (fresh.length) this.#setState(account, folder, { state: 'syncing', done, total: fresh.length });
    for (let at = 0; at < fresh.length && !signal?.aborted; at += this.#batchSize) {
      const uids = fresh.slice(at, at + this.#batchSize);
      const fetched: { uid: number; source: Buffer; internalDate?: number }[] = [];
      for await (const message of client.fetch(uids.join(','), { uid: true, source: true, internalDate: true }, { uid: true })) {
        // When the server received the message: its date when it has no Date header of its own.
        const internalDate = message.internalDate === undefined ? NaN : new Date(message.internalDate).getTime();
        if (message.source) fetched.push({ uid: message.uid, source: message.source, ...(Number.isFinite(internalDate) ? { internalDate } : {}) });
      }
      fetched.sort((a, b) => b.uid - a.uid);
      this.#library.transaction(() => {
        for (const m of fetched) {
          mailboxes.enqueueMessage(
            {
              sourceId: account.sourceId, path: messageUri(fUri, validity, m.uid), folder: fUri, mailbox: folder, uid: m.uid, uidValidity: validity,
              ...(m.internalDate === undefined ? {} : { internalDate: m.internalDate }),
            },
            m.source,
          );
        }
      });
      done += uids.length;
      this.#setState(account, folder, { state: 'syncing', done, total: fresh.length });
      this.#indexer.kick();
    }
    const lastUid = Math.max(previous && previous.uidValidity === validity ? previous.lastUid : 0, ...server);
    if (!signal?.aborted) mailboxes.setFolderState(account.sourceId, folder, { uidValidity: validity, lastUid });
    if (removed) this.#indexer.kick();
    return { added: done, removed };
  }

  async #watchFolder(account: Account, folder: string, signal: AbortSignal): Promise<void> {
    let delay = this.#backoff.initialMs;
    while (!signal.aborted && this.#exists(account)) {
      let client: ImapFlow | null = null;
      try {
        client = await this.#open(account);
        delay = this.#backoff.initialMs;
        const open = client;
        let dirty = true;
        let wake: () => void = () => {};
        const changed = () => {
          dirty = true;
          wake();
        };
        const closed = new Promise<void>((resolve) => open.once('close', () => resolve()));
        const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        open.on('exists', changed);
        open.on('expunge', changed);
        open.on('close', changed);
        while (!signal.aborted && open.usable) {
          if (!this.#exists(account)) return;
          if (dirty) {
            dirty = false;
            await this.#syncFolder(open, account, folder, signal);
            if (signal.aborted) return;
            this.#library.mailboxes.markSynced(account.sourceId);
            this.#setState(account, folder, { state: 'watching' });
            continue;
          }
          const woken = new Promise<void>((resolve) => (wake = resolve));
          // IDLE until the server reports a change; the next command (the sync) ends it.
          await Promise.race([open.idle().catch(() => {}), woken, closed, aborted]);
        }
        if (signal.aborted) return;
      } catch (error) {
        if (!this.#exists(account)) return;
        const e = mailError(error, account.settings);
        if (isPermanent(e)) {
          this.#setState(account, folder, { state: 'error', reason: e.message, code: e.code });
          return;
        }
        if (signal.aborted) return;
        this.#setState(account, folder, { state: 'reconnecting', reason: e.message, code: e.code });
      } finally {
        if (client) await client.logout().catch(() => client?.close());
      }
      if (signal.aborted) return;
      this.#setState(account, folder, { state: 'reconnecting', reason: `Connection lost; trying again in ${formatDelay(delay)}.` });
      await sleep(delay, signal);
      delay = Math.min(delay * 2, this.#backoff.maxMs);
    }
  }
}

function formatDelay(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
