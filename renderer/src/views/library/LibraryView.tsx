// Library: every document in a virtualised table (pages fetched as they scroll into view, kept
// current by indexing events), with counts by status and a filter by words in the title or path.
// The document detail, filters and actions come next.
import { useDeferredValue, useRef, useState } from 'react';
import type { DocumentSummary } from '../../../../app/contract/api.ts';
import { SearchInput } from '../../components/Field.tsx';
import { VirtualTable, type Column } from '../../components/VirtualList.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { useT } from '../../i18n/index.tsx';
import { navigation, useNavigation } from '../../state/navigation.ts';
import { usePagedList } from '../../state/paged.ts';
import { useQuery } from '../../state/query.ts';
import { useSearchTarget } from '../../shell/shortcuts.ts';
import { BookOpen } from 'lucide-react';

export default function LibraryView() {
  const tr = useT();
  const { t } = tr;
  const { itemId } = useNavigation();
  const [text, setText] = useState('');
  const query = useDeferredValue(text.trim());
  const list = usePagedList('documents.list', query ? { text: query } : {});
  const status = useQuery('library.status', {});
  const search = useRef<HTMLInputElement>(null);
  useSearchTarget(search);

  const columns: Column<DocumentSummary>[] = [
    { id: 'title', header: t('library.title'), width: 'minmax(180px, 3fr)', render: (d) => <span className="cell-main" title={d.path ?? d.uri}>{d.title}</span> },
    { id: 'status', header: t('library.status'), width: '110px', render: (d) => <span className={`badge badge--${d.status}`} title={d.reason ?? undefined}>{t(`docStatus.${d.status}`)}</span> },
    { id: 'date', header: t('library.date'), width: '130px', render: (d) => (d.date !== null ? tr.date(d.date) : '') },
    { id: 'size', header: t('library.size'), width: '90px', align: 'end', render: (d) => (d.size !== null ? tr.bytes(d.size) : '') },
  ];
  const counts = status.data?.documents;
  let selected: number | null = null;
  for (let i = 0; itemId !== null && i < (list.total ?? 0) && i < 2000; i++) if (list.row(i)?.id === itemId) selected = i;

  return (
    <div className="view library" data-testid="library-view">
      <header className="view__header">
        <h1 className="view__title">{t('nav.library')}</h1>
        {counts ? (
          <div className="view__counts">
            {(['indexed', 'pending', 'skipped', 'failed'] as const).map((s) => (
              <span key={s} className={`badge badge--${s}`}>
                {t(`docStatus.${s}`)} {tr.number(counts[s] ?? 0)}
              </span>
            ))}
          </div>
        ) : null}
        <SearchInput ref={search} className="view__search" value={text} onChange={(e) => setText(e.target.value)} placeholder={t('library.filter')} aria-label={t('library.filter')} />
      </header>
      {list.error ? <p className="quiet-note quiet-note--error">{list.error.message}</p> : null}
      {list.total === 0 ? (
        <EmptyState icon={<BookOpen size={28} />} title={query ? t('library.noMatch') : t('library.emptyTitle')}>
          {query ? null : <p>{t('library.emptyText')}</p>}
        </EmptyState>
      ) : (
        <VirtualTable
          columns={columns}
          count={list.total ?? 0}
          row={list.row}
          label={t('library.table')}
          onRangeChange={list.ensure}
          selectedIndex={selected}
          onActivate={(d) => navigation.openItem('library', d.id)}
        />
      )}
    </div>
  );
}
