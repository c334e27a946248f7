// Stop strings over streamed text: nothing from a stop string on is passed on, however the text
// is cut into pieces, and text that only looked like the start of one is passed on after all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StopSequences } from '../../app/llm/index.ts';

function run(stops: string[], pieces: string[]): { out: string; stopped: boolean } {
  const filter = new StopSequences(stops);
  let out = '';
  for (const piece of pieces) out += filter.push(piece);
  out += filter.flush();
  return { out, stopped: filter.stopped };
}

test('text stops before the first stop string, wherever the pieces are cut', () => {
  const text = 'The answer is 42.\n\nUser: and then?';
  for (let cut = 0; cut <= text.length; cut++) {
    assert.deepEqual(run(['\n\nUser:', 'STOP'], [text.slice(0, cut), text.slice(cut)]), { out: 'The answer is 42.', stopped: true }, `cut at ${cut}`);
  }
  assert.deepEqual(run(['two', 'one'], ['one two']), { out: '', stopped: true }, 'the earliest stop wins');
  assert.deepEqual(run(['x'], 'abxcd'.split('')), { out: 'ab', stopped: true });
});

test('the start of a stop string that does not go on is passed on; no stop strings pass everything', () => {
  const filter = new StopSequences(['END']);
  assert.equal(filter.push('the EN'), 'the ');
  assert.equal(filter.push('D'), '');
  assert.equal(filter.stopped, true);
  assert.deepEqual(run(['END'], ['the EN', 'ding is near', ' E']), { out: 'the ENding is near E', stopped: false });
  assert.deepEqual(run([], ['a', 'b']), { out: 'ab', stopped: false });
  assert.deepEqual(run([''], ['a', 'b']), { out: 'ab', stopped: false }, 'an empty stop string is no stop');
});
