// A long list read a page at a time (documents.list, documents.problems): pages are fetched as
// rows come into view and refetched when the engine says the list changed, so a table of
// 100,000 documents never holds more than the pages someone looked at.
import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import type { MethodName, ParamsOf, ResultOf } from '../../../app/contract/api.ts';
import { api } from '../api/index.ts';
import { onInvalidate, queryKey } from './query.ts';

type PagedMethod = 'documents.list' | 'documents.problems';
type Item<M extends PagedMethod> = ResultOf<M>['items'][number];

const PAGE = 200;

class Pages<M extends PagedMethod> {
  total: number | null = null;
  error: Error | null = null;
  private pages = new Map<number, Item<M>[]>();
  private loading = new Set<number>();
  private generation = 0;
  private listeners = new Set<() => void>();
  version = 0;
  private readonly fetchPage: (offset: number, limit: number) => Promise<{ total: number; items: Item<M>[] }>;

  constructor(fetchPage: (offset: number, limit: number) => Promise<{ total: number; items: Item<M>[] }>) {
    this.fetchPage = fetchPage;
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private changed() {
    this.version++;
    for (const l of this.listeners) l();
  }

  row(index: number): Item<M> | undefined {
    return this.pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  }

  ensure(first: number, last: number): void {
    for (let page = Math.floor(first / PAGE); page <= Math.floor(Math.max(first, last) / PAGE); page++) this.load(page);
  }

  /** Fetches the pages already shown again (the list changed). */
  refresh(): void {
    const shown = [...this.pages.keys()];
    this.generation++;
    this.loading.clear();
    for (const page of shown.length ? shown : [0]) this.load(page, true);
  }

  private load(page: number, again = false): void {
    if (this.loading.has(page) || (!again && this.pages.has(page))) return;
    this.loading.add(page);
    const generation = this.generation;
    this.fetchPage(page * PAGE, PAGE).then(
      (result) => {
        if (generation !== this.generation) return;
        this.loading.delete(page);
        if (this.total !== result.total) {
          // Rows moved: pages other than this one are out of date.
          for (const other of this.pages.keys()) if (other !== page) this.pages.delete(other);
        }
        this.total = result.total;
        this.pages.set(page, result.items);
        this.error = null;
        this.changed();
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.loading.delete(page);
        this.error = error instanceof Error ? error : new Error(String(error));
        this.changed();
      },
    );
  }
}

export interface PagedList<T> {
  /** Null until the first page arrives. */
  total: number | null;
  error: Error | null;
  row(index: number): T | undefined;
  /** Call with the rows in view. */
  ensure(first: number, last: number): void;
}

export function usePagedList<M extends PagedMethod>(method: M, params: Omit<ParamsOf<M>, 'offset' | 'limit'>): PagedList<Item<M>> {
  const key = queryKey(method, params);
  const latest = useRef(params);
  latest.current = params;
  const pages = useMemo(() => {
    const call = method === 'documents.list' ? api.documents.list : api.documents.problems;
    return new Pages<M>((offset, limit) => (call as (p: object) => Promise<{ total: number; items: Item<M>[] }>)({ ...latest.current, offset, limit }));
    // One set of pages per method and params.
  }, [key]);
  useEffect(() => {
    pages.ensure(0, 0);
    return onInvalidate(method as MethodName, params, () => pages.refresh());
  }, [pages]);
  useSyncExternalStore(pages.subscribe, () => pages.version);
  const ensure = useCallback((first: number, last: number) => pages.ensure(first, last), [pages]);
  return { total: pages.total, error: pages.error, row: (index) => pages.row(index), ensure };
}
