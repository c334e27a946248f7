// Child process for the crash test: imports a folder slowly (each embedding batch waits), printing
// a line after each progress event so the parent knows when to kill it mid-import.
import { Engine } from '../../app/engine.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';

class SlowEmbedder extends FakeEmbedder {
  override async embed(texts: string[]): Promise<Float32Array[]> {
    await new Promise((r) => setTimeout(r, 30));
    return super.embed(texts);
  }
}

const [dbPath, dir] = process.argv.slice(2);
const engine = await Engine.open({
  dbPath: dbPath!,
  embedder: new SlowEmbedder(),
  ingest: { batchChunks: 8 },
  onEvent: (e) => {
    if (e.type === 'progress') process.stdout.write(`progress ${e.filesDone}\n`);
  },
});
engine.add([dir!]);
await engine.index();
await engine.close();
process.stdout.write('finished\n');
