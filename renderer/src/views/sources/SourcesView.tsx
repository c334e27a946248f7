// Sources: watched folders and mail accounts, each with its live state (from the `sources` event:
// scanning, indexing n of m, watching, syncing, errors with the reason and what to do), progress,
// last sync, rules; adding a folder (the system's picker in the desktop app, a path in a browser)
// or a mail account (tested before it is saved); pause, resume, remove.
import { FolderPlus, FolderTree, MailPlus } from 'lucide-react';
import { useState } from 'react';
import type { MailAccountInfo, SourceStatus } from '../../../../app/contract/index.ts';
import { api } from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { ConfirmDialog } from '../../components/Dialog.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { useT } from '../../i18n/index.tsx';
import { navigation } from '../../state/navigation.ts';
import { notify, notifyError } from '../../state/notices.ts';
import { invalidate, useQuery } from '../../state/query.ts';
import { FolderDialog } from './FolderDialog.tsx';
import { MailDialog } from './MailDialog.tsx';
import { SourceCard } from './SourceCard.tsx';

type Open = { type: 'folder'; editing: SourceStatus | null } | { type: 'mail'; account: MailAccountInfo | null } | { type: 'remove'; source: SourceStatus } | null;

export default function SourcesView() {
  const { t } = useT();
  const sources = useQuery('sources.list', {});
  const mail = useQuery('mail.list', {});
  const [open, setOpen] = useState<Open>(null);
  const close = (isOpen: boolean) => !isOpen && setOpen(null);

  const folders = (sources.data ?? []).filter((s) => s.kind === 'folder');
  const mailboxes = (sources.data ?? []).filter((s) => s.kind === 'mailbox');
  // Files added one by one (dropped, `cairn add`) are not watched: they are only counted here.
  const added = (sources.data ?? []).filter((s) => s.kind === 'import' || s.kind === 'web').reduce((n, s) => n + s.documents, 0);
  const accountOf = (id: number) => mail.data?.find((a) => a.sourceId === id);

  const act = (what: string, action: () => Promise<unknown>) => () =>
    void action().then(
      () => invalidate(['mail.list']),
      (error: unknown) => notifyError(t('sources.actionFailed', { action: what }), error),
    );
  const actionsFor = (source: SourceStatus) => ({
    pause: act(t('sources.pause'), () => api.sources.pause({ sourceId: source.id })),
    resume: act(t('sources.resume'), () => api.sources.resume({ sourceId: source.id })),
    remove: () => setOpen({ type: 'remove', source }),
    edit: () => (source.kind === 'mailbox' ? setOpen({ type: 'mail', account: accountOf(source.id) ?? null }) : setOpen({ type: 'folder', editing: source })),
    ...(source.kind === 'mailbox' ? { sync: act(t('sources.syncNow'), () => api.mail.sync({ sourceId: source.id })) } : {}),
  });

  const remove = async (source: SourceStatus) => {
    try {
      const { removed } = source.kind === 'mailbox' ? await api.mail.remove({ sourceId: source.id }) : await api.folders.remove({ sourceId: source.id });
      notify(t('sources.removed', { name: source.name, count: removed }));
      invalidate(['sources.list', 'mail.list', 'library.status', 'documents.list']);
    } catch (error) {
      notifyError(t('sources.actionFailed', { action: t('sources.remove') }), error);
    }
  };

  const addFolder = (
    <Button variant="primary" icon={<FolderPlus size={15} />} onClick={() => setOpen({ type: 'folder', editing: null })}>
      {t('sources.addFolder')}
    </Button>
  );
  const addMail = (
    <Button icon={<MailPlus size={15} />} onClick={() => setOpen({ type: 'mail', account: null })}>
      {t('sources.addMail')}
    </Button>
  );
  const removing = open?.type === 'remove' ? open.source : null;

  return (
    <div className="view sources" data-testid="sources-view">
      <header className="view__header">
        <h1 className="view__title">{t('nav.sources')}</h1>
        {sources.data && sources.data.some((s) => s.kind === 'folder' || s.kind === 'mailbox') ? (
          <div className="view__actions">
            {addMail}
            {addFolder}
          </div>
        ) : null}
      </header>
      <div className="view__body">
        <div className="page">
          {sources.error ? <p className="quiet-note quiet-note--error">{sources.error.message}</p> : null}
          {sources.data && folders.length === 0 && mailboxes.length === 0 ? (
            <EmptyState
              icon={<FolderTree size={28} />}
              title={t('sources.emptyTitle')}
              actions={
                <>
                  {addFolder}
                  {addMail}
                </>
              }
            >
              <p>{t('sources.emptyText')}</p>
            </EmptyState>
          ) : null}
          {folders.length ? (
            <section aria-labelledby="sources-folders">
              <h2 className="section-title" id="sources-folders">
                {t('sources.folders')} <span className="section-title__count">{folders.length}</span>
              </h2>
              <ul className="src-cards">
                {folders.map((s) => (
                  <SourceCard key={s.id} source={s} actions={actionsFor(s)} />
                ))}
              </ul>
            </section>
          ) : null}
          {mailboxes.length ? (
            <section aria-labelledby="sources-mail">
              <h2 className="section-title" id="sources-mail">
                {t('sources.mail')} <span className="section-title__count">{mailboxes.length}</span>
              </h2>
              <ul className="src-cards">
                {mailboxes.map((s) => (
                  <SourceCard key={s.id} source={s} account={accountOf(s.id)} actions={actionsFor(s)} />
                ))}
              </ul>
            </section>
          ) : null}
          {added > 0 ? (
            <p className={`quiet-note${folders.length || mailboxes.length ? '' : ' quiet-note--center'}`}>
              {t('sources.addedOneByOne', { count: added })}{' '}
              <button type="button" className="link-button" onClick={() => navigation.showView('library')}>
                {t('sources.openLibrary')}
              </button>
            </p>
          ) : null}
          {folders.length || mailboxes.length ? <p className="quiet-note">{t('sources.footnote')}</p> : null}
        </div>
      </div>
      <FolderDialog open={open?.type === 'folder'} onOpenChange={close} editing={open?.type === 'folder' ? open.editing : null} />
      <MailDialog open={open?.type === 'mail'} onOpenChange={close} account={open?.type === 'mail' ? open.account : null} />
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={close}
        title={t('sources.removeTitle', { name: removing?.name ?? '' })}
        description={removing?.kind === 'mailbox' ? t('sources.removeMailText', { count: removing.documents }) : t('sources.removeFolderText', { count: removing?.documents ?? 0 })}
        confirmLabel={t('sources.remove')}
        danger
        onConfirm={() => removing && void remove(removing)}
      />
    </div>
  );
}
