// Server state in the renderer: every read of the engine goes through one small cache keyed by
// method and params, so two views showing the same thing show the same data and fetch it once.
// Entries are never edited by hand: they are refetched when the engine says something changed
// (state/sync.ts maps each event to what it invalidates), or replaced with what an event
// carries whole (the `sources` event is the full sources list).
import { useCallback, useSyncExternalStore } from 'react';
import type { MethodName, ParamsOf, ResultOf } from '../../../app/contract/api.ts';
import { client } from '../api/index.ts';

export interface QueryState<T> {
  data: T | undefined;
  error: Error | null;
  /** True until the first answer (data or error) arrives. */
  loading: boolean;
  /** True while a (re)fetch is under way; `data` still shows the previous answer meanwhile. */
  fetching: boolean;
}

interface Entry {
  method: MethodName;
  params: unknown;
  state: QueryState<unknown>;
  listeners: Set<() => void>;
  inFlight: boolean;
  /** Invalidated while a fetch was under way: fetch once more when it ends. */
  again: boolean;
  /** Invalidated while nobody watched: fetch when someone does. */
  stale: boolean;
}

const entries = new Map<string, Entry>();
const INITIAL: QueryState<unknown> = { data: undefined, error: null, loading: true, fetching: false };

/** A stable key for params: the same object in any key order gives the same key. */
export function queryKey(method: string, params: unknown): string {
  return `${method} ${stableJson(params ?? {})}`;
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).filter((k) => object[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(object[k])}`).join(',')}}`;
}

function entryFor(method: MethodName, params: unknown): Entry {
  const key = queryKey(method, params);
  let entry = entries.get(key);
  if (!entry) {
    entry = { method, params, state: INITIAL, listeners: new Set(), inFlight: false, again: false, stale: true };
    entries.set(key, entry);
  }
  return entry;
}

function update(entry: Entry, patch: Partial<QueryState<unknown>>): void {
  entry.state = { ...entry.state, ...patch };
  for (const listener of entry.listeners) listener();
}

type Call = (params: unknown) => Promise<unknown>;

function callOf(method: MethodName): Call {
  const [group, name] = method.split('.') as [string, string];
  return (client.api as unknown as Record<string, Record<string, Call>>)[group]![name]!;
}

function fetchEntry(entry: Entry): void {
  if (entry.inFlight) {
    entry.again = true;
    return;
  }
  entry.inFlight = true;
  entry.stale = false;
  update(entry, { fetching: true });
  callOf(entry.method)(entry.params).then(
    (data) => finish(entry, { data, error: null }),
    (error: unknown) => finish(entry, { error: error instanceof Error ? error : new Error(String(error)) }),
  );
}

function finish(entry: Entry, patch: Partial<QueryState<unknown>>): void {
  entry.inFlight = false;
  update(entry, { ...patch, loading: false, fetching: false });
  if (entry.again) {
    entry.again = false;
    if (entry.listeners.size > 0) fetchEntry(entry);
    else entry.stale = true;
  }
}

/**
 * Reads `method` with `params` (null: not yet, e.g. no conversation chosen), kept current by
 * the engine's events. Re-renders only when this entry changes.
 */
export function useQuery<M extends MethodName>(method: M, params: ParamsOf<M> | null): QueryState<ResultOf<M>> & { refetch: () => void } {
  const key = params === null ? null : queryKey(method, params);
  const subscribe = useCallback(
    (listener: () => void) => {
      if (key === null) return () => {};
      const entry = entryFor(method, params);
      entry.listeners.add(listener);
      if (entry.stale) fetchEntry(entry);
      return () => entry.listeners.delete(listener);
    },
    // The key stands for the params.
    [key],
  );
  const snapshot = useSyncExternalStore(subscribe, () => (key === null ? INITIAL : (entries.get(key)?.state ?? INITIAL)));
  const refetch = useCallback(() => {
    if (key !== null) fetchEntry(entryFor(method, params));
  }, [key]);
  return { ...(snapshot as QueryState<ResultOf<M>>), refetch };
}

type Match = MethodName | readonly MethodName[] | ((method: MethodName, params: unknown) => boolean);

function matches(match: Match, entry: Entry): boolean {
  if (typeof match === 'function') return match(entry.method, entry.params);
  return typeof match === 'string' ? entry.method === match : match.includes(entry.method);
}

/** Readers that keep their own pages (state/paged.ts) and are told when their method is invalidated. */
const outside = new Set<{ method: MethodName; params: unknown; refresh: () => void }>();

/** Calls `refresh` whenever `method` with `params` is invalidated; returns a function that stops. */
export function onInvalidate(method: MethodName, params: unknown, refresh: () => void): () => void {
  const reader = { method, params, refresh };
  outside.add(reader);
  return () => outside.delete(reader);
}

/** Marks what matches as out of date: refetched now where a view shows it, else when one next does. */
export function invalidate(match: Match): void {
  for (const reader of outside) if (matches(match, reader as unknown as Entry)) reader.refresh();
  for (const entry of entries.values()) {
    if (!matches(match, entry)) continue;
    if (entry.listeners.size > 0) fetchEntry(entry);
    else entry.stale = true;
  }
}

/** Refetches everything (the engine restarted, or events were missed). */
export function invalidateAll(): void {
  invalidate(() => true);
}

const soon = new Map<MethodName, ReturnType<typeof setTimeout>>();

/**
 * Invalidates at most once per `ms` for each method: indexing sends many events a second, and
 * the counts they change need not be refetched more often than a person can read them.
 */
export function invalidateSoon(methods: readonly MethodName[], ms = 800): void {
  for (const method of methods) {
    if (soon.has(method)) continue;
    soon.set(
      method,
      setTimeout(() => {
        soon.delete(method);
        invalidate(method);
      }, ms),
    );
  }
}

/** Puts a result the engine sent whole (an event, a mutation's answer) in place of a fetch. */
export function setQueryData<M extends MethodName>(method: M, params: ParamsOf<M>, data: ResultOf<M>): void {
  const entry = entryFor(method, params);
  entry.stale = false;
  update(entry, { data, error: null, loading: false });
}

/** The cached result, if any (for code outside React). */
export function peekQuery<M extends MethodName>(method: M, params: ParamsOf<M>): ResultOf<M> | undefined {
  return entries.get(queryKey(method, params))?.state.data as ResultOf<M> | undefined;
}
