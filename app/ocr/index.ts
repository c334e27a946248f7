// OCR: text from scanned PDF pages and images, read offline by Tesseract (tesseract.js) in a worker
// thread of its own, page by page, with the languages of the library's setting.
export { defaultOcrLanguages, isOcrLanguage, languageFile, OCR_LANGUAGES, OCR_SETTING, ocrSettings, type OcrLanguage, type OcrSettings } from './languages.ts';
export { OcrWorker, type OcrOutcome } from './ocr-worker.ts';
export type { OcrPage } from './protocol.ts';
export type { OcrLine } from './recognize.ts';
