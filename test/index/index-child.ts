// Child process for the queue tests: `add <dir>` or `index` on a library with a slow embedder
// (each batch waits `delayMs`), printing `opened`, a line per progress event, and at the end
// `done {summary, embedded}` so the parent can count what each process did. With `pauseAfter`
// N > 0, the Nth embedding call prints `paused` and waits for a line on stdin, so the parent can
// act while this process holds running jobs (no timing guesses).
import { createInterface } from 'node:readline';
import { Engine } from '../../app/engine.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';

const [dbPath, command, delay, pauseAfter, dir] = process.argv.slice(2);
const stdin = createInterface({ input: process.stdin });
const nextLine = () => new Promise<void>((resolve) => stdin.once('line', () => resolve()));

class SlowEmbedder extends FakeEmbedder {
  override async embed(texts: string[]): Promise<Float32Array[]> {
    if (this.calls + 1 === Number(pauseAfter)) {
      process.stdout.write('paused\n');
      await nextLine();
    }
    await new Promise((r) => setTimeout(r, Number(delay)));
    return super.embed(texts);
  }
}

const embedder = new SlowEmbedder();
const engine = await Engine.open({
  dbPath: dbPath!,
  embedder,
  ingest: { batchChunks: 8 },
  onEvent: (e) => {
    if (e.type === 'progress') process.stdout.write(`progress ${e.filesDone}\n`);
  },
});
process.stdout.write('opened\n');
if (command === 'add') engine.add([dir!]);
const summary = await engine.index();
await engine.close();
stdin.close();
process.stdout.write(`done ${JSON.stringify({ ...summary, embedded: embedder.embedded })}\n`);
