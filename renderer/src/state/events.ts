// The engine's one event stream, for views: `useEngineEvent('answer', handler)` listens while a
// component is mounted. One subscription to the client serves them all.
import { useEffect, useRef } from 'react';
import type { EngineEvent, EngineEventType } from '../../../app/contract/index.ts';
import { client } from '../api/index.ts';

export type EventOf<T extends EngineEventType> = Extract<EngineEvent, { type: T }>;

const listeners = new Set<(event: EngineEvent) => void>();
let stop: (() => void) | null = null;

/** Listens to every event; returns a function that stops. Opens the stream on first use. */
export function onEngineEvent(listener: (event: EngineEvent) => void): () => void {
  listeners.add(listener);
  stop ??= client.onEvent((event) => {
    for (const each of listeners) each(event);
  });
  return () => listeners.delete(listener);
}

export function useEngineEvent<T extends EngineEventType>(type: T, handler: (event: EventOf<T>) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(
    () =>
      onEngineEvent((event) => {
        if (event.type === type) latest.current(event as EventOf<T>);
      }),
    [type],
  );
}
