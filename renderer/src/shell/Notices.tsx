// Quiet notices at the bottom of the window (state/notices.ts): read out politely by screen
// readers, errors assertively, each dismissible.
import { X } from 'lucide-react';
import { useT } from '../i18n/index.tsx';
import { dismiss, useNotices } from '../state/notices.ts';
import { IconButton } from '../components/Button.tsx';

export function Notices() {
  const { t } = useT();
  const notices = useNotices();
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((notice) => (
        <div key={notice.id} className={`notice notice--${notice.tone}`} role={notice.tone === 'error' ? 'alert' : undefined}>
          <span className="notice__text">{notice.text}</span>
          <IconButton size="sm" label={t('common.dismiss')} icon={<X size={14} />} onClick={() => dismiss(notice.id)} />
        </div>
      ))}
    </div>
  );
}
