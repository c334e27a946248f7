// Sources: watched folders and mailboxes with their live state (from the `sources` event), and
// adding a folder by its path. Pause, resume, rules and mail accounts come next.
import { FolderPlus, FolderTree, Mail } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import type { SourceStatus } from '../../../../app/contract/index.ts';
import { api } from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { TextInput } from '../../components/Field.tsx';
import { ProgressBar } from '../../components/Progress.tsx';
import { useT } from '../../i18n/index.tsx';
import { notify, notifyError } from '../../state/notices.ts';
import { useQuery } from '../../state/query.ts';

function SourceRow({ source }: { source: SourceStatus }) {
  const tr = useT();
  const { t } = tr;
  const { state, done, total, reason } = source.state;
  return (
    <li className="source-item">
      <span className="source-item__icon" aria-hidden="true">
        {source.kind === 'mailbox' ? <Mail size={16} /> : <FolderTree size={16} />}
      </span>
      <div className="source-item__body">
        <div className="source-item__name">{source.name}</div>
        <div className="source-item__uri">{source.uri}</div>
        {done !== null && done !== undefined && (state === 'scanning' || state === 'indexing' || state === 'syncing') ? <ProgressBar done={done} total={total ?? null} label={source.name} /> : null}
        {reason ? <div className="source-item__reason">{reason}</div> : null}
      </div>
      <div className="source-item__meta">
        <span className={`badge badge--state-${state}`}>{t(`sourceState.${state}`)}</span>
        <span className="source-item__count">{t('sources.documents', { count: source.documents })}</span>
      </div>
    </li>
  );
}

export default function SourcesView() {
  const { t } = useT();
  const sources = useQuery('sources.list', {});
  const [path, setPath] = useState('');
  const add = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const source = await api.folders.add({ path: path.trim() });
      notify(t('firstRun.folderAdded', { name: source.name }));
      setPath('');
    } catch (error) {
      notifyError(t('firstRun.folderFailed'), error);
    }
  };
  const shown = (sources.data ?? []).filter((s) => s.kind === 'folder' || s.kind === 'mailbox');
  return (
    <div className="view sources" data-testid="sources-view">
      <header className="view__header">
        <h1 className="view__title">{t('nav.sources')}</h1>
      </header>
      <div className="view__body">
        <form className="inline-form" onSubmit={(e) => void add(e)}>
          <TextInput value={path} onChange={(e) => setPath(e.target.value)} placeholder={t('firstRun.folderPlaceholder')} aria-label={t('firstRun.folderLabel')} spellCheck={false} />
          <Button type="submit" variant="primary" icon={<FolderPlus size={15} />} disabled={!path.trim()}>
            {t('sources.addFolder')}
          </Button>
        </form>
        {sources.error ? <p className="quiet-note quiet-note--error">{sources.error.message}</p> : null}
        {sources.data && shown.length === 0 ? (
          <EmptyState icon={<FolderTree size={28} />} title={t('sources.emptyTitle')}>
            <p>{t('sources.emptyText')}</p>
          </EmptyState>
        ) : (
          <ul className="source-items">
            {shown.map((s) => (
              <SourceRow key={s.id} source={s} />
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
