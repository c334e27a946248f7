// LocalChatModel with the tiny shared model (stories260K: a llama that writes TinyStories text,
// no chat template, so node-llama-cpp wraps it in the Llama 2 chat format).
import assert from 'node:assert/strict';
import { truncateSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { CairnError } from '../../app/contract/index.ts';
import { LocalChatModel, openChatModel, type ChatModel, type GenerateResult } from '../../app/llm/index.ts';
import { modelsDir, requireShared } from '../support/shared.ts';
import { tempDir } from '../support/corpus.ts';

const modelPath = join(modelsDir, 'stories260K.gguf');
const scratch = tempDir('cairn-llm-');
let model: ChatModel | undefined;

before(async () => {
  // Opened once for the file; a test without the model says so through requireShared.
  try {
    model = await openChatModel({ type: 'gguf', modelPath, threads: 1 });
  } catch {
    model = undefined;
  }
});
after(async () => {
  await model?.close();
});

function opened(t: TestContext): ChatModel | null {
  if (!requireShared(t, modelPath)) return null;
  assert.ok(model, 'the model opens');
  return model;
}

const story = [{ role: 'user' as const, content: 'Once upon a time, there was a little girl named Lily.' }];

test('opens a GGUF file: key, context fitted to the model, its tokenizer', (t) => {
  const m = opened(t);
  if (!m) return;
  assert.equal(m.key, 'gguf:stories260K.gguf');
  // stories260K was trained on 2048 tokens: the default of 8192 is capped there.
  assert.equal(m.contextSize, 2048);
  const short = m.countTokens('Lily');
  const long = m.countTokens('Lily went to the park with her mom and saw a big red ball.');
  assert.ok(short >= 1);
  assert.ok(long > short * 5, `${long} tokens for a sentence, ${short} for a word`);
  assert.equal(m.countTokens(''), 0);
});

test('streams the answer: the pieces make the text, maxTokens is honoured and reported', async (t) => {
  const m = opened(t);
  if (!m) return;
  const pieces: string[] = [];
  const result = await m.generate(story, { maxTokens: 24, temperature: 0, onText: (p) => pieces.push(p) });
  assert.equal(result.stopReason, 'maxTokens');
  assert.equal(result.tokens, 24);
  assert.ok(pieces.length > 1, 'streamed in pieces');
  assert.equal(pieces.join(''), result.text);
  assert.match(result.text, /[a-z]{3,}/, 'TinyStories text');
  assert.equal(result.thought, '');
});

test('generate is stateless: the same conversation gives the same answer after another one', async (t) => {
  const m = opened(t);
  if (!m) return;
  const first = await m.generate(story, { maxTokens: 20, temperature: 0 });
  const other = await m.generate([{ role: 'system', content: 'Tell a story.' }, { role: 'user', content: 'Tom had a dog.' }], { maxTokens: 20, temperature: 0 });
  const again = await m.generate(story, { maxTokens: 20, temperature: 0 });
  assert.equal(again.text, first.text);
  assert.notEqual(other.text, first.text);
});

test('aborting stops at once and keeps the text so far', async (t) => {
  const m = opened(t);
  if (!m) return;
  const controller = new AbortController();
  const pieces: string[] = [];
  const result = await m.generate(story, {
    signal: controller.signal,
    onText: (p) => {
      pieces.push(p);
      if (pieces.length === 5) controller.abort();
    },
  });
  assert.equal(result.stopReason, 'aborted');
  assert.equal(result.text, pieces.join(''));
  assert.ok(result.tokens >= 5 && result.tokens <= 8, `stopped after ${result.tokens} tokens`);

  const early = new AbortController();
  early.abort();
  const none = await m.generate(story, { signal: early.signal });
  assert.deepEqual(none, { text: '', thought: '', stopReason: 'aborted', tokens: 0 });
});

test('an abort while the prompt is being read returns at once; the model stays busy until llama.cpp is done', async (t) => {
  if (!requireShared(t, modelPath)) return;
  const m = await LocalChatModel.open({ type: 'gguf', modelPath, threads: 1 });
  try {
    // About 1,900 tokens: far more than llama.cpp reads in the moment before the abort.
    const prompt = 'Lily saw a big dog in the park and they played all day. '.repeat(95);
    const controller = new AbortController();
    let calls = 0;
    let returned = false;
    const pending = m.generate([{ role: 'user', content: prompt }], {
      signal: controller.signal,
      onText: () => {
        if (returned) calls++;
      },
    });
    setImmediate(() => controller.abort());
    const result = await pending;
    returned = true;
    const { promptTokens, ...rest } = result;
    assert.deepEqual(rest, { text: '', thought: '', stopReason: 'aborted', tokens: 0 });
    assert.equal(promptTokens, m.countPromptTokens([{ role: 'user', content: prompt }]), 'the prompt it was reading');
    assert.equal(m.busy, true, 'returned before llama.cpp finished reading the prompt');
    // The next call waits for it, then runs normally.
    const next = await m.generate(story, { maxTokens: 5, temperature: 0 });
    assert.equal(next.tokens, 5);
    assert.equal(m.busy, false);
    assert.equal(calls, 0, 'nothing reaches the caller after its result');
  } finally {
    await m.close();
  }
});

test('one generation at a time: a second call waits for the first, in order', async (t) => {
  const m = opened(t);
  if (!m) return;
  const log: string[] = [];
  const run = (name: string) =>
    m.generate(story, { maxTokens: 10, temperature: 0, onText: () => log.push(name) }).then((r) => {
      log.push(`${name} done`);
      return r;
    });
  const [a, b] = await Promise.all([run('a'), run('b')]);
  const firstB = log.indexOf('b');
  assert.ok(log.indexOf('a done') < firstB, `b started before a finished: ${log.join(',')}`);
  assert.equal(a.text, b.text);
});

test('a queued call that is aborted leaves the queue at once', async (t) => {
  const m = opened(t);
  if (!m) return;
  const long = m.generate(story, { maxTokens: 200, temperature: 0 });
  const controller = new AbortController();
  const order: string[] = [];
  void long.then(() => order.push('long'));
  const queued = m.generate(story, { signal: controller.signal }).then((r) => {
    order.push('queued');
    return r;
  });
  controller.abort();
  const result = await queued;
  assert.equal(result.stopReason, 'aborted');
  assert.equal(result.tokens, 0);
  assert.equal((await long).stopReason, 'maxTokens');
  // It could only have run after `long`: resolving first means it left the queue.
  assert.deepEqual(order, ['queued', 'long']);
});

test('a conversation longer than the context is refused with a clear error', async (t) => {
  const m = opened(t);
  if (!m) return;
  const huge = 'Lily saw a big dog in the park and they played all day. '.repeat(200);
  await assert.rejects(m.generate([{ role: 'user', content: huge }]), (error: CairnError) => {
    assert.equal(error.code, 'chat-prompt-too-long');
    assert.match(error.message, /context of 2048 tokens/);
    return true;
  });
});

test('maxTokens never runs past the context: the answer stops where the context ends', async (t) => {
  if (!requireShared(t, modelPath)) return;
  const m = await openChatModel({ type: 'gguf', modelPath, threads: 1, contextSize: 512 });
  try {
    assert.equal(m.contextSize, 512);
    // About 420 of the 512 tokens: little room is left for the answer.
    const prompt = 'Lily saw a big dog in the park and they played all day. '.repeat(22);
    const room = m.contextSize - m.countTokens(prompt);
    assert.ok(room > 0 && room < 120, `room ${room}`);
    const result: GenerateResult = await m.generate([{ role: 'user', content: prompt }], { maxTokens: 100_000, temperature: 0 });
    assert.ok(result.tokens > 0 && result.tokens <= room, `${result.tokens} tokens generated with room for ${room}`);
    assert.ok(result.stopReason === 'maxTokens' || result.stopReason === 'end');
  } finally {
    await m.close();
  }
});

test('a missing file, a file that is not GGUF and one too big for memory get clear errors', async () => {
  await assert.rejects(openChatModel({ type: 'gguf', modelPath: join(scratch, 'nope.gguf') }), (error: CairnError) => {
    assert.equal(error.code, 'chat-model-missing');
    assert.match(error.message, /nope\.gguf/);
    return true;
  });
  const text = join(scratch, 'notes.gguf');
  writeFileSync(text, 'these are my notes, not a model');
  await assert.rejects(openChatModel({ type: 'gguf', modelPath: text }), { code: 'chat-model-not-gguf' });
  const empty = join(scratch, 'empty.gguf');
  writeFileSync(empty, '');
  await assert.rejects(openChatModel({ type: 'gguf', modelPath: empty }), { code: 'chat-model-not-gguf' });

  // A sparse file: GGUF's magic, then a size beyond this machine's RAM (it takes no disk space).
  const huge = join(scratch, 'huge.gguf');
  writeFileSync(huge, 'GGUF');
  truncateSync(huge, totalmem() * 4);
  await assert.rejects(openChatModel({ type: 'gguf', modelPath: huge, gpu: false }), (error: CairnError) => {
    assert.equal(error.code, 'chat-model-too-big');
    assert.match(error.message, /huge\.gguf is [\d.]+ GB, more than this machine's/);
    return true;
  });
});

test('a bad spec is refused before anything is loaded', async () => {
  await assert.rejects(openChatModel({ type: 'gguf', modelPath: '' }), { code: 'chat-bad-spec' });
  // @ts-expect-error: an unknown backend, as a corrupted setting could hold
  await assert.rejects(openChatModel({ type: 'ollama', model: 'x' }), { code: 'chat-bad-spec' });
});

test('a closed model refuses to generate and closing twice is harmless', async (t) => {
  if (!requireShared(t, modelPath)) return;
  const m = await openChatModel({ type: 'gguf', modelPath, threads: 1, contextSize: 512 });
  assert.equal(m.contextSize, 512);
  let closing: Promise<void> | undefined;
  const running = await m.generate(story, { maxTokens: 400, onText: () => (closing ??= m.close()) });
  await closing;
  assert.equal(running.stopReason, 'aborted', 'closing stops the generation under way');
  assert.ok(running.tokens < 10);
  await m.close();
  await assert.rejects(m.generate(story), { code: 'chat-model-closed' });
});
