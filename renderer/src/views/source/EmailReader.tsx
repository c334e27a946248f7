// An email as a reader shows it: its headers (from, to, cc, date, subject), its body as indexed
// with the cited passage marked, and its attachments, each opened in the same pane.
import { Paperclip } from 'lucide-react';
import type { ReactNode } from 'react';
import type { DocumentText } from '../../../../app/contract/api.ts';
import { SourceKindIcon } from '../../components/CitationChip.tsx';
import { useT } from '../../i18n/index.tsx';
import { navigation, type PaneContent } from '../../state/navigation.ts';
import { DocumentBody } from './DocumentBody.tsx';

export function EmailReader({ content, notes, pane }: { content: DocumentText; notes: ReactNode; pane: PaneContent }) {
  const tr = useT();
  const { t } = tr;
  const email = content.email!;
  const rows: [string, string][] = [
    [t('source.email.from'), email.from ?? ''],
    [t('source.email.to'), email.to.join(', ')],
    [t('source.email.cc'), email.cc.join(', ')],
    [t('source.email.date'), email.date === null ? '' : tr.date(email.date, 'long')],
  ];
  return (
    <div className="source-viewer source-viewer__scroll email-reader" aria-label={t('source.viewer')} tabIndex={0} data-testid="email-reader">
      {notes}
      <h3 className="email-reader__subject">{email.subject || t('source.email.noSubject')}</h3>
      <dl className="email-reader__headers" aria-label={t('source.email.headers')}>
        {rows
          .filter(([, value]) => value)
          .map(([label, value]) => (
            <div key={label} className="email-reader__header">
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
      </dl>
      <section className="email-reader__body" aria-label={t('source.email.body')}>
        <DocumentBody content={content} from={email.bodyStart} />
      </section>
      {content.children.length ? (
        <section className="email-reader__attachments" aria-label={t('source.email.attachments', { count: content.children.length })}>
          <h4 className="email-reader__attachments-title">
            <Paperclip size={14} aria-hidden="true" />
            {t('source.email.attachments', { count: content.children.length })}
          </h4>
          <ul>
            {content.children.map((child) => (
              <li key={child.id}>
                <button type="button" className="email-reader__attachment" onClick={() => navigation.openDocument(child.id, child.title, pane)}>
                  <SourceKindIcon kind={child.kind} />
                  <span className="email-reader__attachment-name">{child.title}</span>
                  <span className="email-reader__attachment-meta">
                    {child.size !== null ? tr.bytes(child.size) : ''}
                    {child.status !== 'indexed' && child.reason ? ` · ${t('source.email.notRead', { reason: child.reason })}` : ''}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
