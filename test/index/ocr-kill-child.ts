// Child process for the OCR kill test: indexes a folder with the scripted OCR worker, printing a
// line each time an OCR page is committed, so the parent can kill it in the middle of a document.
import { Engine } from '../../app/engine.ts';

const [dbPath, dir] = process.argv.slice(2);
const engine = await Engine.open({
  dbPath: dbPath!,
  embedder: null,
  ocrWorkerScript: new URL('../fixtures/scripted-ocr-worker.ts', import.meta.url),
  onEvent: (e) => {
    if (e.type === 'progress' && e.ocrPagesDone) process.stdout.write(`ocr ${e.ocrPagesDone}\n`);
  },
});
engine.add([dir!]);
await engine.index();
await engine.close();
process.stdout.write('finished\n');
