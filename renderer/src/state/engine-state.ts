// Whether the engine answers: `stopped` (it died; the host restarts it) shows a banner until
// `ready`, when everything is fetched again (state/sync.ts); `failed` (it cannot open the library,
// or kept dying) stays, with the reason.
import type { EngineStateEvent } from '../../../app/contract/index.ts';
import { createStore } from './store.ts';

export interface EngineState {
  state: EngineStateEvent['state'];
  reason: string | null;
  /** When it came back last (for a short "reconnected" line); null before any restart. */
  recoveredAt: number | null;
}

const store = createStore<EngineState>({ state: 'ready', reason: null, recoveredAt: null });

export const engineState = {
  store,
  set(event: EngineStateEvent): void {
    const was = store.get().state;
    store.set({ state: event.state, reason: event.reason, recoveredAt: event.state === 'ready' && (was === 'stopped' || event.reason) ? Date.now() : store.get().recoveredAt });
  },
};
