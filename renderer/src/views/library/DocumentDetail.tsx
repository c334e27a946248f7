// One document beside the Library table: what it is (metadata), its status with the reason in
// plain words, what is inside it or what it is inside, the actions (read again, remove; open its
// file or show it in its folder in the desktop app), and the text Cairn extracted, passage by
// passage with each boundary, page and heading, so that garbled or missing text can be seen for
// what it is. Text where a passage repeats the end of the one
// before it (long text is cut with an overlap) is shown faint.
import { CornerLeftUp, RotateCw, Trash2, X } from 'lucide-react';
import { useState } from 'react';
import type { DocumentChunk, DocumentDetail as Detail } from '../../../../app/contract/api.ts';
import type { SourceStatus } from '../../../../app/contract/index.ts';
import { api } from '../../api/index.ts';
import { Button, IconButton } from '../../components/Button.tsx';
import { ConfirmDialog } from '../../components/Dialog.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { useT } from '../../i18n/index.tsx';
import { navigation } from '../../state/navigation.ts';
import { notify, notifyError } from '../../state/notices.ts';
import { invalidate, useQuery } from '../../state/query.ts';
import { FileActions } from '../source/FileActions.tsx';
import { KindIcon } from './KindIcon.tsx';
import { plainReason } from './reasons.ts';

const FIRST_PASSAGES = 40;

export function DocumentDetail({ id, source }: { id: number; source: (id: number) => SourceStatus | undefined }) {
  const tr = useT();
  const { t } = tr;
  const [chunkLimit, setChunkLimit] = useState(FIRST_PASSAGES);
  const detail = useQuery('documents.get', { id, chunkLimit });
  const close = () => navigation.openItem('library', null);
  const doc = detail.data;
  return (
    <aside className="doc-detail" aria-label={t('library.detail')} data-testid="document-detail">
      <header className="doc-detail__header">
        {doc ? <KindIcon kind={doc.kind} /> : null}
        <h2 className="doc-detail__title" title={doc?.title}>
          {doc?.title ?? t('common.loading')}
        </h2>
        <IconButton size="sm" label={t('common.close')} icon={<X size={15} />} onClick={close} />
      </header>
      <div className="doc-detail__body">
        {detail.error ? <p className="quiet-note quiet-note--error">{detail.error.message}</p> : null}
        {!doc && !detail.error ? <Spinner label={t('common.loading')} /> : null}
        {doc ? <DetailBody doc={doc} source={source(doc.sourceId)} onMore={() => setChunkLimit((n) => n + 200)} /> : null}
      </div>
    </aside>
  );
}

function DetailBody({ doc, source, onMore }: { doc: Detail; source: SourceStatus | undefined; onMore: () => void }) {
  const tr = useT();
  const { t } = tr;
  const [confirmRemove, setConfirmRemove] = useState(false);
  const topLevel = doc.parentId === null;
  // A mailbox's messages are read again when the server changes them, not on request.
  const canReadAgain = source?.kind !== 'mailbox';
  const reindex = () =>
    api.documents.reindex({ id: doc.id }).then(
      () => notify(t('library.reindexing', { title: doc.title })),
      (error: unknown) => notifyError(t('library.reindexFailed'), error),
    );
  const remove = () =>
    api.documents.remove({ id: doc.id }).then(
      () => {
        notify(t('library.removed', { title: doc.title }));
        navigation.openItem('library', null);
        invalidate(['documents.list', 'documents.counts', 'library.status', 'sources.list']);
      },
      (error: unknown) => notifyError(t('library.removeFailed'), error),
    );
  const facts: [string, string][] = [
    [t('library.kind'), t(`docKind.${doc.kind}`)],
    [t('library.source'), source?.name ?? ''],
    [t('library.where'), doc.path && doc.kind === 'file' ? doc.path : doc.uri],
  ];
  if (doc.mime) facts.push([t('library.type'), doc.mime]);
  if (doc.size !== null) facts.push([t('library.size'), tr.bytes(doc.size)]);
  if (doc.date !== null) facts.push([t('library.date'), tr.date(doc.date, 'long')]);
  if (doc.sender) facts.push([t('library.from'), doc.sender]);
  if (doc.recipients.length) facts.push([t('library.to'), doc.recipients.join(', ')]);
  if (doc.indexedAt !== null) facts.push([t('library.indexedAt'), tr.date(doc.indexedAt, 'long')]);

  return (
    <>
      <section className={`doc-status doc-status--${doc.status}`} data-testid="document-status">
        <span className={`badge badge--${doc.status}`}>{t(`docStatus.${doc.status}`)}</span>
        {doc.status === 'indexed' ? (
          <span className="doc-status__text">{doc.chunksTotal > 0 ? t('library.indexedText', { count: doc.chunksTotal }) : t('library.indexedEmpty')}</span>
        ) : (
          <div className="doc-status__why">
            <p className="doc-status__text">{plainReason(tr, doc.status, doc.code)}</p>
            {doc.reason ? <p className="doc-status__detail">{doc.reason}</p> : null}
          </div>
        )}
      </section>

      <div className="doc-detail__actions">
        {canReadAgain ? (
          <Button size="sm" icon={<RotateCw size={13} />} onClick={reindex}>
            {doc.status === 'indexed' ? t('library.reindex') : t('library.retry')}
          </Button>
        ) : null}
        {topLevel ? (
          <Button size="sm" variant="ghost" icon={<Trash2 size={13} />} onClick={() => setConfirmRemove(true)}>
            {t('library.remove')}
          </Button>
        ) : (
          <Button size="sm" variant="ghost" icon={<CornerLeftUp size={13} />} onClick={() => navigation.openItem('library', doc.parentId)}>
            {t('library.openParent')}
          </Button>
        )}
        <FileActions doc={doc} />
      </div>

      <dl className="facts doc-detail__facts">
        {facts.map(([label, value]) => (
          <div key={label} className="facts__row">
            <dt>{label}</dt>
            <dd title={value}>{value}</dd>
          </div>
        ))}
      </dl>

      {doc.childList.length > 0 ? (
        <section className="doc-detail__section">
          <h3 className="doc-detail__heading">{t('library.insideTitle', { count: doc.childList.length })}</h3>
          <ul className="doc-children">
            {doc.childList.map((child) => (
              <li key={child.id}>
                <button type="button" className="doc-children__item" onClick={() => navigation.openItem('library', child.id)}>
                  <KindIcon kind={child.kind} />
                  <span className="doc-children__title">{child.title}</span>
                  <span className={`badge badge--${child.status}`}>{t(`docStatus.${child.status}`)}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="doc-detail__section" data-testid="extracted-text">
        <h3 className="doc-detail__heading">{t('library.text', { count: doc.chunksTotal })}</h3>
        {doc.chunkList.length === 0 ? (
          <p className="quiet-note">{doc.status === 'pending' ? t('library.notReadYet') : doc.childList.length > 0 ? t('library.noPassages') : t('library.noText')}</p>
        ) : (
          <ol className="passages">
            {doc.chunkList.map((chunk, i) => (
              <Passage key={chunk.id} chunk={chunk} previous={doc.chunkList[i - 1] ?? null} />
            ))}
          </ol>
        )}
        {doc.chunkList.length < doc.chunksTotal ? (
          <Button size="sm" variant="ghost" onClick={onMore}>
            {t('library.morePassages', { count: doc.chunksTotal - doc.chunkList.length })}
          </Button>
        ) : null}
      </section>

      <ConfirmDialog
        open={confirmRemove}
        onOpenChange={setConfirmRemove}
        title={t('library.removeTitle')}
        description={doc.kind === 'email' ? t('library.removeEmailText', { title: doc.title }) : t('library.removeText', { title: doc.title })}
        confirmLabel={t('library.remove')}
        danger
        onConfirm={() => void remove()}
      />
    </>
  );
}

function Passage({ chunk, previous }: { chunk: DocumentChunk; previous: DocumentChunk | null }) {
  const { t } = useT();
  // Characters at the start that the previous passage ended with.
  const overlap = previous && previous.end > chunk.start ? Math.min(chunk.text.length, previous.end - chunk.start) : 0;
  const where = [t('library.passage', { n: chunk.ordinal + 1 })];
  if (chunk.page !== null) where.push(t('library.page', { page: chunk.page }));
  return (
    <li className="passage" data-testid="passage">
      <div className="passage__where">
        <span>{where.join(' · ')}</span>
        {chunk.headingPath.length ? <span className="passage__heading">{chunk.headingPath.join(' › ')}</span> : null}
      </div>
      <p className="passage__text">
        {overlap > 0 ? (
          <span className="passage__overlap" title={t('library.overlap')}>
            {chunk.text.slice(0, overlap)}
          </span>
        ) : null}
        {chunk.text.slice(overlap)}
      </p>
    </li>
  );
}
