// The window's views: each has an icon, a name (i18n key) and a component, and its shortcut is
// Mod+ its place in this list. A new view is one entry here and a folder under views/. Views
// other than Chat load on first use, so the window starts with only what Chat needs.
import { BookOpen, Cpu, FolderTree, MessageSquare, Settings } from 'lucide-react';
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import type { MessageKey } from '../i18n/index.tsx';
import type { View } from '../state/navigation.ts';
import { ChatView } from './chat/ChatView.tsx';

export interface ViewEntry {
  id: View;
  label: MessageKey;
  icon: ReactNode;
  component: ComponentType | LazyExoticComponent<ComponentType>;
}

export const views: readonly ViewEntry[] = [
  { id: 'chat', label: 'nav.chat', icon: <MessageSquare size={17} />, component: ChatView },
  { id: 'library', label: 'nav.library', icon: <BookOpen size={17} />, component: lazy(() => import('./library/LibraryView.tsx')) },
  { id: 'sources', label: 'nav.sources', icon: <FolderTree size={17} />, component: lazy(() => import('./sources/SourcesView.tsx')) },
  { id: 'models', label: 'nav.models', icon: <Cpu size={17} />, component: lazy(() => import('./models/ModelsView.tsx')) },
  { id: 'settings', label: 'nav.settings', icon: <Settings size={17} />, component: lazy(() => import('./settings/SettingsView.tsx')) },
];
