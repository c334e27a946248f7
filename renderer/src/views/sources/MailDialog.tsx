// Adding a mail account (IMAP), or entering its password again: the address and password (an app
// password where the provider asks for one), the server, its port and security, the folders to
// sync. "Test connection" asks the server without saving anything and shows its answer in plain
// words; adding tests again, then saves (the password goes to the secret store, never the library).
import { CheckCircle2, CircleAlert, PlugZap } from 'lucide-react';
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { MailAccountInfo, MailAccountSettings, MailSecurity } from '../../../../app/contract/index.ts';
import { api } from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { Field, Select, TextInput } from '../../components/Field.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { useT } from '../../i18n/index.tsx';
import { notify } from '../../state/notices.ts';
import { invalidate } from '../../state/query.ts';
import { codeOf, explain } from './explain.ts';

type Outcome = { ok: true; settings: MailAccountSettings } | { ok: false; code: string | null; message: string };

const defaultPort = (security: MailSecurity) => (security === 'tls' ? 993 : 143);

/** The usual IMAP host for an address: imap.<its domain>. */
function guessHost(user: string): string {
  const domain = user.split('@')[1]?.trim().toLowerCase();
  return domain && domain.includes('.') ? `imap.${domain}` : '';
}

export function MailDialog({ open, onOpenChange, account }: { open: boolean; onOpenChange: (open: boolean) => void; account?: MailAccountInfo | null }) {
  const { t } = useT();
  const id = useId();
  const [user, setUser] = useState('');
  const [secret, setSecret] = useState('');
  const [host, setHost] = useState('');
  const [hostTouched, setHostTouched] = useState(false);
  const [port, setPort] = useState('');
  const [security, setSecurity] = useState<MailSecurity>('tls');
  const [folders, setFolders] = useState('');
  const [busy, setBusy] = useState<'test' | 'add' | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  useEffect(() => {
    if (!open) return;
    setUser(account?.user ?? '');
    setSecret('');
    setHost(account?.host ?? '');
    setHostTouched(!!account);
    setPort(account ? String(account.port) : '');
    setSecurity(account?.security ?? 'tls');
    setFolders(account?.folders.join(', ') ?? '');
    setOutcome(null);
    setBusy(null);
  }, [open, account]);

  const portNumber = port.trim() ? Number(port) : undefined;
  const portValid = portNumber === undefined || (Number.isInteger(portNumber) && portNumber >= 1 && portNumber <= 65535);
  const ready = user.trim() && secret && host.trim() && portValid && !busy;
  const input = () => {
    const chosen = folders.split(',').map((f) => f.trim()).filter(Boolean);
    return { host: host.trim(), ...(portNumber ? { port: portNumber } : {}), security, user: user.trim(), secret, ...(chosen.length ? { folders: chosen } : {}) };
  };
  const failed = (error: unknown): Outcome => ({ ok: false, code: codeOf(error), message: error instanceof Error ? error.message : String(error) });

  const test = async () => {
    setBusy('test');
    setOutcome(null);
    try {
      setOutcome({ ok: true, settings: await api.mail.test(input()) });
    } catch (error) {
      setOutcome(failed(error));
    } finally {
      setBusy(null);
    }
  };

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    setBusy('add');
    setOutcome(null);
    try {
      const added = await api.mail.add(input());
      invalidate(['mail.list', 'sources.list', 'library.status']);
      notify(account ? t('sources.mailDialog.updated', { name: `${added.user}@${added.host}` }) : t('sources.mailDialog.added', { name: `${added.user}@${added.host}` }));
      onOpenChange(false);
    } catch (error) {
      setOutcome(failed(error));
    } finally {
      setBusy(null);
    }
  };

  const explained = outcome && !outcome.ok ? explain(outcome.code) : null;
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      wide
      title={account ? t('sources.mailDialog.editTitle') : t('sources.mailDialog.title')}
      description={account ? t('sources.mailDialog.editText', { name: `${account.user}@${account.host}` }) : t('sources.mailDialog.text')}
    >
      <form className="form" onSubmit={(e) => void add(e)} data-testid="mail-dialog">
        <div className="form__columns">
          <Field label={t('sources.mailDialog.user')} htmlFor={`${id}-user`}>
            <TextInput
              id={`${id}-user`}
              value={user}
              onChange={(e) => setUser(e.target.value)}
              onBlur={() => !hostTouched && !host && setHost(guessHost(user))}
              placeholder={t('sources.mailDialog.userPlaceholder')}
              autoComplete="username"
              spellCheck={false}
              autoFocus={!account}
              readOnly={!!account}
            />
          </Field>
          <Field label={t('sources.mailDialog.password')} htmlFor={`${id}-secret`} help={t('sources.mailDialog.passwordHelp')}>
            <TextInput id={`${id}-secret`} type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="current-password" autoFocus={!!account} />
          </Field>
        </div>
        <div className="form__server">
          <Field label={t('sources.mailDialog.host')} htmlFor={`${id}-host`}>
            <TextInput
              id={`${id}-host`}
              value={host}
              onChange={(e) => {
                setHost(e.target.value);
                setHostTouched(true);
              }}
              placeholder={t('sources.mailDialog.hostPlaceholder')}
              spellCheck={false}
              readOnly={!!account}
            />
          </Field>
          <Field label={t('sources.mailDialog.security')} htmlFor={`${id}-security`}>
            <Select id={`${id}-security`} value={security} onChange={(e) => setSecurity(e.target.value as MailSecurity)}>
              <option value="tls">{t('sources.mailDialog.tls')}</option>
              <option value="starttls">{t('sources.mailDialog.starttls')}</option>
              <option value="plain">{t('sources.mailDialog.plain')}</option>
            </Select>
          </Field>
          <Field label={t('sources.mailDialog.port')} htmlFor={`${id}-port`} error={portValid ? null : t('sources.mailDialog.badPort')}>
            <TextInput id={`${id}-port`} value={port} onChange={(e) => setPort(e.target.value)} inputMode="numeric" placeholder={String(defaultPort(security))} readOnly={!!account} />
          </Field>
        </div>
        <Field label={t('sources.mailDialog.folders')} htmlFor={`${id}-folders`} help={t('sources.mailDialog.foldersHelp')}>
          <TextInput id={`${id}-folders`} value={folders} onChange={(e) => setFolders(e.target.value)} placeholder={t('sources.mailDialog.foldersPlaceholder')} spellCheck={false} />
        </Field>

        {outcome ? (
          <div className={`outcome outcome--${outcome.ok ? 'ok' : 'error'}`} role={outcome.ok ? 'status' : 'alert'} data-testid="mail-outcome">
            <span className="outcome__icon" aria-hidden="true">
              {outcome.ok ? <CheckCircle2 size={18} /> : <CircleAlert size={18} />}
            </span>
            <div className="outcome__body">
              {outcome.ok ? (
                <p className="outcome__title">{t('sources.mailDialog.works', { host: outcome.settings.host, folders: outcome.settings.folders.join(', ') })}</p>
              ) : (
                <>
                  <p className="outcome__title">{explained ? t(explained) : t('sources.mailDialog.failed')}</p>
                  <p className="outcome__detail">
                    {t('sources.mailDialog.serverSaid')} <span className="outcome__quote">{outcome.message}</span>
                  </p>
                </>
              )}
            </div>
          </div>
        ) : null}

        <div className="c-dialog__footer c-dialog__footer--split">
          <Button icon={busy === 'test' ? <Spinner size={13} /> : <PlugZap size={15} />} onClick={() => void test()} disabled={!ready}>
            {busy === 'test' ? t('sources.mailDialog.testing') : t('sources.mailDialog.test')}
          </Button>
          <span className="c-dialog__spacer" />
          <Button onClick={() => onOpenChange(false)}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" disabled={!ready} icon={busy === 'add' ? <Spinner size={13} /> : undefined}>
            {busy === 'add' ? t('sources.mailDialog.adding') : account ? t('sources.mailDialog.save') : t('sources.mailDialog.add')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
