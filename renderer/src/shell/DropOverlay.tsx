// Drop files or folders anywhere on the window. In the desktop app the drop gives their paths and
// the import starts at once (progress in the activity panel). A browser never tells a page where
// a dropped file lives, so in web mode the overlay says that dropping needs the desktop app and
// points to the path field in Sources, instead of pretending.
import { FolderInput, MonitorDown } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/index.ts';
import { desktop, droppedPaths } from '../api/desktop.ts';
import { useT } from '../i18n/index.tsx';
import { notify, notifyError } from '../state/notices.ts';

function hasFiles(event: DragEvent): boolean {
  return !!event.dataTransfer && [...event.dataTransfer.types].includes('Files');
}

export function DropOverlay() {
  const { t } = useT();
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  const canDrop = !!desktop()?.pathForFile;

  useEffect(() => {
    const enter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth.current++;
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
          if (added.queued.length) notify(t('drop.queued', { count: added.queued.length }));
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
        <h2>{canDrop ? t('drop.title') : t('drop.webTitle')}</h2>
        <p>{canDrop ? t('drop.text') : t('drop.webText')}</p>
      </div>
    </div>
  );
}

