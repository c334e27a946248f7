// Models: the chat and embedding models in use, the model files here, and the catalog's
// recommendation for this machine. Download, switching and the hardware panel come next.
import { Cpu } from 'lucide-react';
import { EmptyState } from '../../components/EmptyState.tsx';
import { useT } from '../../i18n/index.tsx';
import { useQuery } from '../../state/query.ts';

export default function ModelsView() {
  const tr = useT();
  const { t } = tr;
  const models = useQuery('models.list', {});
  const data = models.data;
  return (
    <div className="view models" data-testid="models-view">
      <header className="view__header">
        <h1 className="view__title">{t('nav.models')}</h1>
      </header>
      <div className="view__body">
        {models.error ? <p className="quiet-note quiet-note--error">{models.error.message}</p> : null}
        {data ? (
          <>
            <dl className="facts">
              <dt>{t('models.chat')}</dt>
              <dd>{data.chat ? data.chat.name : t('models.none')}</dd>
              <dt>{t('models.embedding')}</dt>
              <dd>{data.embedding ? data.embedding.name : t('models.keywordOnly')}</dd>
              <dt>{t('models.folder')}</dt>
              <dd className="mono">{data.dir}</dd>
            </dl>
            <h2 className="section-title">{t('models.files')}</h2>
            {data.models.length === 0 ? (
              <EmptyState icon={<Cpu size={28} />} title={t('models.emptyTitle')}>
                <p>{t('models.emptyText')}</p>
              </EmptyState>
            ) : (
              <ul className="source-items">
                {data.models.map((m) => (
                  <li key={m.name} className="source-item">
                    <span className="source-item__icon" aria-hidden="true">
                      <Cpu size={16} />
                    </span>
                    <div className="source-item__body">
                      <div className="source-item__name">{m.name}</div>
                      <div className="source-item__uri">{m.problem ?? m.path}</div>
                    </div>
                    <div className="source-item__meta">
                      <span className={`badge badge--model-${m.status}`}>{t(`modelStatus.${m.status}`)}</span>
                      <span className="source-item__count">{tr.bytes(m.sizeBytes)}</span>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </>
        ) : null}
      </div>
    </div>
  );
}
