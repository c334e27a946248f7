// The activity panel, like a download manager: every job in the background with its stage, n of
// m, rate and time left, and pause, resume and cancel where the engine offers them (imports,
// sources, downloads). An import that ended shows what it came to: counts, then each document
// that failed or was skipped with why, a click away from its detail in Library, with "retry"
// for one and "retry all failed". Jobs come from the engine's events (state/activity.ts).
import * as Collapsible from '@radix-ui/react-collapsible';
import { ChevronRight, CircleCheck, CircleSlash, CircleX, Pause, Play, RotateCw, X } from 'lucide-react';
import { useState } from 'react';
import type { ImportProblem } from '../../../app/contract/index.ts';
import { api } from '../api/index.ts';
import { useT } from '../i18n/index.tsx';
import { activityPanel, clearFinished, isActive, jobActions, useActivity, type Job } from '../state/activity.ts';
import { navigation } from '../state/navigation.ts';
import { notify, notifyError } from '../state/notices.ts';
import { useQuery } from '../state/query.ts';
import { Button, IconButton } from '../components/Button.tsx';
import { ProgressBar, progressText } from '../components/Progress.tsx';
import { Spinner } from '../components/Spinner.tsx';
import { plainReason } from '../views/library/reasons.ts';

/** Jobs that ended shown at most (each import's summary is fetched when shown). */
const ENDED_SHOWN = 8;

/** The last part of a path, for a short name ("notes" for /home/me/notes). */
export function baseName(path: string): string {
  return path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || path;
}

function jobTitle(t: ReturnType<typeof useT>['t'], job: Job): string {
  return isActive(job) ? t(`activity.kind.${job.kind}`) : t(`activity.endedKind.${job.kind}`);
}

function subjectText(t: ReturnType<typeof useT>['t'], job: Job): string | null {
  if (!job.subject) return null;
  // An import's folder and the document OCR reads are named by their last part (the path is the tooltip).
  const name = job.importId !== null || job.kind === 'ocr' ? baseName(job.subject) : job.subject;
  return job.more > 0 ? t('activity.andMore', { name, count: job.more }) : name;
}

/** One line under the bar: n of m, rate, time left; or how it ended. */
function statusLine(tr: ReturnType<typeof useT>, job: Job): string {
  const { t } = tr;
  const parts: string[] = [];
  if (job.state === 'paused') parts.push(t('activity.paused'));
  else if (job.state === 'running' && job.stage) parts.push(t(`activity.stage.${job.stage}`));
  // While folders are listed, how many files there are is not known: say what is known.
  if (!(job.state === 'running' && job.stage === 'scanning' && job.done === 0)) {
    parts.push(progressText(tr, { done: job.done, total: job.total, unit: job.unit, rate: job.state === 'running' ? job.rate : null, etaSeconds: job.etaSeconds }));
  }
  return parts.join(' · ');
}

function act(job: Job, action: 'pause' | 'resume' | 'cancel', failed: string): void {
  jobActions[action](job).catch((error: unknown) => notifyError(failed, error));
}

function JobRow({ job }: { job: Job }) {
  const tr = useT();
  const { t } = tr;
  const title = jobTitle(t, job);
  const subject = subjectText(t, job);
  const ended = !isActive(job);
  return (
    <li className={`activity__job activity__job--${job.state}`} data-testid="activity-job" data-job={job.id}>
      <div className="activity__head">
        <span className="activity__icon" aria-hidden="true">
          {job.state === 'running' ? <Spinner size={12} /> : null}
          {job.state === 'paused' ? <Pause size={13} /> : null}
          {job.state === 'done' ? <CircleCheck size={14} className="activity__ok" /> : null}
          {job.state === 'failed' ? <CircleX size={14} className="activity__failed" /> : null}
          {job.state === 'cancelled' ? <CircleSlash size={14} className="activity__cancelled" /> : null}
        </span>
        <span className="activity__title">{title}</span>
        {subject ? (
          <span className="activity__subject" title={job.subject ?? undefined}>
            {subject}
          </span>
        ) : null}
        <span className="activity__actions">
          {jobActions.canPause(job) ? <IconButton size="sm" label={t('activity.pause')} icon={<Pause size={14} />} onClick={() => act(job, 'pause', t('activity.pauseFailed'))} /> : null}
          {jobActions.canResume(job) ? <IconButton size="sm" label={t('activity.resume')} icon={<Play size={14} />} onClick={() => act(job, 'resume', t('activity.resumeFailed'))} /> : null}
          {jobActions.canCancel(job) ? <IconButton size="sm" label={t('activity.cancel')} icon={<X size={14} />} onClick={() => act(job, 'cancel', t('activity.cancelFailed'))} /> : null}
        </span>
      </div>
      {!ended ? <ProgressBar done={job.done} total={job.total} label={title} tone={job.state === 'paused' ? 'muted' : 'accent'} /> : null}
      {!ended || job.importId === null ? (
        <div className="activity__line">
          <span>{statusLine(tr, job)}</span>
          {job.errors > 0 && !ended ? <span className="activity__errors">{t('activity.problems', { count: job.errors })}</span> : null}
          {job.state === 'cancelled' && job.importId === null ? <span>{t('activity.cancelledDownload')}</span> : null}
        </div>
      ) : null}
      {job.state === 'running' && job.current ? (
        <p className="activity__current" title={job.current}>
          {baseName(job.current)}
        </p>
      ) : null}
      {job.message && job.state === 'failed' ? <p className="activity__message">{job.message}</p> : null}
      {ended && job.importId !== null ? <ImportSummaryView job={job} importId={job.importId} /> : null}
    </li>
  );
}

/** What an ended import came to, with its problems and the ways to read them again. */
function ImportSummaryView({ job, importId }: { job: Job; importId: number }) {
  const tr = useT();
  const { t } = tr;
  const [limit, setLimit] = useState(5);
  const summary = useQuery('imports.get', { id: importId, limit });
  const data = summary.data;
  const retryAll = () =>
    api.documents.retry({ importId }).then(
      (result) => notify(t('activity.retrying', { count: result.queued })),
      (error: unknown) => notifyError(t('activity.retryFailed'), error),
    );
  if (!data) return summary.error ? <p className="activity__message">{summary.error.message}</p> : null;
  const { counts, problems } = data;
  const parts = [t('activity.summary.indexed', { count: counts.indexed })];
  if (job.unchanged > 0) parts.push(t('activity.summary.unchanged', { count: job.unchanged }));
  if (counts.failed > 0) parts.push(t('activity.summary.failed', { count: counts.failed }));
  if (counts.skipped > 0) parts.push(t('activity.summary.skipped', { count: counts.skipped }));
  return (
    <div className="activity__summary" data-testid="import-summary">
      <p className="activity__line">{parts.join(' · ')}</p>
      {job.state === 'cancelled' && job.dropped > 0 ? <p className="activity__note">{t('activity.summary.dropped', { count: job.dropped })}</p> : null}
      {problems.total > 0 ? (
        <Collapsible.Root defaultOpen className="activity__problems">
          <div className="activity__problems-head">
            <Collapsible.Trigger className="activity__fold">
              <ChevronRight size={13} className="activity__chevron" aria-hidden="true" />
              {t('activity.summary.problems', { count: problems.total })}
            </Collapsible.Trigger>
            {problems.items.some((p) => p.status === 'failed') ? (
              <Button size="sm" variant="ghost" icon={<RotateCw size={13} />} onClick={retryAll}>
                {t('activity.retryAll')}
              </Button>
            ) : null}
          </div>
          <Collapsible.Content>
            <ul className="problem-list">
              {problems.items.map((problem) => (
                <ProblemRow key={problem.id} problem={problem} />
              ))}
            </ul>
            {problems.total > problems.items.length ? (
              <Button size="sm" variant="ghost" onClick={() => setLimit((n) => Math.min(500, n + 50))}>
                {t('activity.showMore', { count: problems.total - problems.items.length })}
              </Button>
            ) : null}
          </Collapsible.Content>
        </Collapsible.Root>
      ) : null}
    </div>
  );
}

function ProblemRow({ problem }: { problem: ImportProblem }) {
  const tr = useT();
  const { t } = tr;
  const open = () => {
    activityPanel.set(false);
    navigation.openItem('library', problem.id);
  };
  const retry = () =>
    api.documents.retry({ id: problem.id }).then(
      () => notify(t('activity.retrying', { count: 1 })),
      (error: unknown) => notifyError(t('activity.retryFailed'), error),
    );
  return (
    <li className={`problem problem--${problem.status}`}>
      <button type="button" className="problem__open" onClick={open} title={problem.path ?? problem.uri}>
        <span className="problem__title">{problem.title}</span>
        <span className="problem__reason">{plainReason(tr, problem.status, problem.code)}</span>
        <span className="problem__detail">{problem.reason}</span>
      </button>
      <IconButton size="sm" label={t('activity.retryOne', { title: problem.title })} icon={<RotateCw size={13} />} onClick={retry} />
    </li>
  );
}

export function ActivityPanel() {
  const { t } = useT();
  const jobs = useActivity();
  // Under way first, then the most recent of what ended; newest first in each.
  const newest = [...jobs].reverse();
  const active = newest.filter(isActive);
  const ended = newest.filter((j) => !isActive(j));
  const ordered = [...active, ...ended.slice(0, ENDED_SHOWN)];
  const finished = ended.length > 0;
  return (
    <section className="activity" aria-label={t('activity.title')} data-testid="activity-panel">
      <header className="activity__header">
        <h2>{t('activity.title')}</h2>
        {finished ? (
          <Button size="sm" variant="ghost" onClick={() => clearFinished().catch((error: unknown) => notifyError(t('activity.clearFailed'), error))}>
            {t('activity.clear')}
          </Button>
        ) : null}
      </header>
      {jobs.length === 0 ? (
        <p className="activity__empty">{t('activity.nothing')}</p>
      ) : (
        <ul className="activity__list">
          {ordered.map((job) => (
            <JobRow key={job.id} job={job} />
          ))}
        </ul>
      )}
      {ended.length > ENDED_SHOWN ? <p className="activity__empty">{t('activity.earlier', { count: ended.length - ENDED_SHOWN })}</p> : null}
    </section>
  );
}
