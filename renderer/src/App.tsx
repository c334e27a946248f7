// The window: sidebar (views and conversations), the view, a right-hand pane for the source
// viewer, the status bar with the activity panel, notices, the engine banner and the drop
// overlay; language and theme from the settings (or the system), shortcuts for the whole window.
import { Suspense, useEffect, type ReactNode } from 'react';
import { api } from './api/index.ts';
import { Button } from './components/Button.tsx';
import { EmptyState } from './components/EmptyState.tsx';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { Spinner } from './components/Spinner.tsx';
import { TooltipProvider } from './components/Tooltip.tsx';
import { I18nProvider, useT } from './i18n/index.tsx';
import { DropOverlay } from './shell/DropOverlay.tsx';
import { EngineBanner } from './shell/EngineBanner.tsx';
import { Notices } from './shell/Notices.tsx';
import { focusSearch, useShortcuts, type Shortcut } from './shell/shortcuts.ts';
import { Sidebar } from './shell/Sidebar.tsx';
import { StatusBar } from './shell/StatusBar.tsx';
import { liveAnswers } from './views/chat/live-answers.ts';
import { navigation, useNavigation, VIEWS } from './state/navigation.ts';
import { usePreferences } from './state/preferences.ts';
import { SourcePane } from './views/source/SourcePane.tsx';
import { views } from './views/registry.tsx';
import { AlertOctagon } from 'lucide-react';

function Failure({ error, reset }: { error: Error; reset: () => void }) {
  const { t } = useT();
  return (
    <div className="view view--center" role="alert">
      <EmptyState icon={<AlertOctagon size={28} />} title={t('error.title')} actions={<Button onClick={reset}>{t('error.retry')}</Button>}>
        <p>{t('error.text')}</p>
        <pre className="error-detail">{error.message}</pre>
      </EmptyState>
    </div>
  );
}

function Loading() {
  const { t } = useT();
  return (
    <div className="view view--center">
      <Spinner label={t('common.loading')} size={18} />
    </div>
  );
}

function Shell() {
  const { view, pane, conversationId } = useNavigation();
  const shortcuts: Shortcut[] = [
    { keys: 'Mod+N', handler: () => navigation.openConversation(null), inFields: true },
    { keys: 'Mod+K', handler: focusSearch, inFields: true },
    ...VIEWS.map((id, i) => ({ keys: `Mod+${i + 1}`, handler: () => navigation.showView(id), inFields: true })),
    {
      keys: 'Escape',
      handler: () => {
        if (conversationId !== null && liveAnswers.isStreaming(conversationId)) void api.chat.stop({ conversationId });
        else if (pane) navigation.closePane();
      },
    },
  ];
  useShortcuts(shortcuts);
  const entry = views.find((v) => v.id === view) ?? views[0]!;
  const Current = entry.component;
  return (
    <div className={`app${pane ? ' app--pane' : ''}`}>
      <Sidebar />
      <main className="main" id="main">
        <EngineBanner />
        <ErrorBoundary resetKey={view} fallback={(error, reset) => <Failure error={error} reset={reset} />}>
          <Suspense fallback={<Loading />}>
            <Current />
          </Suspense>
        </ErrorBoundary>
      </main>
      {pane ? (
        <ErrorBoundary resetKey={pane} fallback={(error, reset) => <Failure error={error} reset={reset} />}>
          <SourcePane content={pane} />
        </ErrorBoundary>
      ) : null}
      <StatusBar />
      <Notices />
      <DropOverlay />
    </div>
  );
}

/** Puts the language and theme on <html>, where the CSS tokens and screen readers read them. */
function Document({ children }: { children: ReactNode }) {
  const preferences = usePreferences();
  useEffect(() => {
    const root = document.documentElement;
    root.lang = preferences.locale;
    root.dataset.theme = preferences.dark ? 'dark' : 'light';
  }, [preferences.locale, preferences.dark]);
  return <I18nProvider locale={preferences.locale}>{children}</I18nProvider>;
}

export function App() {
  return (
    <Document>
      <TooltipProvider delayDuration={500} skipDelayDuration={200}>
        <ErrorBoundary fallback={(error, reset) => <Failure error={error} reset={reset} />}>
          <Shell />
        </ErrorBoundary>
      </TooltipProvider>
    </Document>
  );
}
