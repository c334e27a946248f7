// Chooses how a document is shown, from its text as indexed (documents.text): a PDF whose file can
// be read at the cited page with the passage marked, an email in a reader, anything else as text
// scrolled to the passage. Says plainly when a document is gone, when the passage cannot be
// marked, and when only part of a long document is shown.
import { lazy, Suspense, useState } from 'react';
import type { ParamsOf } from '../../../../app/contract/api.ts';
import type { ChatSource } from '../../../../app/contract/index.ts';
import { Spinner } from '../../components/Spinner.tsx';
import { useT } from '../../i18n/index.tsx';
import type { PaneContent } from '../../state/navigation.ts';
import { useQuery } from '../../state/query.ts';
import { DocumentBody, Quoted } from './DocumentBody.tsx';
import { EmailReader } from './EmailReader.tsx';

// pdf.js is large: it loads with the first PDF shown.
const PdfViewer = lazy(() => import('./PdfViewer.tsx'));

/** What the viewer asks for: the document's text around the cited chunk (the pane asks the same, from the same cache). */
export function textParams(documentId: number, citation: ChatSource | null): ParamsOf<'documents.text'> {
  const chunkId = citation && citation.documentId === documentId ? citation.chunkId : undefined;
  return { id: documentId, ...(chunkId !== undefined ? { chunkId } : {}) };
}

export function DocumentViewer({ documentId, citation, pane }: { documentId: number; citation: ChatSource | null; pane: PaneContent }) {
  const { t } = useT();
  const { chunkId } = textParams(documentId, citation);
  const { data: content, error, loading } = useQuery('documents.text', textParams(documentId, citation));
  const [pdfFailed, setPdfFailed] = useState<string | null>(null);

  if (loading) {
    return (
      <div className="source-viewer source-viewer--center" aria-label={t('source.viewer')}>
        <Spinner label={t('source.loading')} size={18} />
      </div>
    );
  }
  if (!content) {
    const goneNow = (error as { code?: string } | null)?.code === 'not-found';
    return (
      <div className="source-viewer source-viewer--center" aria-label={t('source.viewer')} role="alert">
        <p className="source-note source-note--error">{goneNow ? t('source.gone') : `${t('source.failed')}: ${error?.message ?? ''}`}</p>
      </div>
    );
  }
  // The cited chunk is no longer the document's (it was indexed again since the answer).
  const lost = citation !== null && chunkId !== undefined && content.chunk === null ? <Quoted note={t('source.chunkGone')} text={citation.snippet} /> : null;
  if (content.file && !pdfFailed) {
    return (
      <Suspense
        fallback={
          <div className="source-viewer source-viewer--center">
            <Spinner label={t('source.pdf.loading')} size={18} />
          </div>
        }
      >
        <PdfViewer content={content} notes={lost} onFailed={setPdfFailed} />
      </Suspense>
    );
  }
  const notes = (
    <>
      {pdfFailed ? <p className="source-note source-note--warning">{t('source.pdf.failed', { reason: pdfFailed })}</p> : null}
      {content.fileNote && !pdfFailed ? <p className="source-note">{content.fileNote}</p> : null}
      {lost}
    </>
  );
  if (content.document.kind === 'email') return <EmailReader content={content} notes={notes} pane={pane} />;
  return (
    <div className="source-viewer source-viewer__scroll" aria-label={t('source.viewer')} tabIndex={0}>
      {notes}
      <DocumentBody content={content} />
    </div>
  );
}
