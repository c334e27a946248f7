// The worker thread tesseract.js runs Tesseract in, with our own adapter: trained data is read from
// the installed @tesseract.js-data packages and any attempt to fetch something over the network
// fails. (tesseract.js's own worker takes one folder for all languages, and would download a
// language it cannot find there.)
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { isOcrLanguage, languageFile } from './languages.ts';

const require = createRequire(import.meta.url);
// The package's worker internals (CommonJS, no exports map): the dispatcher and Node helpers.
const worker = require('tesseract.js/src/worker-script/index.js') as {
  setAdapter(adapter: Record<string, unknown>): void;
  dispatchHandlers(packet: unknown, send: (message: unknown) => void): void;
};

worker.setAdapter({
  getCore: require('tesseract.js/src/worker-script/node/getCore.js'),
  gunzip: require('tesseract.js/src/worker-script/node/gunzip.js'),
  fetch: () => Promise.reject(new Error('OCR never downloads anything: its languages come installed')),
  // Called with "<langPath>/<lang>.traineddata.gz": the language picks the package's file.
  readCache: (path: string) => {
    const language = basename(path).replace(/\.traineddata(\.gz)?$/, '');
    if (!isOcrLanguage(language)) return Promise.reject(new Error(`OCR language not installed: ${language}`));
    return readFile(languageFile(language));
  },
  writeCache: () => Promise.resolve(),
  deleteCache: () => Promise.resolve(),
  checkCache: () => Promise.resolve(false),
});

parentPort!.on('message', (packet: unknown) => worker.dispatchHandlers(packet, (message) => parentPort!.postMessage(message)));
