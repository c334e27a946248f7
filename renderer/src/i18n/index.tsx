// i18n for the window: a typed catalogue per language (en.ts is the source; zh-CN.ts must have
// every key, which the type checker and test/renderer/i18n.test.ts enforce), a translator from
// format.ts, and `useT()` for components. Why not i18next: keys checked at compile time, no
// runtime to load, and Intl already does plurals, numbers and dates; the catalogue is plain data.
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { createTranslator, type Locale, type Translator } from './format.ts';

export { createTranslator, localeFor, LOCALES, type Locale, type MessageKey, type Translator } from './format.ts';

const TranslatorContext = createContext<Translator>(createTranslator('en'));

export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  const translator = useMemo(() => createTranslator(locale), [locale]);
  return <TranslatorContext.Provider value={translator}>{children}</TranslatorContext.Provider>;
}

/** The translator for the window's language: `const { t } = useT(); t('nav.chat')`. */
export function useT(): Translator {
  return useContext(TranslatorContext);
}
