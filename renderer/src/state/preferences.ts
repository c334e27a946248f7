// Language and theme: stored in the library through the contract (settings.update), 'system'
// until the user picks one. Until the settings arrive, the last choice seen on this machine
// (kept in localStorage only as a hint, to avoid a flash of the wrong theme) or the system's.
import { useCallback, useEffect } from 'react';
import type { EditableSettings } from '../../../app/contract/api.ts';
import { api } from '../api/index.ts';
import { localeFor, type Locale } from '../i18n/index.tsx';
import { useSystemDark, useSystemLanguages } from '../theme/system.ts';
import { setQueryData, useQuery } from './query.ts';

export type LanguageChoice = EditableSettings['interface']['language'];
export type ThemeChoice = EditableSettings['interface']['theme'];

const HINT = 'cairn.interface';

function readHint(): Partial<EditableSettings['interface']> {
  try {
    return JSON.parse(localStorage.getItem(HINT) ?? '{}') as Partial<EditableSettings['interface']>;
  } catch {
    return {};
  }
}

export interface Preferences {
  language: LanguageChoice;
  theme: ThemeChoice;
  locale: Locale;
  dark: boolean;
  setLanguage(language: LanguageChoice): Promise<void>;
  setTheme(theme: ThemeChoice): Promise<void>;
}

export function usePreferences(): Preferences {
  const settings = useQuery('settings.get', {});
  const systemDark = useSystemDark();
  const systemLanguages = useSystemLanguages();
  const chosen = settings.data?.interface ?? readHint();
  const language = chosen.language ?? 'system';
  const theme = chosen.theme ?? 'system';

  useEffect(() => {
    if (settings.data) localStorage.setItem(HINT, JSON.stringify(settings.data.interface));
  }, [settings.data]);

  const save = useCallback(async (patch: Partial<EditableSettings['interface']>) => {
    setQueryData('settings.get', {}, await api.settings.update({ interface: patch }));
  }, []);

  return {
    language,
    theme,
    locale: language === 'system' ? localeFor(systemLanguages) : language,
    dark: theme === 'system' ? systemDark : theme === 'dark',
    setLanguage: (next) => save({ language: next }),
    setTheme: (next) => save({ theme: next }),
  };
}
