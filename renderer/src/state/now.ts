// The time now, for "3 minutes ago" labels that must age while they are shown: re-renders its
// users every `everyMs` (one timer for all of them).
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  timer ??= setInterval(() => {
    now = Date.now();
    for (const each of listeners) each();
  }, 30_000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** Now (epoch ms), updated every half minute while a component shows relative times. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}
