// A citation [n] in an answer: a small chip. Hovering (or focusing) shows the source card: the
// title, where it is (file path, or sender and date), the page, the passage, and whether keyword
// or meaning search found it; clicking opens the source beside the chat.
import * as HoverCard from '@radix-ui/react-hover-card';
import { FileText, Globe, Mail } from 'lucide-react';
import type { ChatSource } from '../../../app/contract/index.ts';
import { useT } from '../i18n/index.tsx';

export function SourceKindIcon({ kind, size = 14 }: { kind: ChatSource['kind']; size?: number }) {
  if (kind === 'email') return <Mail size={size} aria-hidden="true" />;
  if (kind === 'web') return <Globe size={size} aria-hidden="true" />;
  return <FileText size={size} aria-hidden="true" />;
}

/** Where a source is, for people: a file's path, a web page's address, an email's sender. */
export function sourceLocation(source: ChatSource): string {
  if (source.kind === 'email') return source.from ?? source.uri;
  return source.uri.replace(/^file:\/\//, '');
}

export function SourceCard({ source }: { source: ChatSource }) {
  const tr = useT();
  const { t } = tr;
  return (
    <div className="c-source-card">
      <div className="c-source-card__title">
        <SourceKindIcon kind={source.kind} />
        <span>{source.title}</span>
      </div>
      <div className="c-source-card__where">
        {sourceLocation(source)}
        {source.kind === 'email' && source.date !== null ? ` · ${tr.date(source.date, 'long')}` : ''}
        {source.page !== null ? ` · ${t('source.page', { page: source.page })}` : ''}
      </div>
      {source.headingPath.length ? <div className="c-source-card__heading">{source.headingPath.join(' › ')}</div> : null}
      <blockquote className="c-source-card__passage">{source.snippet}</blockquote>
    </div>
  );
}

export function CitationChip({ n, source, onOpen }: { n: number; source: ChatSource | undefined; onOpen: (source: ChatSource) => void }) {
  const { t } = useT();
  if (!source) return <span className="c-cite c-cite--missing">{n}</span>;
  return (
    <HoverCard.Root openDelay={250} closeDelay={120}>
      <HoverCard.Trigger asChild>
        <button type="button" className="c-cite" aria-label={t('source.citation', { n, title: source.title })} onClick={() => onOpen(source)}>
          {n}
        </button>
      </HoverCard.Trigger>
      <HoverCard.Portal>
        <HoverCard.Content className="c-hovercard" side="top" align="start" sideOffset={6} collisionPadding={12}>
          <SourceCard source={source} />
          <div className="c-hovercard__hint">{t('source.openHint')}</div>
        </HoverCard.Content>
      </HoverCard.Portal>
    </HoverCard.Root>
  );
}
