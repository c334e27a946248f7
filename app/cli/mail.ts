// `cairn mail`: IMAP accounts. add tests the connection before saving (the password or token is
// read from stdin and kept in the OS keychain, else a 0600 file), list shows each account's
// state, sync fetches and indexes what is new (--watch: then stays in IDLE until Ctrl-C), remove
// takes an account and its messages out.
import { CairnError, type MailAccountInfo, type MailSecurity, type SourceStateEvent } from '../contract/index.ts';
import type { Engine } from '../engine.ts';
import { defaultPort } from '../sources/mail-account.ts';
import type { MailService } from '../sources/mail-service.ts';
import { portOption } from './options.ts';
import { terminalLine } from './terminal-text.ts';

export const MAIL_USAGE = `  mail add --host H --user U [--port P] [--tls|--starttls|--plain] [--password-stdin|--token-stdin] [--folder F]...
                          add an IMAP account (tests the connection first; default folders INBOX and Sent;
                          --token-stdin: an OAuth2 access token, XOAUTH2; --plain only to 127.0.0.1/localhost)
  mail [list] [--json]    accounts with their state
  mail sync [--watch]     fetch and index new mail; --watch: then follow changes (IDLE) until Ctrl-C
  mail remove <id|user@host>  remove an account and its messages`;

/** The options `cairn mail` adds to the command line (main.ts merges them into its own). */
export const mailOptions = {
  user: { type: 'string' },
  tls: { type: 'boolean' },
  starttls: { type: 'boolean' },
  'password-stdin': { type: 'boolean' },
  'token-stdin': { type: 'boolean' },
  folder: { type: 'string', multiple: true },
  watch: { type: 'boolean' },
} as const;

export interface MailValues {
  host?: string;
  port?: string;
  user?: string;
  tls?: boolean;
  starttls?: boolean;
  plain?: boolean;
  'password-stdin'?: boolean;
  'token-stdin'?: boolean;
  folder?: string[];
  watch?: boolean;
  json?: boolean;
}

export async function runMailCommand(engine: Engine, args: string[], values: MailValues, signal: AbortSignal): Promise<number> {
  const [action = 'list', ...rest] = args;
  const mail = engine.mail;
  const stopPrinting = engine.onEvent((event) => {
    if (event.type === 'source-state') printState(event);
  });
  // Ctrl-C also stops the indexing a sync started; what is queued runs next time.
  const interrupt = () => engine.interruptIndexing();
  signal.addEventListener('abort', interrupt, { once: true });
  try {
    return await mailAction(engine, mail, action, rest, values, signal);
  } finally {
    stopPrinting();
    signal.removeEventListener('abort', interrupt);
  }
}

async function mailAction(engine: Engine, mail: MailService, action: string, rest: string[], values: MailValues, signal: AbortSignal): Promise<number> {
  switch (action) {
    case 'add':
      return add(mail, values);
    case 'list': {
      const accounts = mail.list();
      if (values.json) console.log(JSON.stringify(accounts, null, 2));
      else if (accounts.length === 0) console.log('No mail accounts. Add one with `cairn mail add --host H --user U --password-stdin`.');
      else for (const a of accounts) console.log(describe(a));
      return 0;
    }
    case 'sync': {
      if (mail.list().length === 0) throw new CairnError('usage', 'No mail accounts to sync; add one with `cairn mail add`.');
      // Refused before syncing while another process watches the library.
      if (values.watch) engine.lockWatching();
      let failed = false;
      try {
        const summary = await mail.sync(undefined, signal);
        console.error(`Mail: ${summary.added} new, ${summary.removed} removed.`);
      } catch (error) {
        if (!(error instanceof CairnError)) throw error;
        console.error(`cairn: ${terminalLine(error.message)}`);
        failed = true;
      }
      if (values.watch && !signal.aborted) {
        console.error('Watching for new mail (Ctrl-C stops)…');
        await mail.watch(signal);
        failed = mail.list().some((a) => a.state.state === 'error');
      }
      return failed ? 1 : 0;
    }
    case 'remove': {
      const ref = rest[0];
      if (!ref) throw new CairnError('usage', 'cairn mail remove needs an account id or user@host (see `cairn mail list`).');
      const account = mail.find(ref);
      if (!account) throw new CairnError('mail-unknown-account', `No mail account "${ref}" (see \`cairn mail list\`).`);
      await mail.remove(account.sourceId);
      console.log(`Removed ${terminalLine(`${account.user}@${account.host}`)} and its ${account.messages} messages.`);
      return 0;
    }
    default:
      throw new CairnError('usage', `Unknown mail action: ${action}\n\n${MAIL_USAGE}`);
  }
}

async function add(mail: MailService, values: MailValues): Promise<number> {
  if (!values.host || !values.user) throw new CairnError('usage', 'cairn mail add needs --host and --user.');
  const modes = [values.tls && 'tls', values.starttls && 'starttls', values.plain && 'plain'].filter(Boolean) as MailSecurity[];
  if (modes.length > 1) throw new CairnError('usage', 'Choose one of --tls, --starttls and --plain.');
  if (values['password-stdin'] && values['token-stdin']) throw new CairnError('usage', 'Choose one of --password-stdin and --token-stdin.');
  const port = values.port === undefined ? undefined : portOption(values.port);
  const security: MailSecurity = modes[0] ?? (port === 143 ? 'starttls' : 'tls');
  if (!values['password-stdin'] && !values['token-stdin']) {
    throw new CairnError('usage', 'Give the password on stdin with --password-stdin (or an OAuth2 access token with --token-stdin), e.g. `secret-tool lookup … | cairn mail add … --password-stdin`.');
  }
  const secret = (await readStdin()).replace(/\r?\n$/, '');
  if (!secret) throw new CairnError('usage', 'Nothing was read from stdin.');
  console.error(`Connecting to ${terminalLine(values.host)}:${port ?? defaultPort(security)} (${security})…`);
  const account = await mail.add({
    host: values.host, ...(port ? { port } : {}), security, user: values.user, secret,
    auth: values['token-stdin'] ? 'oauth2' : 'password',
    ...(values.folder?.length ? { folders: values.folder } : {}),
  });
  console.log(`Added ${describe(account)}`);
  console.log('Run `cairn mail sync` to fetch its mail (`--watch` to follow it).');
  return 0;
}

function describe(a: MailAccountInfo): string {
  const state = a.state.state === 'error' ? `error: ${a.state.reason ?? ''}` : a.state.state;
  return terminalLine(`${a.sourceId}  ${a.user}@${a.host}:${a.port} (${a.security})  folders: ${a.folders.join(', ')}  ${a.messages} messages${a.pending ? `, ${a.pending} queued` : ''}  [${state}]`);
}

let lastLine = '';
function printState(event: SourceStateEvent): void {
  const s = event.state;
  const where = `${event.name}${event.folder ? `/${event.folder}` : ''}`;
  const line = s.state === 'syncing' ? `${where}: syncing ${s.done ?? 0} of ${s.total ?? '?'}`
    : s.state === 'error' || s.state === 'reconnecting' ? `${where}: ${s.state}: ${s.reason ?? ''}`
      : `${where}: ${s.state}`;
  if (line === lastLine) return;
  lastLine = line;
  console.error(terminalLine(line));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
