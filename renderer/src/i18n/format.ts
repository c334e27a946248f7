// The translator: messages from the typed catalogues, with {name} placeholders, plural forms
// chosen by Intl.PluralRules from `count`, and numbers, sizes, dates and durations formatted by
// Intl for the locale. Plain TypeScript (no React, no DOM), so tests run it in Node.
import { en, type MessageKey } from './en.ts';
import { zhCN } from './zh-CN.ts';

export type Locale = 'en' | 'zh-CN';
export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

/** A message whose wording depends on a number (`count`): English needs both, Chinese one. */
export interface Plural {
  one: string;
  other: string;
}
export type Message = string | Plural;
export type Catalogue = Record<MessageKey, Message>;
export type { MessageKey };

export const catalogues: Record<Locale, Catalogue> = { en, 'zh-CN': zhCN };

/** The locale a system or browser language list asks for: Chinese for any zh, else English. */
export function localeFor(languages: readonly string[]): Locale {
  return languages[0]?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export type Vars = Record<string, string | number>;

export interface Translator {
  readonly locale: Locale;
  t(key: MessageKey, vars?: Vars): string;
  number(value: number, options?: Intl.NumberFormatOptions): string;
  percent(fraction: number): string;
  bytes(value: number): string;
  /** A rate: bytes a second, or `unit`s a second. */
  date(epochMs: number, style?: 'short' | 'long' | 'time'): string;
  /** "3 minutes ago", "yesterday". */
  relative(epochMs: number, now?: number): string;
  /** Seconds as "1 h 5 min", "12 s". */
  duration(seconds: number): string;
}

export function createTranslator(locale: Locale): Translator {
  const catalogue = catalogues[locale];
  const plural = new Intl.PluralRules(locale);
  const numberFormat = new Intl.NumberFormat(locale);
  const dateFormats = {
    short: new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }),
    long: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
    time: new Intl.DateTimeFormat(locale, { timeStyle: 'short' }),
  };
  const relativeFormat = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });

  const fill = (text: string, vars: Vars | undefined) =>
    vars ? text.replace(/\{(\w+)\}/g, (all, name: string) => (name in vars ? format(vars[name]!) : all)) : text;
  const format = (value: string | number) => (typeof value === 'number' ? numberFormat.format(value) : value);

  const t = (key: MessageKey, vars?: Vars): string => {
    const message = catalogue[key] ?? en[key];
    if (typeof message === 'string') return fill(message, vars);
    const count = typeof vars?.count === 'number' ? vars.count : 0;
    return fill(plural.select(count) === 'one' ? message.one : message.other, vars);
  };

  const units = ['B', 'KB', 'MB', 'GB', 'TB'] as const;
  return {
    locale,
    t,
    number: (value, options) => (options ? new Intl.NumberFormat(locale, options).format(value) : numberFormat.format(value)),
    percent: (fraction) => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(fraction),
    bytes(value) {
      let i = 0;
      let v = value;
      while (v >= 1000 && i < units.length - 1) {
        v /= 1000;
        i++;
      }
      return `${new Intl.NumberFormat(locale, { maximumFractionDigits: v < 10 && i > 0 ? 1 : 0 }).format(v)} ${units[i]}`;
    },
    date: (epochMs, style = 'short') => dateFormats[style].format(epochMs),
    relative(epochMs, now = Date.now()) {
      const seconds = (epochMs - now) / 1000;
      const abs = Math.abs(seconds);
      if (abs < 45) return t('time.justNow');
      if (abs < 3600) return relativeFormat.format(Math.round(seconds / 60), 'minute');
      if (abs < 86_400) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
      if (abs < 7 * 86_400) return relativeFormat.format(Math.round(seconds / 86_400), 'day');
      return dateFormats.short.format(epochMs);
    },
    duration(seconds) {
      const s = Math.max(0, Math.round(seconds));
      if (s < 60) return t('time.seconds', { count: s });
      const m = Math.floor(s / 60);
      if (m < 60) return s % 60 && m < 10 ? t('time.minutesSeconds', { m, s: s % 60 }) : t('time.minutes', { count: m });
      return t('time.hoursMinutes', { h: Math.floor(m / 60), m: m % 60 });
    },
  };
}
