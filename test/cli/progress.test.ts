// The progress line: a re-embed shows chunks done of all, the rate and the time left (issue 9.4:
// it used to show "0/0 files 0 chunks 0/s" for the whole of it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { duration, ProgressLine } from '../../app/cli/progress.ts';

function terminal(): { out: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const out = { isTTY: true, columns: 200, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  return { out, text: () => text };
}

test('a re-embed shows chunks done of all, rate and time left; the last line is drawn whatever the interval', () => {
  const { out, text } = terminal();
  const line = new ProgressLine(out);
  line.onEvent({ type: 'reembed-progress', model: 'gguf:bge-m3-q8_0.gguf:635000000', done: 1216, total: 3236, chunksPerSecond: 0, secondsLeft: null });
  assert.ok(text().endsWith(`${'█'.repeat(9)}${'░'.repeat(15)} embedding 1,216/3,236 chunks  (gguf:bge-m3-q8_0.gguf:635000000)`), text());
  const later = terminal();
  new ProgressLine(later.out).onEvent({ type: 'reembed-progress', model: 'm', done: 2000, total: 3236, chunksPerSecond: 9.54, secondsLeft: 129.6 });
  assert.ok(later.text().endsWith('embedding 2,000/3,236 chunks  9.5/s  about 2 min left  (m)'), later.text());
  line.onEvent({ type: 'reembed-progress', model: 'gguf:bge-m3-q8_0.gguf:635000000', done: 3236, total: 3236, chunksPerSecond: 41.6, secondsLeft: 0 });
  assert.ok(text().includes(`\r\x1b[2K${'█'.repeat(24)} embedding 3,236/3,236 chunks  42/s  done`), text());
});

test('time left reads as seconds, minutes, or hours and minutes', () => {
  assert.deepEqual([duration(48.4), duration(750), duration(5000)], ['48 s', '13 min', '1 h 23 min']);
});
