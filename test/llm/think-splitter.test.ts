// ThinkSplitter: raw "<think>…</think>" output split into thought and answer, whatever the chunking.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThinkSplitter } from '../../app/llm/index.ts';

/** Feeds `chunks` and returns what was streamed of each kind plus the final result. */
function split(chunks: string[]) {
  const splitter = new ThinkSplitter();
  const streamed = { text: '', thought: '' };
  for (const piece of [...chunks.flatMap((c) => splitter.push(c)), ...splitter.flush()]) streamed[piece.kind === 'text' ? 'text' : 'thought'] += piece.text;
  return { streamed, result: splitter.result() };
}

/** Every way of cutting `raw` into pieces of `size` characters. */
function cuts(raw: string): string[][] {
  const out: string[][] = [];
  for (let size = 1; size <= raw.length; size++) {
    const chunks: string[] = [];
    for (let i = 0; i < raw.length; i += size) chunks.push(raw.slice(i, i + size));
    out.push(chunks);
  }
  return out;
}

test('a thought before the answer is kept apart, however the tags are cut', () => {
  const raw = '<think>The user asks about cats.\nCheck the notes.</think>\n\nCats sleep 16 hours a day.';
  for (const chunks of cuts(raw)) {
    const { streamed, result } = split(chunks);
    assert.equal(result.thought, 'The user asks about cats.\nCheck the notes.', JSON.stringify(chunks));
    assert.equal(result.text, 'Cats sleep 16 hours a day.');
    assert.equal(streamed.text, result.text);
    assert.equal(streamed.thought, result.thought);
  }
});

test('text with no tags is all answer, including a lone "<" and a partial tag at the end', () => {
  for (const raw of ['Plain answer.', 'a < b and b > c', 'ends with <thi', 'x <br> y']) {
    for (const chunks of cuts(raw)) {
      const { streamed, result } = split(chunks);
      assert.equal(result.text, raw);
      assert.equal(result.thought, '');
      assert.equal(streamed.text, raw);
    }
  }
});

test('a "<think>" inside the answer is text, not a thought', () => {
  const raw = 'Models write <think> before reasoning.';
  const { result } = split([raw]);
  assert.equal(result.text, raw);
  assert.equal(result.thought, '');
});

test('an unfinished thought (stopped mid-thinking) is all thought', () => {
  const { result } = split(['<think>Let me see', ' what the files say']);
  assert.equal(result.thought, 'Let me see what the files say');
  assert.equal(result.text, '');
});

test('a "</think>" with no opening tag (DeepSeek-R1 opens it in the prompt) moves what came before to the thought', () => {
  for (const chunks of cuts('Reasoning here.</think>\n\nThe answer.')) {
    const { result } = split(chunks);
    assert.equal(result.thought, 'Reasoning here.', JSON.stringify(chunks));
    assert.equal(result.text, 'The answer.');
  }
});
