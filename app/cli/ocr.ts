// `cairn ocr`: shows and changes the library's OCR setting (on or off, languages).
import { CairnError } from '../contract/index.ts';
import type { Engine } from '../engine.ts';
import { isOcrLanguage, OCR_LANGUAGES, type OcrSettings } from '../ocr/index.ts';

export const OCR_USAGE = `  ocr                     OCR of scanned PDFs and images: on or off, languages, pages waiting
  ocr on | off            read scans and photos (on by default), or leave their pages waiting
  ocr languages LANG,...  languages to read, first the main one: ${Object.keys(OCR_LANGUAGES).join(', ')}`;

export function runOcrCommand(engine: Engine, args: string[]): number {
  const [action = 'show', value] = args;
  let settings: OcrSettings;
  if (action === 'show') settings = engine.ocrSettings();
  else if (action === 'on' || action === 'off') settings = engine.setOcrSettings({ enabled: action === 'on' });
  else if (action === 'languages') {
    const languages = (value ?? '').split(/[,+\s]+/).filter(Boolean);
    const unknown = languages.filter((l) => !isOcrLanguage(l));
    if (languages.length === 0 || unknown.length) {
      throw new CairnError('usage', `cairn ocr languages needs one or more of ${Object.keys(OCR_LANGUAGES).join(', ')}${unknown.length ? ` (not available: ${unknown.join(', ')})` : ''}.`);
    }
    settings = engine.setOcrSettings({ languages: languages.filter(isOcrLanguage) });
  } else {
    throw new CairnError('usage', `Unknown ocr action: ${action} (show, on, off, languages).`);
  }
  const status = engine.status().ocr!;
  console.log(`OCR:        ${settings.enabled ? 'on' : 'off'}`);
  console.log(`Languages:  ${settings.languages.map((l) => `${l} (${OCR_LANGUAGES[l]})`).join(', ')}`);
  console.log(`Waiting:    ${status.pagesWaiting} page(s) of ${status.documentsWaiting} document(s)${status.pagesWaiting && settings.enabled ? ' (run `cairn index`)' : ''}`);
  if (status.pagesFailed) console.log(`Not read:   ${status.pagesFailed} page(s) (too slow, or could not be rendered)`);
  if (action === 'languages') console.log('Pages already read keep their text; the new languages apply to pages read from now on.');
  return 0;
}
