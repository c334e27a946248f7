// When the engine stops (it died; the desktop app restarts it) the window says so at the top
// and keeps what it shows; when it is back, everything is fetched again (state/sync.ts) and a
// line says it reconnected.
import { useEffect, useState } from 'react';
import { useT } from '../i18n/index.tsx';
import { engineState } from '../state/engine-state.ts';
import { useStore } from '../state/store.ts';
import { Spinner } from '../components/Spinner.tsx';

export function EngineBanner() {
  const { t } = useT();
  const state = useStore(engineState.store);
  const [recent, setRecent] = useState(false);
  useEffect(() => {
    if (state.recoveredAt === null) return;
    setRecent(true);
    const timer = setTimeout(() => setRecent(false), 4000);
    return () => clearTimeout(timer);
  }, [state.recoveredAt]);
  if (state.state === 'failed') {
    return (
      <div className="banner banner--warning" role="alert" data-testid="engine-banner">
        <span>
          <strong>{t('engine.failed')}</strong> {state.reason ?? ''}
        </span>
      </div>
    );
  }
  if (state.state === 'stopped') {
    return (
      <div className="banner banner--warning" role="alert" data-testid="engine-banner">
        <Spinner size={12} />
        <span>
          <strong>{t('engine.stopped')}</strong> {state.reason ? `${state.reason} · ` : ''}
          {t('engine.restarting')}
        </span>
      </div>
    );
  }
  if (recent) {
    return (
      <div className="banner banner--info" role="status" data-testid="engine-banner">
        {t('engine.reconnected')}
      </div>
    );
  }
  return null;
}
