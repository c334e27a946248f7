// Pieces the viewers share: a document's text (its own, then the pages OCR read) with the cited
// passage marked, a note quoting the passage where it cannot be marked, and "index again".
import { useState, type ReactNode } from 'react';
import type { DocumentText } from '../../../../app/contract/api.ts';
import { api } from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { useT } from '../../i18n/index.tsx';
import { notify, notifyError } from '../../state/notices.ts';
import { TextBody } from './TextBody.tsx';

/** A note, and the passage as the answer cited it. */
export function Quoted({ note, text, actions }: { note: string; text: string; actions?: ReactNode }) {
  return (
    <div className="source-note source-note--warning">
      <p>{note}</p>
      <blockquote className="source-note__quote">{text}</blockquote>
      {actions}
    </div>
  );
}

/** Reads the document again in the background (documents.reindex): after the file changed. */
export function ReindexButton({ documentId }: { documentId: number }) {
  const { t } = useT();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      size="sm"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        api.documents.reindex({ id: documentId }).then(
          () => notify(t('source.reindexQueued')),
          (e: unknown) => {
            setBusy(false);
            notifyError(t('source.reindexFailed'), e);
          },
        );
      }}
    >
      {t('source.reindex')}
    </Button>
  );
}

/** The document's own text (from `from` on), then the pages OCR read, each with the cited passage marked. */
export function DocumentBody({ content, from }: { content: DocumentText; from?: number }) {
  const { t } = useT();
  const cited = content.chunk?.id ?? null;
  const end = content.offset + content.text.length;
  const partial = content.offset > 0 || end < content.length;
  const empty = content.text.trim() === '' && content.ocrPages.length === 0;
  return (
    <>
      {partial ? (
        <p className="source-note">{t('source.partial', { from: content.offset + 1, to: end, total: content.length })}</p>
      ) : null}
      {empty ? <p className="source-note">{t('source.noText')}</p> : null}
      {content.text ? (
        <TextBody text={content.text} offset={content.offset} chunks={content.chunks} citedId={content.chunk?.ocr ? null : cited} {...(from !== undefined ? { from } : {})} />
      ) : null}
      {content.ocrPages.map((page) => (
        <section key={page.page} className="source-ocr-page" aria-label={t('source.ocrPage', { page: page.page })}>
          <h3 className="source-ocr-page__title">{t('source.ocrPage', { page: page.page })}</h3>
          <TextBody text={page.text} offset={0} chunks={page.chunks} citedId={content.chunk?.ocr && content.chunk.page === page.page ? cited : null} />
        </section>
      ))}
    </>
  );
}
