// Where the window is: the view, the open conversation, and what the right-hand pane shows. Kept
// in the address's hash (#/chat/12, #/library), so a reload (or Electron's file:// page) comes
// back to the same place and the browser's back button works in web mode.
import type { ChatSource } from '../../../app/contract/index.ts';
import { openExternal } from '../api/desktop.ts';
import { notify } from './notices.ts';
import { createStore, useStore } from './store.ts';

export const VIEWS = ['chat', 'library', 'sources', 'models', 'settings'] as const;
export type View = (typeof VIEWS)[number];

/**
 * What the right-hand pane shows beside the view (the source viewer renders both): a cited source,
 * or a document opened from another (an email's attachment), with the pane to go back to.
 */
export type PaneContent =
  | { type: 'source'; source: ChatSource; conversationId: number | null; messageId: number | null }
  | { type: 'document'; documentId: number; title: string; back: PaneContent | null };

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
  /** Shows a cited source beside the chat (the source viewer lives in the pane); a web page opens in the browser. */
  openCitation(source: ChatSource, context: { conversationId?: number | null; messageId?: number | null } = {}) {
    if (source.kind === 'web') {
      // The system's message (the desktop app's) is already written for people.
      openExternal(source.uri).catch((error: unknown) => notify(error instanceof Error ? error.message : String(error), 'error'));
      return;
    }
    store.set({ ...store.get(), pane: { type: 'source', source, conversationId: context.conversationId ?? null, messageId: context.messageId ?? null } });
  },
  /** Shows a document in the pane (an attachment from an email shown there: `back` returns to it). */
  openDocument(documentId: number, title: string, back: PaneContent | null = store.get().pane) {
    store.set({ ...store.get(), pane: { type: 'document', documentId, title, back } });
  },
  /** Shows the pane again as it was (after openDocument). */
  showPane: (pane: PaneContent) => store.set({ ...store.get(), pane }),
  closePane: () => store.set({ ...store.get(), pane: null }),
};

export function useNavigation(): Navigation {
  return useStore(store);
}
