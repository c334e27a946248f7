// Quiet one-line notices ("Exported to …", "Could not rename: …"): a few at a time at the
// bottom of the window, each gone after a while or when dismissed. Errors stay until dismissed.
import { createStore, useStore } from './store.ts';

export interface Notice {
  id: number;
  text: string;
  tone: 'info' | 'error';
}

const store = createStore<readonly Notice[]>([]);
let nextId = 1;

export function notify(text: string, tone: Notice['tone'] = 'info'): void {
  const id = nextId++;
  store.set((all) => [...all.slice(-3), { id, text, tone }]);
  if (tone === 'info') setTimeout(() => dismiss(id), 5000);
}

export function dismiss(id: number): void {
  store.set((all) => all.filter((n) => n.id !== id));
}

export function useNotices(): readonly Notice[] {
  return useStore(store);
}

/** Says an error where the user sees it (the engine's message is already written for people). */
export function notifyError(prefix: string, error: unknown): void {
  notify(`${prefix}: ${error instanceof Error ? error.message : String(error)}`, 'error');
}
