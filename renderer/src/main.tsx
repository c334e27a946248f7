// The renderer's entry: follows the engine's events (server state, activity), then mounts the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { startActivity } from './state/activity.ts';
import { startSync } from './state/sync.ts';
import { startLiveAnswers } from './views/chat/live-answers.ts';
import './theme/tokens.css';
import './styles/base.css';
import './styles/components.css';
import './styles/shell.css';
import './styles/views.css';

startSync();
startActivity();
startLiveAnswers();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
