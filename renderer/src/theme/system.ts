// What the system asks for: dark or light (prefers-color-scheme) and the language list, followed
// live until the user picks in Settings.
import { useSyncExternalStore } from 'react';

const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

export function useSystemDark(): boolean {
  return useSyncExternalStore(
    (listener) => {
      const query = darkQuery();
      query.addEventListener('change', listener);
      return () => query.removeEventListener('change', listener);
    },
    () => darkQuery().matches,
  );
}

const languagesKey = () => navigator.languages.join(',') || navigator.language;

export function useSystemLanguages(): readonly string[] {
  const key = useSyncExternalStore(
    (listener) => {
      window.addEventListener('languagechange', listener);
      return () => window.removeEventListener('languagechange', listener);
    },
    languagesKey,
  );
  return key.split(',');
}
