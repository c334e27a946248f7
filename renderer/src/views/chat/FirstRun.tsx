// The first start: what is missing before Cairn can answer, one step each. A chat model (the one
// recommended for this machine, its size, download with progress, then use it), something to read
// (a folder by its path, or files dropped on the window in the desktop app), and optionally a
// mailbox. Steps already done show as done; Models and Sources hold the full versions.
import { CheckCircle2, Cpu, FolderPlus, Mail } from 'lucide-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../../api/index.ts';
import { desktop } from '../../api/desktop.ts';
import { Button } from '../../components/Button.tsx';
import { TextInput } from '../../components/Field.tsx';
import { ProgressBar, ProgressLine } from '../../components/Progress.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { useT } from '../../i18n/index.tsx';
import { useActivity } from '../../state/activity.ts';
import { navigation } from '../../state/navigation.ts';
import { notify, notifyError } from '../../state/notices.ts';
import { invalidate, setQueryData, useQuery } from '../../state/query.ts';

function Step({ icon, title, done, children }: { icon: ReactNode; title: string; done: boolean; children: ReactNode }) {
  return (
    <li className={`step${done ? ' step--done' : ''}`}>
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
  const jobs = useActivity();
  const chat = models.data?.chat ?? null;
  const recommended = catalog.data?.recommendation.chat ?? null;
  const file = recommended ? models.data?.models.find((m) => m.name === recommended.file) : undefined;
  const download = recommended ? jobs.find((j) => j.id === `download:${recommended.file}`) : undefined;
  const pulling = download?.state === 'running' || (recommended ? models.data?.pulling.includes(recommended.file) : false);

  const pull = () => recommended && api.models.pull({ model: recommended.id }).catch((e: unknown) => notifyError(t('firstRun.pullFailed'), e));
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
  else if (!recommended) body = <p className="step__text">{catalog.data.recommendation.reason}</p>;
  else {
    body = (
      <>
        <p className="step__text">
          {t('firstRun.modelRecommended', { name: recommended.name, size: tr.bytes(recommended.sizeBytes) })}
          <span className="step__why">{catalog.data.recommendation.reason}</span>
        </p>
        {pulling && download ? (
          <div className="step__progress">
            <ProgressBar done={download.done} total={download.total} label={t('firstRun.downloading', { name: recommended.name })} />
            <ProgressLine done={download.done} total={download.total} unit="bytes" rate={download.rate} etaSeconds={download.etaSeconds} />
          </div>
        ) : null}
        <div className="step__actions">
          {file?.status === 'ready' ? (
            <Button variant="primary" onClick={() => void use()}>
              {t('firstRun.useModel', { name: recommended.name })}
            </Button>
          ) : pulling ? (
            <Button onClick={() => void api.models.cancelPull({ file: recommended.file })}>{t('activity.cancel')}</Button>
          ) : (
            <Button variant="primary" onClick={() => void pull()}>
              {file?.status === 'partial' ? t('firstRun.resume', { size: tr.bytes(recommended.sizeBytes) }) : t('firstRun.download', { size: tr.bytes(recommended.sizeBytes) })}
            </Button>
          )}
          <Button variant="ghost" onClick={() => navigation.showView('models')}>
            {t('firstRun.otherModels')}
          </Button>
        </div>
      </>
    );
  }
  return (
    <Step icon={<Cpu size={20} />} title={t('firstRun.modelTitle')} done={!!chat}>
      {body}
    </Step>
  );
}

function FolderStep({ done }: { done: boolean }) {
  const { t } = useT();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!path.trim()) return;
    setBusy(true);
    try {
      const source = await api.folders.add({ path: path.trim() });
      notify(t('firstRun.folderAdded', { name: source.name }));
      setPath('');
      invalidate(['sources.list', 'library.status']);
    } catch (error) {
      notifyError(t('firstRun.folderFailed'), error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Step icon={<FolderPlus size={20} />} title={t('firstRun.folderTitle')} done={done}>
      <p className="step__text">{desktop()?.pathForFile ? t('firstRun.folderTextDesktop') : t('firstRun.folderTextWeb')}</p>
      <form className="step__form" onSubmit={(e) => void add(e)}>
        <TextInput value={path} onChange={(e) => setPath(e.target.value)} placeholder={t('firstRun.folderPlaceholder')} aria-label={t('firstRun.folderLabel')} spellCheck={false} />
        <Button type="submit" variant={done ? 'secondary' : 'primary'} disabled={!path.trim() || busy}>
          {t('firstRun.folderAdd')}
        </Button>
      </form>
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
        <Step icon={<Mail size={20} />} title={t('firstRun.mailTitle')} done={false}>
          <p className="step__text">{t('firstRun.mailText')}</p>
          <div className="step__actions">
            <Button variant="ghost" onClick={() => navigation.showView('sources')}>
              {t('firstRun.mailAction')}
            </Button>
          </div>
        </Step>
      </ol>
    </section>
  );
}
