// The activity panel, like a download manager: every job running in the background with its stage,
// n of m, rate and time left. Jobs come from the engine's events (state/activity.ts). Pause,
// resume and cancel act through the contract where the engine offers them (sources, downloads).
import { CircleCheck, CircleX, Pause, X } from 'lucide-react';
import { api } from '../api/index.ts';
import { useT } from '../i18n/index.tsx';
import { clearFinished, useActivity, type Job } from '../state/activity.ts';
import { notifyError } from '../state/notices.ts';
import { Button, IconButton } from '../components/Button.tsx';
import { ProgressBar, ProgressLine } from '../components/Progress.tsx';

function JobRow({ job }: { job: Job }) {
  const { t } = useT();
  const title = t(`activity.kind.${job.kind}`);
  return (
    <li className={`activity__job activity__job--${job.state}`}>
      <div className="activity__head">
        <span className="activity__title">{title}</span>
        {job.subject ? <span className="activity__subject" title={job.subject}>{job.subject}</span> : null}
        <span className="activity__actions">
          {job.state === 'running' && job.sourceId !== null ? (
            <IconButton size="sm" label={t('activity.pause')} icon={<Pause size={14} />} onClick={() => api.sources.pause({ sourceId: job.sourceId! }).catch((e: unknown) => notifyError(t('activity.pauseFailed'), e))} />
          ) : null}
          {job.state === 'running' && job.file !== null ? (
            <IconButton size="sm" label={t('activity.cancel')} icon={<X size={14} />} onClick={() => api.models.cancelPull({ file: job.file! }).catch((e: unknown) => notifyError(t('activity.cancelFailed'), e))} />
          ) : null}
          {job.state === 'done' ? <CircleCheck size={15} className="activity__ok" aria-label={t('activity.done')} /> : null}
          {job.state === 'failed' ? <CircleX size={15} className="activity__failed" aria-label={t('activity.failed')} /> : null}
        </span>
      </div>
      {job.state === 'running' ? <ProgressBar done={job.done} total={job.total} label={title} /> : null}
      <div className="activity__line">
        <ProgressLine done={job.done} total={job.total} unit={job.unit} rate={job.rate} etaSeconds={job.etaSeconds} />
        {job.errors > 0 ? <span className="activity__errors">{t('activity.problems', { count: job.errors })}</span> : null}
        {job.state === 'cancelled' ? <span>{t('activity.cancelled')}</span> : null}
      </div>
      {job.message && job.state === 'failed' ? <p className="activity__message">{job.message}</p> : null}
    </li>
  );
}

export function ActivityPanel() {
  const { t } = useT();
  const jobs = useActivity();
  const finished = jobs.some((j) => j.state !== 'running');
  return (
    <section className="activity" aria-label={t('activity.title')}>
      <header className="activity__header">
        <h2>{t('activity.title')}</h2>
        {finished ? (
          <Button size="sm" variant="ghost" onClick={clearFinished}>
            {t('activity.clear')}
          </Button>
        ) : null}
      </header>
      {jobs.length === 0 ? (
        <p className="activity__empty">{t('activity.nothing')}</p>
      ) : (
        <ul className="activity__list">
          {jobs.map((job) => (
            <JobRow key={job.id} job={job} />
          ))}
        </ul>
      )}
    </section>
  );
}
