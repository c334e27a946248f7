// The local API with a real model: the tiny TinyStories GGUF (node-llama-cpp, 1 thread), opened
// from the library's 'chat-model' setting as `cairn serve --api` does. It cannot answer questions;
// this is about streaming real tokens over HTTP.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startApiServer } from '../../app/server/index.ts';
import { chatEngine } from '../chat/library.ts';
import { modelsDir, requireShared } from '../support/shared.ts';
import { parseSse, streamedText, TOKEN, type Chunk } from './support.ts';

test('a real GGUF model streams its answer over the API, piece by piece, ending with [DONE]', { timeout: 120_000 }, async (t) => {
  const modelPath = requireShared(t, join(modelsDir, 'stories260K.gguf'));
  if (!modelPath) return;
  const { engine } = await chatEngine();
  engine.library.settings.set('chat-model', { type: 'gguf', modelPath, threads: 1, gpu: false });
  const server = await startApiServer({ engine, token: TOKEN, port: 0 });
  try {
    const models = (await (await fetch(`${server.baseUrl}/models`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { data: { id: string; cairn: { model: string } }[] };
    assert.deepEqual(models.data.map((m) => [m.id, m.cairn.model]), [['cairn', 'gguf:stories260K.gguf']]);

    const response = await fetch(`${server.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gguf:stories260K.gguf',
        messages: [{ role: 'user', content: 'Once upon a time, there was a little dog.' }],
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 40,
        temperature: 0,
      }),
    });
    assert.equal(response.status, 200);
    const events = parseSse(await response.text());
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1) as Chunk[];
    const pieces = chunks.filter((c) => c.choices[0]?.delta.content);
    assert.ok(pieces.length > 3, `streamed in pieces (${pieces.length})`);
    const text = streamedText(events);
    assert.ok(/[a-z]{3}/i.test(text), `the model wrote words: ${JSON.stringify(text)}`);
    const usage = chunks.at(-1)!.usage!;
    assert.ok(usage.completion_tokens > 3 && usage.completion_tokens <= 40, `max_tokens holds (${usage.completion_tokens})`);
    assert.ok(['stop', 'length'].includes(chunks.at(-2)!.choices[0]!.finish_reason!));

    // The same request whole, at temperature 0: the same text.
    const whole = (await (
      await fetch(`${server.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'cairn', messages: [{ role: 'user', content: 'Once upon a time, there was a little dog.' }], max_tokens: 40, temperature: 0 }),
      })
    ).json()) as { choices: { message: { content: string } }[] };
    assert.equal(whole.choices[0]!.message.content, text);
  } finally {
    await server.close();
    await engine.close();
  }
});

test('a retrieval answer with a small max_tokens fits a real model: the chat template is counted with its tokenizer', { timeout: 120_000 }, async (t) => {
  const modelPath = requireShared(t, join(modelsDir, 'stories260K.gguf'));
  if (!modelPath) return;
  const { engine } = await chatEngine();
  // A context the library's passages overfill, so that the prompt is packed up to its last token.
  const contextSize = 1024;
  engine.library.settings.set('chat-model', { type: 'gguf', modelPath, threads: 1, gpu: false, contextSize });
  const server = await startApiServer({ engine, token: TOKEN, port: 0 });
  try {
    for (const maxTokens of [1, 4, 16]) {
      const response = await fetch(`${server.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'cairn', messages: [{ role: 'user', content: 'filler' }], max_tokens: maxTokens, temperature: 0, cairn: { retrieval: true } }),
      });
      const body = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number }; cairn: { sources: unknown[] }; error?: { message: string } };
      assert.equal(response.status, 200, `max_tokens ${maxTokens}: ${body.error?.message}`);
      const { prompt_tokens: prompt, completion_tokens: completion } = body.usage;
      assert.ok(body.cairn.sources.length > 0);
      assert.ok(prompt + maxTokens <= contextSize, `max_tokens ${maxTokens}: a prompt of ${prompt} tokens leaves room for the answer`);
      assert.ok(prompt > contextSize - maxTokens - 64, `max_tokens ${maxTokens}: the passages filled the context (${prompt} tokens)`);
      assert.ok(completion >= 1 && completion <= maxTokens);
    }
  } finally {
    await server.close();
    await engine.close();
  }
});
