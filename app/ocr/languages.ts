// The OCR languages Cairn ships (their trained data comes in npm packages, so nothing is ever
// downloaded), the library's OCR setting, and its default: English plus the interface language.
import { fileURLToPath } from 'node:url';
import { OcrSettings as OcrSettingsSchema, type OcrLanguage, type OcrSettings } from '../contract/api.ts';

export type { OcrLanguage, OcrSettings };

/** Each language the contract offers, by name (the type refuses one missing here, or one more). */
export const OCR_LANGUAGES = {
  eng: 'English',
  chi_sim: 'Chinese (Simplified)',
} as const satisfies Record<OcrLanguage, string>;

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

/** The library's setting (settings key 'ocr', the contract's OcrSettings); every field optional there. */
export const OCR_SETTING = 'ocr';

/**
 * English plus the interface language, when Cairn has that one: Chinese for a zh locale, and then
 * first (read with chi_sim first, clean Chinese pages came out at 2% CER against 5% with eng first,
 * and English pages alike).
 */
export function defaultOcrLanguages(locale = systemLocale()): OcrLanguage[] {
  return /^zh\b/i.test(locale) ? ['chi_sim', 'eng'] : ['eng'];
}

/** The stored setting with a default for each field missing or no longer valid (an older or hand-edited library). */
export function ocrSettings(stored: Partial<OcrSettings> | undefined, locale?: string): OcrSettings {
  // Languages no longer installed are dropped; the others keep their order.
  const languages = [...new Set(Array.isArray(stored?.languages) ? stored.languages.filter((l) => typeof l === 'string' && isOcrLanguage(l)) : [])];
  const timeout = OcrSettingsSchema.shape.pageTimeoutMs.safeParse(stored?.pageTimeoutMs);
  return {
    enabled: typeof stored?.enabled === 'boolean' ? stored.enabled : true,
    languages: languages.length ? languages : defaultOcrLanguages(locale),
    pageTimeoutMs: timeout.success ? timeout.data : 120_000,
  };
}

function systemLocale(): string {
  const env = process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '';
  if (env && env !== 'C' && env !== 'POSIX') return env.replace('_', '-');
  return Intl.DateTimeFormat().resolvedOptions().locale;
}
