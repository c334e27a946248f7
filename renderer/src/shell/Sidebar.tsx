// The left sidebar: the views (with their shortcuts), and under them the conversations.
import { Plus } from 'lucide-react';
import { useT } from '../i18n/index.tsx';
import { navigation, useNavigation } from '../state/navigation.ts';
import { ConversationList } from '../views/chat/ConversationList.tsx';
import { views } from '../views/registry.tsx';
import { Tooltip } from '../components/Tooltip.tsx';
import { Button } from '../components/Button.tsx';
import { shortcutLabel } from './shortcuts.ts';

export function Sidebar() {
  const { t } = useT();
  const { view } = useNavigation();
  return (
    <aside className="sidebar" aria-label={t('shell.sidebar')}>
      <div className="sidebar__brand">
        <img src="./cairn.svg" alt="" width={22} height={22} />
        <span className="sidebar__name">{t('app.name')}</span>
      </div>
      <nav className="sidebar__nav" aria-label={t('shell.views')}>
        {views.map((entry, i) => (
          <Tooltip key={entry.id} content={shortcutLabel(`Mod+${i + 1}`)} side="right">
            <button
              type="button"
              className={`sidebar__item${view === entry.id ? ' sidebar__item--active' : ''}`}
              aria-current={view === entry.id ? 'page' : undefined}
              onClick={() => navigation.showView(entry.id)}
            >
              <span className="sidebar__icon" aria-hidden="true">
                {entry.icon}
              </span>
              {t(entry.label)}
            </button>
          </Tooltip>
        ))}
      </nav>
      <div className="sidebar__section">
        <div className="sidebar__section-head">
          <h2 className="sidebar__heading">{t('chat.conversations')}</h2>
          <Tooltip content={shortcutLabel('Mod+N')} side="right">
            <Button size="sm" variant="ghost" icon={<Plus size={15} />} onClick={() => navigation.openConversation(null)}>
              {t('chat.new')}
            </Button>
          </Tooltip>
        </div>
        <ConversationList />
      </div>
    </aside>
  );
}
