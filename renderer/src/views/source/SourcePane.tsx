// The right-hand pane beside the chat: a cited source (its card: what it is, where, which search
// found it) or a document opened from one (an email's attachment), the actions on it, and the
// viewer: a PDF at the cited page with the passage marked, an email in a reader, any other
// document as text scrolled to the passage. Its file opens in the system's viewer or shows in its
// folder in the desktop app (FileActions).
import { ArrowLeft, BookOpen, X } from 'lucide-react';
import { Button, IconButton } from '../../components/Button.tsx';
import { SourceCard } from '../../components/CitationChip.tsx';
import { useT } from '../../i18n/index.tsx';
import { navigation, type PaneContent } from '../../state/navigation.ts';
import { useQuery } from '../../state/query.ts';
import { DocumentViewer, textParams } from './DocumentViewer.tsx';
import { FileActions } from './FileActions.tsx';

export function SourcePane({ content }: { content: PaneContent }) {
  const { t } = useT();
  const citation = content.type === 'source' ? content.source : null;
  const documentId = citation ? citation.documentId : content.type === 'document' ? content.documentId : 0;
  const back = content.type === 'document' ? content.back : null;
  // The document itself (for its file's actions), from the viewer's own question.
  const doc = useQuery('documents.text', textParams(documentId, citation)).data?.document;
  return (
    <aside className="pane source-pane" aria-label={t('source.pane')} data-testid="source-pane">
      <header className="pane__header">
        {back ? <IconButton size="sm" label={t('source.back')} icon={<ArrowLeft size={15} />} onClick={() => navigation.showPane(back)} /> : null}
        {citation ? <span className="pane__badge">{citation.n}</span> : null}
        <h2 className="pane__title">{citation ? t('source.title') : content.type === 'document' ? content.title : ''}</h2>
        <IconButton size="sm" label={t('common.close')} hint="Esc" icon={<X size={15} />} onClick={navigation.closePane} />
      </header>
      <div className="source-pane__top">
        {citation ? <SourceCard source={citation} passage={false} /> : null}
        <div className="pane__actions source-pane__actions">
          <Button size="sm" icon={<BookOpen size={14} />} onClick={() => navigation.openItem('library', documentId)}>
            {t('source.showInLibrary')}
          </Button>
          {doc ? <FileActions doc={doc} page={citation?.page} /> : null}
        </div>
      </div>
      {/* A fresh viewer for each source: its page, zoom and scroll belong to that one. */}
      <DocumentViewer key={`${documentId}:${citation?.chunkId ?? ''}`} documentId={documentId} citation={citation} pane={content} />
    </aside>
  );
}
