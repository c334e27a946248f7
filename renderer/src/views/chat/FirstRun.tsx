// The first start: what is missing before Cairn can answer, one step each. A chat model (the one
// recommended for this machine, why, its size, whether it fits, download with progress, speed and
// time left, then use it), something to read (a folder: the system's picker in the desktop app,
// its path in a browser; or files dropped on the window), and optionally a mail account (the
// Sources view's form, tested before it is saved). Steps already done show as done; until a chat
// model exists, search works and an answer says what is missing.
import { CheckCircle2, Cpu, FolderOpen, FolderPlus, Mail } from 'lucide-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { TextInput } from '../../components/Field.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { useT } from '../../i18n/index.tsx';
import { choosePaths, useDesktop } from '../../state/desktop.ts';
import { navigation } from '../../state/navigation.ts';
import { notify, notifyError } from '../../state/notices.ts';
import { invalidate, setQueryData, useQuery } from '../../state/query.ts';
import { DownloadProgress, FitChip } from '../models/CatalogCard.tsx';
import { machineText } from '../models/describe.ts';
import { pull, useDownload } from '../models/downloads.ts';
import { MailDialog } from '../sources/MailDialog.tsx';

function Step({ icon, title, done, children, testId }: { icon: ReactNode; title: string; done: boolean; children: ReactNode; testId: string }) {
  return (
    <li className={`step${done ? ' step--done' : ''}`} data-testid={testId}>
      <div className="step__icon" aria-hidden="true">
        {done ? <CheckCircle2 size={20} /> : icon}
      </div>
      <div className="step__body">
        <h3 className="step__title">{title}</h3>
        {children}
      </div>
    </li>
  );
}

function ChatModelStep() {
  const tr = useT();
  const { t } = tr;
  const models = useQuery('models.list', {});
  const catalog = useQuery('models.catalog', {});
  const chat = models.data?.chat ?? null;
  const recommended = catalog.data?.recommendation.chat ?? null;
  const entry = recommended ? catalog.data?.models.find((m) => m.id === recommended.id) : undefined;
  const file = recommended ? models.data?.models.find((m) => m.name === recommended.file) : undefined;
  const { running } = useDownload(recommended?.file ?? '');

  const use = async () => {
    if (!recommended) return;
    try {
      setQueryData('models.list', {}, await api.models.useChat({ type: 'file', model: recommended.id }));
    } catch (error) {
      notifyError(t('firstRun.useFailed'), error);
    }
  };

  let body: ReactNode;
  if (chat) body = <p className="step__text">{t('firstRun.modelReady', { name: chat.name })}</p>;
  else if (!catalog.data) body = catalog.error ? <p className="step__text">{catalog.error.message}</p> : <Spinner label={t('common.loading')} />;
  else if (!recommended) {
    body = (
      <>
        <p className="step__text">{t('firstRun.noLocalModel', { machine: machineText(tr, catalog.data.hardware) })}</p>
        <div className="step__actions">
          <Button onClick={() => navigation.showView('models')}>{t('firstRun.otherModels')}</Button>
        </div>
      </>
    );
  } else {
    const partial = file?.status === 'partial';
    body = (
      <>
        <p className="step__text">
          {t('firstRun.modelRecommended', { name: recommended.name, size: tr.bytes(recommended.sizeBytes) })}
          <span className="step__why">{t('firstRun.modelWhy', { machine: machineText(tr, catalog.data.hardware) })}</span>
        </p>
        {entry ? (
          <div className="step__chips">
            <FitChip fit={entry.fit} />
            <span className="badge">{t('firstRun.licence', { licence: recommended.license })}</span>
          </div>
        ) : null}
        <DownloadProgress file={recommended.file} name={recommended.name} />
        <div className="step__actions">
          {file?.status === 'ready' ? (
            <Button variant="primary" onClick={() => void use()}>
              {t('firstRun.useModel', { name: recommended.name })}
            </Button>
          ) : running ? null : (
            <Button variant="primary" onClick={() => void pull(recommended.id, t('firstRun.pullFailed'))}>
              {partial ? t('firstRun.resume', { size: tr.bytes(recommended.sizeBytes) }) : t('firstRun.download', { size: tr.bytes(recommended.sizeBytes) })}
            </Button>
          )}
          <Button variant="ghost" onClick={() => navigation.showView('models')}>
            {t('firstRun.otherModels')}
          </Button>
        </div>
        <p className="step__note">{t('firstRun.searchMeanwhile')}</p>
      </>
    );
  }
  return (
    <Step icon={<Cpu size={20} />} title={t('firstRun.modelTitle')} done={!!chat} testId="step-model">
      {body}
    </Step>
  );
}

function FolderStep({ done }: { done: boolean }) {
  const { t } = useT();
  const desktop = useDesktop();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const add = async (folder: string) => {
    setBusy(true);
    try {
      const source = await api.folders.add({ path: folder });
      notify(t('firstRun.folderAdded', { name: source.name }));
      setPath('');
      invalidate(['sources.list', 'library.status']);
    } catch (error) {
      notifyError(t('firstRun.folderFailed'), error);
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (path.trim()) void add(path.trim());
  };
  const choose = async () => {
    try {
      const [chosen] = await choosePaths({ pick: 'folders', multiple: false, title: t('firstRun.folderTitle') });
      if (chosen) await add(chosen);
    } catch (error) {
      notifyError(t('firstRun.folderFailed'), error);
    }
  };
  return (
    <Step icon={<FolderPlus size={20} />} title={t('firstRun.folderTitle')} done={done} testId="step-folder">
      <p className="step__text">{desktop ? t('firstRun.folderTextDesktop') : t('firstRun.folderTextWeb')}</p>
      {desktop ? (
        <div className="step__actions">
          <Button variant={done ? 'secondary' : 'primary'} icon={<FolderOpen size={15} />} onClick={() => void choose()} disabled={busy}>
            {t('firstRun.folderChoose')}
          </Button>
        </div>
      ) : (
        <form className="step__form" onSubmit={submit}>
          <TextInput value={path} onChange={(e) => setPath(e.target.value)} placeholder={t('firstRun.folderPlaceholder')} aria-label={t('firstRun.folderLabel')} spellCheck={false} />
          <Button type="submit" variant={done ? 'secondary' : 'primary'} disabled={!path.trim() || busy}>
            {t('firstRun.folderAdd')}
          </Button>
        </form>
      )}
    </Step>
  );
}

function MailStep() {
  const { t } = useT();
  const mail = useQuery('mail.list', {});
  const [open, setOpen] = useState(false);
  const accounts = mail.data ?? [];
  return (
    <Step icon={<Mail size={20} />} title={t('firstRun.mailTitle')} done={accounts.length > 0} testId="step-mail">
      <p className="step__text">{accounts.length ? t('firstRun.mailAdded', { name: `${accounts[0]!.user}@${accounts[0]!.host}` }) : t('firstRun.mailText')}</p>
      <div className="step__actions">
        <Button variant="ghost" icon={<Mail size={15} />} onClick={() => setOpen(true)}>
          {t('firstRun.mailAction')}
        </Button>
      </div>
      <MailDialog open={open} onOpenChange={setOpen} />
    </Step>
  );
}

export function FirstRun({ hasDocuments }: { hasDocuments: boolean }) {
  const { t } = useT();
  return (
    <section className="first-run" aria-labelledby="first-run-title" data-testid="first-run">
      <h1 id="first-run-title" className="first-run__title">
        {t('firstRun.title')}
      </h1>
      <p className="first-run__lead">{t('firstRun.lead')}</p>
      <ol className="steps">
        <ChatModelStep />
        <FolderStep done={hasDocuments} />
        <MailStep />
      </ol>
    </section>
  );
}
