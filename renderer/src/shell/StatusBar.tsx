// The status bar: the library at a glance (documents, passages, how search runs) and what is
// running now, which opens the activity panel.
import * as Popover from '@radix-ui/react-popover';
import { Activity, AlertTriangle, Database, Pause } from 'lucide-react';
import { useT } from '../i18n/index.tsx';
import { activityPanel, useActivity } from '../state/activity.ts';
import { useStore } from '../state/store.ts';
import { useEngineEvent } from '../state/events.ts';
import { notify } from '../state/notices.ts';
import { useQuery } from '../state/query.ts';
import { progressText } from '../components/Progress.tsx';
import { Spinner } from '../components/Spinner.tsx';
import { ActivityPanel, baseName } from './ActivityPanel.tsx';

export function StatusBar() {
  const tr = useT();
  const { t } = tr;
  const status = useQuery('library.status', {});
  const jobs = useActivity();
  const open = useStore(activityPanel);
  const running = jobs.filter((j) => j.state === 'running');
  const paused = jobs.filter((j) => j.state === 'paused');
  // The newest job under way names the activity (a running one before a paused one).
  const main = running.at(-1) ?? paused.at(-1);
  const others = running.length + paused.length - 1;
  // An import that ends while the panel is closed says so; its summary is in the panel.
  useEngineEvent('import', ({ import: ended }) => {
    if (ended.state !== 'done' || activityPanel.get()) return;
    const name = ended.paths[0] ? baseName(ended.paths[0]) : '';
    const parts = [t('progress.count.files', { count: ended.filesDone, amount: ended.filesDone })];
    if (ended.problems > 0) parts.push(t('activity.problems', { count: ended.problems }));
    const what = t(ended.origin === 'retry' ? 'activity.endedKind.retry' : 'activity.endedKind.import');
    notify(
      t('activity.ended', { what, name: ended.pathCount > 1 ? t('activity.andMore', { name, count: ended.pathCount - 1 }) : name, summary: parts.join(' · ') }),
      ended.problems > 0 ? 'error' : 'info',
    );
  });
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
      <Popover.Root open={open} onOpenChange={activityPanel.set}>
        <Popover.Trigger asChild>
          <button type="button" className={`statusbar__activity${running.length ? ' statusbar__activity--busy' : ''}`} data-testid="activity-button">
            {main?.state === 'running' ? <Spinner size={11} /> : main ? <Pause size={12} aria-hidden="true" /> : <Activity size={13} aria-hidden="true" />}
            <span>
              {main
                ? `${t(`activity.kind.${main.kind}`)}${main.state === 'paused' ? ` · ${t('activity.paused')}` : ''} · ${progressText(tr, main)}${others > 0 ? ` ${t('activity.more', { count: others })}` : ''}`
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
