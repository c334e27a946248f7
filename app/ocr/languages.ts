// The OCR languages Cairn ships (their trained data comes in npm packages, so nothing is ever
// downloaded), the library's OCR setting, and its default: English plus the interface language.
import { fileURLToPath } from 'node:url';

export const OCR_LANGUAGES = {
  eng: 'English',
  chi_sim: 'Chinese (Simplified)',
} as const;
export type OcrLanguage = keyof typeof OCR_LANGUAGES;

export function isOcrLanguage(value: string): value is OcrLanguage {
  return Object.hasOwn(OCR_LANGUAGES, value);
}

/**
 * The trained data of a language: the "4.0.0" models of @tesseract.js-data, which hold the LSTM
 * and legacy models together (with chi_sim and eng loaded side by side, the smaller "best_int"
 * pair fails to load the second language in tesseract.js 7).
 */
export function languageFile(language: OcrLanguage): string {
  return fileURLToPath(new URL(`./4.0.0/${language}.traineddata.gz`, import.meta.resolve(`@tesseract.js-data/${language}/package.json`)));
}

/** The library's setting (settings key 'ocr'); every field optional there. */
export interface OcrSettings {
  /** Whether OCR jobs run; pages wait in the queue while it is off. */
  enabled: boolean;
  /** Languages pages are read in, in this order (the first is the main one). */
  languages: OcrLanguage[];
  /** A page taking longer than this is given up (and not tried again with the same languages). */
  pageTimeoutMs: number;
}

export const OCR_SETTING = 'ocr';

/**
 * English plus the interface language, when Cairn has that one: Chinese for a zh locale, and then
 * first (read with chi_sim first, clean Chinese pages came out at 2% CER against 5% with eng first,
 * and English pages alike).
 */
export function defaultOcrLanguages(locale = systemLocale()): OcrLanguage[] {
  return /^zh\b/i.test(locale) ? ['chi_sim', 'eng'] : ['eng'];
}

export function ocrSettings(stored: Partial<OcrSettings> | undefined, locale?: string): OcrSettings {
  const languages = (stored?.languages ?? []).filter((l): l is OcrLanguage => typeof l === 'string' && isOcrLanguage(l));
  return {
    enabled: stored?.enabled ?? true,
    languages: languages.length ? languages : defaultOcrLanguages(locale),
    pageTimeoutMs: typeof stored?.pageTimeoutMs === 'number' && stored.pageTimeoutMs > 0 ? stored.pageTimeoutMs : 120_000,
  };
}

function systemLocale(): string {
  const env = process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '';
  if (env && env !== 'C' && env !== 'POSIX') return env.replace('_', '-');
  return Intl.DateTimeFormat().resolvedOptions().locale;
}
