// Where the window is: the view, the open conversation, and what the right-hand pane shows. Kept
// in the address's hash (#/chat/12, #/library), so a reload (or Electron's file:// page) comes
// back to the same place and the browser's back button works in web mode.
import type { ChatSource } from '../../../app/contract/index.ts';
import { createStore, useStore } from './store.ts';

export const VIEWS = ['chat', 'library', 'sources', 'models', 'settings'] as const;
export type View = (typeof VIEWS)[number];

/** What the right-hand pane shows beside the view; the source viewer renders 'source'. */
export type PaneContent = { type: 'source'; source: ChatSource; conversationId: number | null; messageId: number | null };

export interface Place {
  view: View;
  /** The conversation open in Chat (null: a new one, not yet asked). */
  conversationId: number | null;
  /** A view's own item (e.g. a document's id in Library). */
  itemId: number | null;
}

interface Navigation extends Place {
  pane: PaneContent | null;
}

export function parseHash(hash: string): Place {
  const [view, id] = hash.replace(/^#\/?/, '').split('/');
  const known = (VIEWS as readonly string[]).includes(view ?? '') ? (view as View) : 'chat';
  const number = id && /^\d+$/.test(id) ? Number(id) : null;
  return { view: known, conversationId: known === 'chat' ? number : null, itemId: known === 'chat' ? null : number };
}

export function hashOf(place: Place): string {
  const id = place.view === 'chat' ? place.conversationId : place.itemId;
  return `#/${place.view}${id === null ? '' : `/${id}`}`;
}

const store = createStore<Navigation>({ ...parseHash(location.hash), pane: null });

function go(place: Partial<Place>): void {
  const current = store.get();
  const next = { ...current, ...place };
  if (next.view === current.view && next.conversationId === current.conversationId && next.itemId === current.itemId) return;
  store.set(next);
  const hash = hashOf(next);
  if (location.hash !== hash) history.pushState(null, '', hash);
}

window.addEventListener('popstate', () => store.set({ ...store.get(), ...parseHash(location.hash) }));

export const navigation = {
  store,
  showView: (view: View) => go({ view, itemId: null }),
  openConversation: (conversationId: number | null) => go({ view: 'chat', conversationId }),
  openItem: (view: View, itemId: number | null) => go({ view, itemId }),
  /** Shows a cited source beside the chat (the source viewer lives in the pane). */
  openCitation(source: ChatSource, context: { conversationId?: number | null; messageId?: number | null } = {}) {
    store.set({ ...store.get(), pane: { type: 'source', source, conversationId: context.conversationId ?? null, messageId: context.messageId ?? null } });
  },
  closePane: () => store.set({ ...store.get(), pane: null }),
};

export function useNavigation(): Navigation {
  return useStore(store);
}
