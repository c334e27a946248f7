// Long lists and tables that stay smooth at 100,000 rows: only the rows in view (and a few
// around them) are in the DOM (@tanstack/react-virtual). Rows have one fixed height, so the
// scroll height is exact without measuring. `VirtualTable` adds column headers and the ARIA
// table roles with each row's position (aria-rowindex), so a screen reader knows where it is
// although most rows are not rendered.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type CSSProperties, type KeyboardEvent, type ReactNode } from 'react';

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  renderRow: (index: number) => ReactNode;
  /** Told which rows are in view (e.g. to fetch their page). */
  onRangeChange?: (first: number, last: number) => void;
  label: string;
  className?: string;
}

export function VirtualList({ count, rowHeight, renderRow, onRangeChange, label, className }: VirtualListProps) {
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count, getScrollElement: () => parent.current, estimateSize: () => rowHeight, overscan: 8 });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;
  useEffect(() => onRangeChange?.(first, last), [first, last, onRangeChange]);
  return (
    <div ref={parent} className={`c-virtual${className ? ` ${className}` : ''}`} role="list" aria-label={label} tabIndex={0}>
      <div className="c-virtual__spacer" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => (
          <div key={item.key} role="listitem" className="c-virtual__row" style={{ height: rowHeight, transform: `translateY(${item.start}px)` }}>
            {renderRow(item.index)}
          </div>
        ))}
      </div>
    </div>
  );
}

export interface Column<T> {
  id: string;
  header: string;
  /** A CSS grid track: '2fr', '120px', 'minmax(80px, 1fr)'. */
  width: string;
  align?: 'start' | 'end';
  render: (row: T, index: number) => ReactNode;
}

export interface VirtualTableProps<T> {
  columns: Column<T>[];
  count: number;
  /** The row at `index`, or undefined while its page is loading (a placeholder is shown). */
  row: (index: number) => T | undefined;
  rowHeight?: number;
  label: string;
  onRangeChange?: (first: number, last: number) => void;
  onActivate?: (row: T, index: number) => void;
  selectedIndex?: number | null;
}

export function VirtualTable<T>({ columns, count, row, rowHeight = 36, label, onRangeChange, onActivate, selectedIndex = null }: VirtualTableProps<T>) {
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count, getScrollElement: () => parent.current, estimateSize: () => rowHeight, overscan: 10 });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;
  useEffect(() => onRangeChange?.(first, last), [first, last, onRangeChange]);
  const grid: CSSProperties = { gridTemplateColumns: columns.map((c) => c.width).join(' ') };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!onActivate || count === 0) return;
    const current = selectedIndex ?? -1;
    let next: number | null = null;
    if (event.key === 'ArrowDown') next = Math.min(count - 1, current + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, current - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = count - 1;
    else if (event.key === 'PageDown') next = Math.min(count - 1, current + Math.max(1, items.length - 2));
    else if (event.key === 'PageUp') next = Math.max(0, current - Math.max(1, items.length - 2));
    if (next === null) return;
    event.preventDefault();
    virtualizer.scrollToIndex(next, { align: 'auto' });
    const value = row(next);
    if (value !== undefined) onActivate(value, next);
  };

  return (
    <div className="c-table" role="table" aria-label={label} aria-rowcount={count + 1}>
      <div className="c-table__head" role="rowgroup">
        <div className="c-table__row c-table__row--head" role="row" aria-rowindex={1} style={grid}>
          {columns.map((c) => (
            <div key={c.id} role="columnheader" className={`c-table__cell${c.align === 'end' ? ' c-table__cell--end' : ''}`}>
              {c.header}
            </div>
          ))}
        </div>
      </div>
      <div ref={parent} className="c-table__body c-virtual" role="rowgroup" tabIndex={0} onKeyDown={onKeyDown}>
        <div className="c-virtual__spacer" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const value = row(item.index);
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={selectedIndex === item.index}
                className={`c-table__row${selectedIndex === item.index ? ' c-table__row--selected' : ''}`}
                style={{ ...grid, height: rowHeight, transform: `translateY(${item.start}px)` }}
                onClick={value !== undefined && onActivate ? () => onActivate(value, item.index) : undefined}
              >
                {value === undefined ? (
                  <div role="cell" className="c-table__cell c-table__cell--loading" aria-busy="true">
                    <span className="c-skeleton" />
                  </div>
                ) : (
                  columns.map((c) => (
                    <div key={c.id} role="cell" className={`c-table__cell${c.align === 'end' ? ' c-table__cell--end' : ''}`}>
                      {c.render(value, item.index)}
                    </div>
                  ))
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
