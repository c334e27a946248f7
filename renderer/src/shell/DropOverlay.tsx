// Drop files or folders anywhere on the window. In the desktop app the drop gives their paths: the
// overlay says where they go (into the library, read where they are, nothing copied), the import
// starts at once and the activity panel opens on its progress, then its summary. A browser never
// tells a page where a dropped file lives, so in web mode the overlay says that dropping needs the
// desktop app and points to the path field in Sources, instead of pretending.
import { FolderInput, MonitorDown } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/index.ts';
import { desktop, droppedPaths } from '../api/desktop.ts';
import { useT } from '../i18n/index.tsx';
import { activityPanel } from '../state/activity.ts';
import { notify, notifyError } from '../state/notices.ts';

function hasFiles(event: DragEvent): boolean {
  return !!event.dataTransfer && [...event.dataTransfer.types].includes('Files');
}

export function DropOverlay() {
  const { t } = useT();
  const [over, setOver] = useState(false);
  /** How many items are being dragged (a browser tells the count, not the names, until the drop). */
  const [count, setCount] = useState(0);
  const depth = useRef(0);
  const canDrop = !!desktop()?.pathForFile;

  useEffect(() => {
    const enter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth.current++;
      setCount(event.dataTransfer?.items.length ?? 0);
      setOver(true);
    };
    const overHandler = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = canDrop ? 'copy' : 'none';
    };
    const leave = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setOver(false);
    };
    const drop = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth.current = 0;
      setOver(false);
      const paths = event.dataTransfer ? droppedPaths(event.dataTransfer.files) : null;
      if (!paths) {
        notify(t('drop.webOnly'));
        return;
      }
      api.library.add({ paths }).then(
        (added) => {
          if (added.queued.length) {
            notify(t('drop.queued', { count: added.queued.length }));
            activityPanel.set(true);
          }
          if (added.missing.length) notify(t('drop.missing', { count: added.missing.length, paths: added.missing.join(', ') }), 'error');
        },
        (error: unknown) => notifyError(t('drop.failed'), error),
      );
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', overHandler);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', overHandler);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [canDrop, t]);

  if (!over) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay">
      <div className="drop-overlay__card">
        {canDrop ? <FolderInput size={36} aria-hidden="true" /> : <MonitorDown size={36} aria-hidden="true" />}
        <h2>{canDrop ? (count > 0 ? t('drop.titleCount', { count }) : t('drop.title')) : t('drop.webTitle')}</h2>
        <p>{canDrop ? t('drop.text') : t('drop.webText')}</p>
        {canDrop ? <p className="drop-overlay__where">{t('drop.where')}</p> : null}
      </div>
    </div>
  );
}

