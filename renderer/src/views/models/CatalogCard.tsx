// One model of the catalog as a card: what it is, its size and the memory it needs, whether it
// fits this computer, its licence; and what can be done with it now: download (with progress,
// speed, time left and cancel), resume a partial download, use it, or see that it is in use.
import { Check, Cpu, Download as DownloadIcon, Gauge, TriangleAlert, X } from 'lucide-react';
import type { CatalogEntry } from '../../../../app/contract/api.ts';
import type { ModelInfo } from '../../../../app/contract/index.ts';
import { Button } from '../../components/Button.tsx';
import { ProgressBar, ProgressLine } from '../../components/Progress.tsx';
import { Tooltip } from '../../components/Tooltip.tsx';
import { useT } from '../../i18n/index.tsx';
import { cancel, pull, useDownload } from './downloads.ts';

export function FitChip({ fit }: { fit: CatalogEntry['fit'] }) {
  const { t } = useT();
  const icon = fit === 'gpu' ? <Gauge size={13} /> : fit === 'cpu' ? <Cpu size={13} /> : <TriangleAlert size={13} />;
  return (
    <Tooltip content={t(`models.fitWhy.${fit}`)}>
      <span className={`fit fit--${fit}`} tabIndex={0}>
        <span aria-hidden="true">{icon}</span>
        {t(`models.fit.${fit}`)}
      </span>
    </Tooltip>
  );
}

/** Progress of a download with its cancel, or how the last one ended; null when there is none. */
export function DownloadProgress({ file, name }: { file: string; name: string }) {
  const { t } = useT();
  const { job, running } = useDownload(file);
  if (running) {
    const phase = job?.message === 'connecting' ? t('models.connecting') : job?.message === 'verifying' ? t('models.verifying') : null;
    return (
      <div className="download" data-testid="download">
        <ProgressBar done={job?.done ?? 0} total={job?.total ?? null} label={t('models.downloading', { name })} />
        <div className="download__line">
          {phase ? <span>{phase}</span> : <ProgressLine done={job?.done ?? 0} total={job?.total ?? null} unit="bytes" rate={job?.rate ?? null} etaSeconds={job?.etaSeconds ?? null} />}
          <Button size="sm" variant="ghost" icon={<X size={13} />} onClick={() => cancel(file, t('models.cancelFailed'))}>
            {t('models.cancel')}
          </Button>
        </div>
      </div>
    );
  }
  if (job?.state === 'failed' && job.message) {
    return (
      <p className="download__failed" role="alert">
        {t('models.downloadFailed', { reason: job.message })}
      </p>
    );
  }
  return null;
}

export function CatalogCard({ model, file, recommended, inUse, onUse }: { model: CatalogEntry; file: ModelInfo | undefined; recommended: boolean; inUse: boolean; onUse: () => void }) {
  const tr = useT();
  const { t } = tr;
  const { running } = useDownload(model.file);
  const partial = file?.status === 'partial';
  const percent = partial && file.download?.totalBytes ? Math.floor((100 * file.sizeBytes) / file.download.totalBytes) : null;

  let action;
  if (running) action = null;
  else if (inUse) {
    action = (
      <span className="model-card__in-use">
        <Check size={14} aria-hidden="true" /> {t('models.inUse')}
      </span>
    );
  } else if (file?.status === 'ready') {
    action = (
      <Button size="sm" variant="primary" onClick={onUse}>
        {t('models.use')}
      </Button>
    );
  } else if (file?.status === 'invalid') {
    action = <span className="model-card__problem">{file.problem}</span>;
  } else {
    action = (
      <Button size="sm" variant={recommended ? 'primary' : 'secondary'} icon={<DownloadIcon size={13} />} onClick={() => void pull(model.id, t('models.pullFailed'))}>
        {partial ? (percent !== null ? t('models.resumeAt', { percent }) : t('models.resume')) : t('models.download', { size: tr.bytes(model.sizeBytes) })}
      </Button>
    );
  }

  return (
    <li className={`model-card${recommended ? ' model-card--recommended' : ''}`} data-testid="catalog-card" aria-label={model.name}>
      <div className="model-card__head">
        <h3 className="model-card__name">{model.name}</h3>
        {recommended ? <span className="badge badge--recommended">{t('models.recommended')}</span> : null}
      </div>
      <div className="model-card__badges">
        <span className="badge">{t(`models.role.${model.role}`)}</span>
        {model.reasoning ? <span className="badge">{t('models.reasoning')}</span> : null}
        <FitChip fit={model.fit} />
      </div>
      <dl className="model-card__facts">
        <dt>{t('models.size')}</dt>
        <dd>{tr.bytes(model.sizeBytes)}</dd>
        <dt>{t('models.memory')}</dt>
        <dd>{t('models.memoryValue', { ram: tr.bytes(model.ramBytes), vram: tr.bytes(model.vramBytes) })}</dd>
        <dt>{t('models.context')}</dt>
        <dd>{t('models.tokens', { count: model.contextLength })}</dd>
        <dt>{t('models.licence')}</dt>
        <dd>{model.license}</dd>
        <dt>{t('models.languages')}</dt>
        <dd>{model.languages.includes('multi') ? t('models.multilingual') : model.languages.join(', ')}</dd>
      </dl>
      <p className="model-card__notes">{model.notes}</p>
      <div className="model-card__foot">
        <DownloadProgress file={model.file} name={model.name} />
        {action ? <div className="model-card__action">{action}</div> : null}
      </div>
    </li>
  );
}
