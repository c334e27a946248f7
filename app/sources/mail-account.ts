// An IMAP account: its settings, the uris its documents get, how to open a connection to it, and
// what a failed connection means in words (wrong password, unknown host, TLS, timeout...).
import { ImapFlow, type ImapFlowOptions, type ListResponse } from 'imapflow';
import { CairnError, MailAccountSettings, type MailSecurity } from '../contract/index.ts';

export interface MailAccountInput {
  host: string;
  port?: number;
  security: MailSecurity;
  user: string;
  /** A password or app password, or (auth 'oauth2') an OAuth2 access token for XOAUTH2. */
  secret: string;
  auth?: 'password' | 'oauth2';
  /** Folders to sync; default INBOX and the folder the server marks \Sent. */
  folders?: string[];
}

export interface ConnectOptions {
  /** TCP + TLS connect, and then the greeting, each at most this long (default 20 s). */
  timeoutMs?: number;
  /** Extra TLS options (tests: a private CA). */
  tls?: ImapFlowOptions['tls'];
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function defaultPort(security: MailSecurity): number {
  return security === 'tls' ? 993 : 143;
}

/** Checks what can be checked without a server: plain text only to this machine. */
export function validateSettings(settings: MailAccountSettings): MailAccountSettings {
  const parsed = MailAccountSettings.parse(settings);
  if (parsed.security === 'plain' && !LOCAL_HOSTS.has(parsed.host.toLowerCase())) {
    throw new CairnError('mail-plain-refused', `Refusing to send a password unencrypted to ${parsed.host}: use --tls or --starttls (plain is only allowed to 127.0.0.1 / localhost).`);
  }
  return parsed;
}

/** imap://user@host:port — the account's source uri, and the start of its documents' uris. */
export function accountUri(settings: Pick<MailAccountSettings, 'user' | 'host' | 'port'>): string {
  return `imap://${encodeURIComponent(settings.user)}@${settings.host.toLowerCase()}:${settings.port}`;
}

export function folderUri(account: string, folder: string): string {
  return `${account}/${folder}`;
}

/** After RFC 5092: imap://user@host:port/INBOX;UIDVALIDITY=v/;UID=n */
export function messageUri(folder: string, uidValidity: string, uid: number): string {
  return `${folder};UIDVALIDITY=${uidValidity}/;UID=${uid}`;
}

/** The secret store key of an account. */
export function secretKey(uri: string): string {
  return `mail:${uri}`;
}

export function clientOptions(settings: MailAccountSettings, secret: string, options: ConnectOptions = {}): ImapFlowOptions {
  const timeout = options.timeoutMs ?? 20_000;
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    // STARTTLS is required when asked for (never silently plain); never tried for plain.
    doSTARTTLS: settings.security === 'starttls',
    auth: settings.auth === 'oauth2' ? { user: settings.user, accessToken: secret } : { user: settings.user, pass: secret },
    logger: false,
    disableAutoIdle: true,
    // Servers drop an IDLE after 30 minutes and imapflow's watchdog fires after 5 quiet ones:
    // renew it well before either.
    maxIdleTime: 4 * 60_000,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    ...(options.tls ? { tls: options.tls } : {}),
  };
}

/** Opens and logs in; failures become CairnErrors with a code and a message for people. */
export async function connect(settings: MailAccountSettings, secret: string, options: ConnectOptions = {}): Promise<ImapFlow> {
  const client = new ImapFlow(clientOptions(settings, secret, options));
  // An 'error' event with no listener would throw; the caller learns of it through 'close'.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    client.close();
    throw mailError(error, settings);
  }
  return client;
}

/** Whether an error (as mailError makes them) means retrying cannot help until the user acts. */
export function isPermanent(error: unknown): boolean {
  return error instanceof CairnError && (error.code === 'mail-auth-failed' || error.code === 'mail-plain-refused' || error.code === 'mail-folder-missing');
}

interface ErrorLike {
  code?: string;
  authenticationFailed?: boolean;
  tlsFailed?: boolean;
  responseText?: string;
  serverResponseCode?: string;
  message?: string;
  _err?: ErrorLike;
}

/** Translates what imapflow and Node report into a CairnError a person can act on. */
export function mailError(error: unknown, settings: Pick<MailAccountSettings, 'host' | 'port' | 'user' | 'security'>): CairnError {
  if (error instanceof CairnError) return error;
  const e = (error ?? {}) as ErrorLike;
  const inner = e._err ?? {};
  const code = e.code ?? inner.code ?? '';
  const text = (e.responseText ?? e.message ?? String(error)).replace(/^[0-9A-F]+:error:[0-9A-F]+:SSL routines:([^:]+:)?([^:]+):.*$/s, 'TLS error: $2').trim();
  const where = `${settings.host}:${settings.port}`;
  if (e.authenticationFailed) {
    return new CairnError('mail-auth-failed', `The server refused the login for ${settings.user} at ${where}: wrong user name, password or token (${text}). For accounts with two-step verification, use an app password.`, { cause: error });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return new CairnError('mail-unknown-host', `Unknown host ${settings.host}: check the server name (DNS found no such host).`, { cause: error });
  }
  if (code === 'ECONNREFUSED') {
    return new CairnError('mail-refused', `Nothing accepts connections at ${where}: check the port and whether the server is up.`, { cause: error });
  }
  if (code === 'CONNECT_TIMEOUT' || code === 'GREETING_TIMEOUT' || code === 'UPGRADE_TIMEOUT' || code === 'ETIMEOUT' || code === 'ETIMEDOUT') {
    return new CairnError('mail-timeout', `${where} did not answer in time (${code}): check the host, the port and your network.`, { cause: error });
  }
  const tlsText = `${code} ${text} ${inner.message ?? ''}`;
  if (e.tlsFailed || /^(ERR_SSL|ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|EPROTO)/.test(code) || /ssl|tls|certificate|wrong version number/i.test(tlsText)) {
    const hint = settings.security === 'tls' ? ' Is this the TLS port (usually 993)? For port 143 use --starttls.' : '';
    return new CairnError('mail-tls-failed', `A secure connection to ${where} could not be made: ${text}.${hint}`, { cause: error });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'NoConnection' || code === 'EConnectionClosed' || code === 'ClosedAfterConnectText' || code === 'ClosedAfterConnectTLS') {
    return new CairnError('mail-disconnected', `The connection to ${where} was closed (${code}).`, { cause: error });
  }
  return new CairnError('mail-failed', `The IMAP server at ${where} failed: ${text}${code ? ` (${code})` : ''}.`, { cause: error });
}

/** INBOX and the folder with the \Sent special-use flag (if the server has one). */
export function defaultFolders(list: ListResponse[]): string[] {
  const folders = ['INBOX'];
  const sent = list.find((f) => f.specialUse === '\\Sent');
  if (sent) folders.push(sent.path);
  return folders;
}

/**
 * Connects and logs in as the account would, then lists the folders: the chosen ones must exist
 * (none chosen: INBOX and Sent). Returns the settings to save, with the folders resolved.
 */
export async function testAccount(input: MailAccountInput, options: ConnectOptions = {}): Promise<MailAccountSettings> {
  const settings = validateSettings({
    host: input.host.trim(),
    port: input.port ?? defaultPort(input.security),
    security: input.security,
    user: input.user,
    auth: input.auth ?? 'password',
    folders: input.folders?.length ? input.folders : ['INBOX'],
  });
  const client = await connect(settings, input.secret, options);
  try {
    const list = await client.list();
    const names = new Set(list.map((f) => f.path));
    const folders = input.folders?.length ? input.folders : defaultFolders(list);
    const missing = folders.filter((f) => f.toUpperCase() !== 'INBOX' && !names.has(f));
    if (missing.length) {
      throw new CairnError('mail-folder-missing', `No folder ${missing.map((m) => `"${m}"`).join(', ')} on ${settings.host}; it has: ${[...names].join(', ')}.`);
    }
    return { ...settings, folders };
  } catch (error) {
    throw mailError(error, settings);
  } finally {
    await client.logout().catch(() => client.close());
  }
}
