// The eval runner on a tiny BEIR data set: a query the engine refuses is counted as an error (and
// scores zero), and the run goes on with the other queries.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../support/corpus.ts';
import { runBeirEval } from './beir-eval.ts';

function writeDataset(dir: string, queries: { _id: string; text: string }[]): void {
  const corpus = [
    { _id: 'd1', title: 'Volcanoes', text: 'Basalt lava flows from shield volcanoes in Hawaii.' },
    { _id: 'd2', title: 'Glaciers', text: 'Glaciers carve valleys as the ice moves downhill.' },
    { _id: 'd3', title: 'Tides', text: 'The moon pulls the oceans and makes the tides.' },
  ];
  writeFileSync(join(dir, 'corpus.jsonl'), corpus.map((d) => JSON.stringify(d)).join('\n'));
  writeFileSync(join(dir, 'queries.jsonl'), queries.map((q) => JSON.stringify(q)).join('\n'));
  mkdirSync(join(dir, 'qrels'));
  writeFileSync(join(dir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\n' + queries.map((q, i) => `${q._id}\td${(i % 3) + 1}\t1`).join('\n'));
}

test('a query that fails is a counted error and the run goes on', async () => {
  const dir = tempDir();
  writeDataset(dir, [
    { _id: 'q1', text: 'lava from volcanoes' },
    // Over the contract's cap for a request: the engine refuses it.
    { _id: 'q2', text: 'ice '.repeat(300_000) },
    { _id: 'q3', text: 'moon and tides' },
  ]);
  const lines: string[] = [];
  const report = await runBeirEval(
    { dir, split: 'test', modes: ['bm25'], embedGguf: null, embedThreads: 1, dbPath: null, depth: 10 },
    (line) => lines.push(line),
  );
  const [result] = report.results;
  assert.equal(result!.errors, 1);
  assert.match(result!.firstError ?? '', /q2: .*at most/);
  // q1 and q3 find their document first; q2 scores zero: the mean is 2/3.
  assert.ok(Math.abs(result!.mrr10 - 2 / 3) < 1e-9, String(result!.mrr10));
});
