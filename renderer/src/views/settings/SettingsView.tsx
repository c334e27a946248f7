// Settings: the window's language and theme (stored in the library through settings.update;
// "system" follows the system), and the keyboard shortcuts. Retrieval, generation, web search,
// the local API and the library's place come next.
import * as Tabs from '@radix-ui/react-tabs';
import { Kbd } from '../../components/Spinner.tsx';
import { Select } from '../../components/Field.tsx';
import { useT } from '../../i18n/index.tsx';
import { notifyError } from '../../state/notices.ts';
import { usePreferences, type LanguageChoice, type ThemeChoice } from '../../state/preferences.ts';
import { shortcutLabel } from '../../shell/shortcuts.ts';
import type { MessageKey } from '../../i18n/index.tsx';

const SHORTCUTS: [string, MessageKey][] = [
  ['Mod+N', 'shortcuts.newChat'],
  ['Mod+K', 'shortcuts.search'],
  ['Escape', 'shortcuts.stop'],
  ['Mod+1', 'shortcuts.chat'],
  ['Mod+2', 'shortcuts.library'],
  ['Mod+3', 'shortcuts.sources'],
  ['Mod+4', 'shortcuts.models'],
  ['Mod+5', 'shortcuts.settings'],
  ['Alt+1', 'shortcuts.citation'],
  ['Enter', 'shortcuts.send'],
  ['Shift+Enter', 'shortcuts.newLine'],
];

export default function SettingsView() {
  const { t } = useT();
  const preferences = usePreferences();
  const save = (action: Promise<void>) => action.catch((error: unknown) => notifyError(t('settings.saveFailed'), error));
  return (
    <div className="view settings" data-testid="settings-view">
      <header className="view__header">
        <h1 className="view__title">{t('nav.settings')}</h1>
      </header>
      <Tabs.Root className="tabs" defaultValue="appearance">
        <Tabs.List className="tabs__list" aria-label={t('nav.settings')}>
          <Tabs.Trigger className="tabs__trigger" value="appearance">
            {t('settings.appearance')}
          </Tabs.Trigger>
          <Tabs.Trigger className="tabs__trigger" value="shortcuts">
            {t('settings.shortcuts')}
          </Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content className="tabs__content" value="appearance">
          <div className="settings__grid">
            <label htmlFor="settings-language">{t('settings.language')}</label>
            <Select id="settings-language" value={preferences.language} onChange={(e) => void save(preferences.setLanguage(e.target.value as LanguageChoice))}>
              <option value="system">{t('settings.followSystem')}</option>
              <option value="en">{t('settings.languageEn')}</option>
              <option value="zh-CN">{t('settings.languageZh')}</option>
            </Select>
            <label htmlFor="settings-theme">{t('settings.theme')}</label>
            <Select id="settings-theme" value={preferences.theme} onChange={(e) => void save(preferences.setTheme(e.target.value as ThemeChoice))}>
              <option value="system">{t('settings.followSystem')}</option>
              <option value="light">{t('settings.light')}</option>
              <option value="dark">{t('settings.dark')}</option>
            </Select>
          </div>
        </Tabs.Content>
        <Tabs.Content className="tabs__content" value="shortcuts">
          <table className="shortcuts">
            <tbody>
              {SHORTCUTS.map(([keys, label]) => (
                <tr key={keys}>
                  <td>{t(label)}</td>
                  <td>
                    <Kbd>{keys === 'Alt+1' ? `${shortcutLabel('Alt+1')}…9` : shortcutLabel(keys)}</Kbd>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}
