// The engine process's entry (bundled as dist/engine.js): see engine-process.ts.
import { runEngineProcess } from './engine-process.ts';

await runEngineProcess(process.argv.slice(2));
