// Every visible string exists in English and Simplified Chinese, with the same placeholders, and
// the translator fills them in and formats numbers, sizes, dates and durations for the locale.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalogues, createTranslator, localeFor, LOCALES, type Message } from '../../renderer/src/i18n/format.ts';

const placeholders = (message: Message) =>
  [...new Set((typeof message === 'string' ? [message] : [message.one, message.other]).flatMap((m) => [...m.matchAll(/\{(\w+)\}/g)].map((x) => x[1])))].sort();

test('both catalogues have every key, none empty, with the same placeholders', () => {
  const en = catalogues.en;
  for (const locale of LOCALES) {
    const catalogue = catalogues[locale];
    assert.deepEqual(Object.keys(catalogue).sort(), Object.keys(en).sort(), `${locale} has exactly the English keys`);
    for (const [key, message] of Object.entries(catalogue) as [keyof typeof en, Message][]) {
      const texts = typeof message === 'string' ? [message] : [message.one, message.other];
      for (const text of texts) assert.ok(text.trim().length > 0, `${locale} ${key} is empty`);
      assert.deepEqual(placeholders(message), placeholders(en[key]), `${locale} ${key}: placeholders differ from English`);
    }
  }
});

test('Chinese is not English left untranslated (apart from names)', () => {
  const same = Object.entries(catalogues['zh-CN']).filter(([key, message]) => JSON.stringify(message) === JSON.stringify(catalogues.en[key as keyof typeof catalogues.en]));
  assert.deepEqual(same.map(([key]) => key).sort(), ['app.name', 'firstRun.folderPlaceholder', 'progress.count.bytes', 'settings.languageEn', 'settings.languageZh']);
});

test('the translator: plurals, placeholders, numbers, sizes and durations per locale', () => {
  const en = createTranslator('en');
  const zh = createTranslator('zh-CN');
  assert.equal(en.t('status.documents', { count: 1 }), '1 document');
  assert.equal(en.t('status.documents', { count: 12_345 }), '12,345 documents');
  assert.equal(zh.t('status.documents', { count: 12_345 }), '12,345 个文档');
  assert.equal(en.t('chat.thoughtFor', { time: en.duration(12.4) }), 'Thought for 12 s');
  assert.equal(zh.t('chat.thoughtFor', { time: zh.duration(75) }), '思考了 1 分 15 秒');
  assert.equal(en.duration(3 * 3600 + 5 * 60), '3 h 5 min');
  assert.equal(en.bytes(2_500_000_000), '2.5 GB');
  assert.equal(en.bytes(512), '512 B');
  assert.match(zh.date(Date.UTC(2026, 10, 2, 12)), /2026年11月2日/);
  assert.equal(en.relative(Date.now() - 5_000), 'just now');
  // Progress never says 0/0 or NaN: an unknown total is a count.
  assert.equal(en.t('progress.of.files', { done: 1204, total: 5000, count: 5000 }), '1,204 of 5,000 files');
  assert.equal(zh.t('progress.of.files', { done: 1204, total: 5000, count: 5000 }), '1,204 / 5,000 个文件');
});

test('the system language picks the locale: any Chinese is Chinese, everything else English', () => {
  assert.equal(localeFor(['zh-CN', 'en']), 'zh-CN');
  assert.equal(localeFor(['zh-TW']), 'zh-CN');
  assert.equal(localeFor(['en-GB', 'zh-CN']), 'en');
  assert.equal(localeFor(['fr']), 'en');
  assert.equal(localeFor([]), 'en');
});
