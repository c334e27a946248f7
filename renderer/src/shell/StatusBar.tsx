// The status bar: the library at a glance (documents, passages, how search runs) and what is
// running now, which opens the activity panel.
import * as Popover from '@radix-ui/react-popover';
import { Activity, AlertTriangle, Database } from 'lucide-react';
import { useT } from '../i18n/index.tsx';
import { useActivity } from '../state/activity.ts';
import { useQuery } from '../state/query.ts';
import { progressText } from '../components/Progress.tsx';
import { Spinner } from '../components/Spinner.tsx';
import { ActivityPanel } from './ActivityPanel.tsx';

export function StatusBar() {
  const tr = useT();
  const { t } = tr;
  const status = useQuery('library.status', {});
  const jobs = useActivity();
  const running = jobs.filter((j) => j.state === 'running');
  const main = running[0];
  const documents = status.data ? Object.values(status.data.documents).reduce((a, b) => a + b, 0) : null;
  return (
    <footer className="statusbar" aria-label={t('shell.status')}>
      <div className="statusbar__library" data-testid="library-status">
        <Database size={13} aria-hidden="true" />
        {status.error ? (
          <span className="statusbar__error">{status.error.message}</span>
        ) : status.data && documents !== null ? (
          <>
            <span data-testid="indexed">{t('status.documents', { count: status.data.documents.indexed ?? 0 })}</span>
            <span className="statusbar__sep" aria-hidden="true">·</span>
            <span>{t('status.passages', { count: status.data.chunks })}</span>
            <span className="statusbar__sep" aria-hidden="true">·</span>
            <span>{status.data.embedder ? t('status.searchHybrid') : t('status.searchKeyword')}</span>
            {status.data.problemCount > 0 ? (
              <>
                <span className="statusbar__sep" aria-hidden="true">·</span>
                <span className="statusbar__warn">
                  <AlertTriangle size={12} aria-hidden="true" /> {t('status.problems', { count: status.data.problemCount })}
                </span>
              </>
            ) : null}
          </>
        ) : (
          <span>{t('status.opening')}</span>
        )}
      </div>
      <Popover.Root>
        <Popover.Trigger asChild>
          <button type="button" className={`statusbar__activity${running.length ? ' statusbar__activity--busy' : ''}`} data-testid="activity-button">
            {main ? <Spinner size={11} /> : <Activity size={13} aria-hidden="true" />}
            <span>
              {main
                ? `${t(`activity.kind.${main.kind}`)} · ${progressText(tr, main)}${running.length > 1 ? ` ${t('activity.more', { count: running.length - 1 })}` : ''}`
                : t('activity.idle')}
            </span>
          </button>
        </Popover.Trigger>
        <Popover.Portal>
          <Popover.Content className="c-popover activity-popover" side="top" align="end" sideOffset={6} collisionPadding={8}>
            <ActivityPanel />
          </Popover.Content>
        </Popover.Portal>
      </Popover.Root>
    </footer>
  );
}
