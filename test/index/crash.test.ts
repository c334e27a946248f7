import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../app/engine.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { tempDir, writeCorpus } from '../support/corpus.ts';

/** Runs the import in a child process and SIGKILLs it once it has written `after` files. */
function importAndKill(dbPath: string, dir: string, after: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'kill-child.ts'), dbPath, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let done = 0;
    child.stdout.setEncoding('utf8').on('data', (data: string) => {
      for (const line of data.split('\n')) {
        const m = /^progress (\d+)/.exec(line);
        if (m) done = Math.max(done, Number(m[1]));
        if (line === 'finished') reject(new Error('the import finished before it could be killed'));
      }
      if (done >= after) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(done) : reject(new Error(`child exited without being killed (${signal})`))));
  });
}

/** uri → chunk texts, and the number of vectors, of a whole library. */
function snapshot(engine: Engine) {
  const rows = engine.library.db
    .prepare('SELECT d.uri, c.text FROM documents d LEFT JOIN chunks c ON c.document_id = d.id ORDER BY d.uri, c.ordinal')
    .all() as { uri: string; text: string | null }[];
  const docs = new Map<string, string[]>();
  for (const row of rows) docs.set(row.uri, [...(docs.get(row.uri) ?? []), ...(row.text ? [row.text] : [])]);
  return { docs, vectors: engine.status().embeddingModels[0]?.vectors ?? 0, chunks: engine.status().chunks };
}

test('killing the process mid-import and starting again gives no duplicate and no missing document', async () => {
  const dir = writeCorpus(120);

  const reference = await Engine.open({ dbPath: join(tempDir(), 'reference.db'), embedder: new FakeEmbedder() });
  reference.add([dir]);
  await reference.index();
  const expected = snapshot(reference);
  await reference.close();
  assert.equal(expected.docs.size, 120);

  const dbPath = join(tempDir(), 'crashed.db');
  const doneBeforeKill = await importAndKill(dbPath, dir, 20);
  assert.ok(doneBeforeKill >= 20 && doneBeforeKill < 120, `killed after ${doneBeforeKill} files`);

  const resumed = await Engine.open({ dbPath, embedder: new FakeEmbedder() });
  try {
    assert.ok(resumed.status().pendingJobs > 0, 'the unfinished work is still queued');
    assert.ok(resumed.status().documents.indexed < 120);
    await resumed.index();
    const actual = snapshot(resumed);
    assert.deepEqual(actual.docs, expected.docs);
    assert.equal(actual.chunks, expected.chunks);
    assert.equal(actual.vectors, actual.chunks, 'every chunk has exactly one vector');
    assert.equal(resumed.status().pendingJobs, 0);
  } finally {
    await resumed.close();
  }
});
