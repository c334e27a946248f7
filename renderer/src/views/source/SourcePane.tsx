// The right-hand pane beside the chat: the cited source. For now its card (title, where, page,
// the passage) and a way to its document in Library; the source viewer (PDF at the page with the
// passage highlighted, the email reader, text scrolled to the passage) replaces the body here.
import { BookOpen, X } from 'lucide-react';
import { Button, IconButton } from '../../components/Button.tsx';
import { SourceCard } from '../../components/CitationChip.tsx';
import { useT } from '../../i18n/index.tsx';
import { navigation, type PaneContent } from '../../state/navigation.ts';

export function SourcePane({ content }: { content: PaneContent }) {
  const { t } = useT();
  const { source } = content;
  return (
    <aside className="pane" aria-label={t('source.pane')} data-testid="source-pane">
      <header className="pane__header">
        <span className="pane__badge">{source.n}</span>
        <h2 className="pane__title">{t('source.title')}</h2>
        <IconButton size="sm" label={t('common.close')} hint="Esc" icon={<X size={15} />} onClick={navigation.closePane} />
      </header>
      <div className="pane__body">
        <SourceCard source={source} />
        <div className="pane__actions">
          <Button size="sm" icon={<BookOpen size={14} />} onClick={() => navigation.openItem('library', source.documentId)}>
            {t('source.showInLibrary')}
          </Button>
        </div>
      </div>
    </aside>
  );
}
