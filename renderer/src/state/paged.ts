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
/** Pages asked for at once: a fast drag through the list asks only for where it stops, not every place it passed. */
const IN_FLIGHT = 2;
/** Pages kept: those nearest the rows in view; the rest are fetched again if they come back into view. */
const KEPT = 10;

class Pages<M extends PagedMethod> {
  total: number | null = null;
  error: Error | null = null;
  private pages = new Map<number, Item<M>[]>();
  private loading = new Set<number>();
  /** The first and last page with rows in view. */
  private wanted: [number, number] = [0, 0];
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
    this.wanted = [Math.floor(first / PAGE), Math.floor(Math.max(first, last) / PAGE)];
    this.pump();
  }

  /** Fetches the pages in view again (the list changed); the others are dropped, to be fetched when seen again. */
  refresh(): void {
    this.generation++;
    this.loading.clear();
    for (const page of [...this.pages.keys()]) if (page < this.wanted[0] || page > this.wanted[1]) this.pages.delete(page);
    this.pump(true);
  }

  /** Starts fetching the missing pages in view, a few at a time. */
  private pump(again = false): void {
    for (let page = this.wanted[0]; page <= this.wanted[1] && this.loading.size < IN_FLIGHT; page++) {
      if (this.loading.has(page) || (!again && this.pages.has(page))) continue;
      this.load(page);
    }
  }

  private load(page: number): void {
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
        this.evict();
        this.error = null;
        this.changed();
        this.pump();
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.loading.delete(page);
        this.error = error instanceof Error ? error : new Error(String(error));
        this.changed();
      },
    );
  }

  /** Keeps the pages nearest the rows in view. */
  private evict(): void {
    if (this.pages.size <= KEPT) return;
    const centre = (this.wanted[0] + this.wanted[1]) / 2;
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const page of far.slice(0, this.pages.size - KEPT)) this.pages.delete(page);
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
