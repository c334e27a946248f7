// Library: every document in a virtualised table that stays smooth at 100,000 rows (pages fetched
// as they scroll into view, kept current by indexing events), sortable by its columns; counts by
// status at the top, each a filter; a text filter that never holds up typing (the list follows a
// moment later) and filters by source and kind. A row opens its detail beside the table.
import { BookOpen, RotateCw } from 'lucide-react';
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import type { DocumentSort, DocumentSummary } from '../../../../app/contract/api.ts';
import type { DocumentKind, DocumentStatus } from '../../../../app/contract/index.ts';
import { api } from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { SearchInput, Select } from '../../components/Field.tsx';
import { VirtualTable, type Column, type TableSort } from '../../components/VirtualList.tsx';
import { useT } from '../../i18n/index.tsx';
import { useSearchTarget } from '../../shell/shortcuts.ts';
import { navigation, useNavigation } from '../../state/navigation.ts';
import { notify, notifyError } from '../../state/notices.ts';
import { usePagedList } from '../../state/paged.ts';
import { useQuery } from '../../state/query.ts';
import { createStore, useStore } from '../../state/store.ts';
import { DocumentDetail } from './DocumentDetail.tsx';
import { KindIcon } from './KindIcon.tsx';

const STATUSES: readonly DocumentStatus[] = ['indexed', 'pending', 'skipped', 'failed'];
const KINDS: readonly DocumentKind[] = ['file', 'email', 'web'];
/** Columns left out while a document's detail takes half the width. */
const NARROW_HIDDEN = new Set(['kind', 'source', 'size']);
const SORTABLE: Record<string, DocumentSort> = { title: 'title', size: 'size', date: 'date', status: 'status' };

interface Filters {
  text: string;
  status: DocumentStatus | null;
  kind: DocumentKind | null;
  sourceId: number | null;
  sort: DocumentSort;
  order: 'asc' | 'desc';
}

/** The filters outlive the view, so coming back to Library finds the list as it was left. */
const filters = createStore<Filters>({ text: '', status: null, kind: null, sourceId: null, sort: 'indexed', order: 'desc' });
const setFilter = (patch: Partial<Filters>) => filters.set((f) => ({ ...f, ...patch }));

/** `value`, once it has not changed for `ms` (typing settles before the list is asked again). */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export default function LibraryView() {
  const tr = useT();
  const { t } = tr;
  const { itemId } = useNavigation();
  const current = useStore(filters);
  // What is typed shows at once; the list follows once typing settles, rendered at low priority.
  const [typed, setTyped] = useState(current.text);
  const settled = useSettled(typed.trim(), 250);
  useEffect(() => setFilter({ text: settled }), [settled]);
  const text = useDeferredValue(current.text);

  const filter = useMemo(
    () => ({
      ...(text ? { text } : {}),
      ...(current.kind ? { kind: current.kind } : {}),
      ...(current.sourceId !== null ? { sourceId: current.sourceId } : {}),
    }),
    [text, current.kind, current.sourceId],
  );
  const fresh = usePagedList('documents.list', { ...filter, ...(current.status ? { status: current.status } : {}), sort: current.sort, order: current.order });
  // A new filter or sort starts with no rows: the previous list stays until its first page is here.
  const shown = useRef(fresh);
  if (fresh.total !== null || shown.current.total === null) shown.current = fresh;
  const list = shown.current;
  const counts = useQuery('documents.counts', filter);
  const listKey = `${JSON.stringify(filter)} ${current.status} ${current.sort} ${current.order}`;
  const sources = useQuery('sources.list', {});
  const sourcesById = useMemo(() => new Map((sources.data ?? []).map((s) => [s.id, s])), [sources.data]);
  const search = useRef<HTMLInputElement>(null);
  useSearchTarget(search);

  // Made again only when what they show changes, so that rows in view are not rendered again.
  const allColumns = useMemo<Column<DocumentSummary>[]>(
    () => [
      {
        id: 'title',
        header: t('library.title'),
        width: 'minmax(200px, 3fr)',
        sortable: true,
        render: (d) => (
          <span className="library__title" title={d.path ?? d.uri}>
            <KindIcon kind={d.kind} />
            <span className="cell-main">{d.title}</span>
            {d.children > 0 ? <span className="library__children">{t('library.inside', { count: d.children })}</span> : null}
          </span>
        ),
      },
      { id: 'kind', header: t('library.kind'), width: '88px', render: (d) => t(`docKind.${d.kind}`) },
      { id: 'source', header: t('library.source'), width: 'minmax(90px, 1fr)', render: (d) => <span title={sourcesById.get(d.sourceId)?.uri}>{sourcesById.get(d.sourceId)?.name ?? ''}</span> },
      { id: 'size', header: t('library.size'), width: '84px', align: 'end', sortable: true, render: (d) => (d.size !== null ? tr.bytes(d.size) : '') },
      { id: 'date', header: t('library.date'), width: '132px', sortable: true, render: (d) => (d.date !== null ? tr.date(d.date) : '') },
      {
        id: 'status',
        header: t('library.status'),
        width: '96px',
        sortable: true,
        render: (d) => (
          <span className={`badge badge--${d.status}`} title={d.reason ?? undefined}>
            {t(`docStatus.${d.status}`)}
          </span>
        ),
      },
    ],
    [tr, sourcesById],
  );
  // Beside the detail there is room for fewer columns: the kind shows as the title's icon.
  const narrow = itemId !== null;
  const columns = useMemo(() => (narrow ? allColumns.filter((c) => !NARROW_HIDDEN.has(c.id)) : allColumns), [allColumns, narrow]);
  const sortColumn = Object.keys(SORTABLE).find((column) => SORTABLE[column] === current.sort);
  const sort: TableSort | undefined = sortColumn ? { column: sortColumn, order: current.order } : undefined;
  const onSort = useCallback((column: string) => {
    const next = SORTABLE[column];
    if (!next) return;
    filters.set((f) => (f.sort === next ? { ...f, order: f.order === 'asc' ? 'desc' : 'asc' } : { ...f, sort: next, order: next === 'title' ? 'asc' : 'desc' }));
  }, []);
  const isSelected = useCallback((d: DocumentSummary) => d.id === itemId, [itemId]);
  const onActivate = useCallback((d: DocumentSummary) => navigation.openItem('library', d.id), []);

  const all = counts.data ? STATUSES.reduce((n, s) => n + counts.data![s], 0) : null;
  const filtered = !!(text || current.kind || current.sourceId !== null || current.status);
  const clearFilters = () => {
    setTyped('');
    setFilter({ text: '', status: null, kind: null, sourceId: null });
  };
  const retryAll = () =>
    api.documents.retry({ allFailed: true }).then(
      (result) => notify(t('library.retrying', { count: result.queued })),
      (error: unknown) => notifyError(t('library.retryFailed'), error),
    );

  return (
    <div className="view library" data-testid="library-view">
      <header className="view__header library__header">
        <h1 className="view__title">{t('nav.library')}</h1>
        <SearchInput
          ref={search}
          className="view__search"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          placeholder={t('library.filter')}
          aria-label={t('library.filter')}
        />
      </header>
      <div className="library__bar">
        <div className="library__counts" role="group" aria-label={t('library.byStatus')}>
          <button type="button" className="status-chip" aria-pressed={current.status === null} onClick={() => setFilter({ status: null })}>
            {t('library.all')} <span className="status-chip__n">{all === null ? '…' : tr.number(all)}</span>
          </button>
          {STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              className={`status-chip status-chip--${s}`}
              aria-pressed={current.status === s}
              data-testid={`count-${s}`}
              onClick={() => setFilter({ status: current.status === s ? null : s })}
            >
              {t(`docStatus.${s}`)} <span className="status-chip__n">{counts.data ? tr.number(counts.data[s]) : '…'}</span>
            </button>
          ))}
        </div>
        <div className="library__filters">
          <Select aria-label={t('library.sourceFilter')} value={current.sourceId ?? ''} onChange={(e) => setFilter({ sourceId: e.target.value ? Number(e.target.value) : null })}>
            <option value="">{t('library.allSources')}</option>
            {(sources.data ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </Select>
          <Select aria-label={t('library.kindFilter')} value={current.kind ?? ''} onChange={(e) => setFilter({ kind: (e.target.value || null) as DocumentKind | null })}>
            <option value="">{t('library.allKinds')}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`docKinds.${k}`)}
              </option>
            ))}
          </Select>
          {current.status === 'failed' && (counts.data?.failed ?? 0) > 0 ? (
            <Button size="sm" icon={<RotateCw size={13} />} onClick={retryAll}>
              {t('library.retryAll')}
            </Button>
          ) : null}
        </div>
      </div>
      <div
        className={`library__body${itemId !== null ? ' library__body--detail' : ''}`}
        onKeyDown={(event) => {
          // Escape in the table or the detail closes the detail (before the window's own Escape).
          if (event.key === 'Escape' && itemId !== null) {
            event.preventDefault();
            navigation.openItem('library', null);
          }
        }}
      >
        <div className="library__table">
          {list.error ? <p className="quiet-note quiet-note--error library__error">{list.error.message}</p> : null}
          {list.total === 0 ? (
            <EmptyState icon={<BookOpen size={28} />} title={filtered ? t('library.noMatch') : t('library.emptyTitle')}>
              {filtered ? (
                <Button size="sm" onClick={clearFilters}>
                  {t('library.clearFilters')}
                </Button>
              ) : (
                <p>{t('library.emptyText')}</p>
              )}
            </EmptyState>
          ) : (
            <VirtualTable
              columns={columns}
              count={list.total ?? 0}
              row={list.row}
              label={t('library.table')}
              onRangeChange={list.ensure}
              isSelected={isSelected}
              onActivate={onActivate}
              sort={sort}
              onSort={onSort}
              scrollKey={listKey}
            />
          )}
        </div>
        {itemId !== null ? <DocumentDetail key={itemId} id={itemId} source={(id) => sourcesById.get(id)} /> : null}
      </div>
    </div>
  );
}
