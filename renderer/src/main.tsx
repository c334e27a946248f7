// The renderer's entry: follows the engine's events (server state, activity), then mounts the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { desktopInfo } from './api/desktop.ts';
import { startActivity } from './state/activity.ts';
import { startSync } from './state/sync.ts';
import { startLiveAnswers } from './views/chat/live-answers.ts';
import './theme/tokens.css';
import './styles/base.css';
import './styles/components.css';
import './styles/shell.css';
import './styles/views.css';
import './styles/source.css';
import './styles/activity.css';
import './styles/library.css';

startSync();
startActivity();
startLiveAnswers();
// Known before the first click that depends on it (a web link opens a tab only while the click is fresh).
void desktopInfo();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
