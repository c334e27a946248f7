// `cairn serve --api` used by client libraries nobody here wrote: the official `openai` SDK and the
// Vercel AI SDK, against the tiny TinyStories GGUF as the chat and the embedding model. The model
// cannot answer anything, so these tests are about honouring what clients ask for: stop strings,
// tool calls (required calls are held to JSON by a grammar, so even this model makes valid ones),
// JSON answers valid against a schema, completions, token-array embeddings and 100 embedding
// requests at once, and clear refusals.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { after, before, describe, test, type TestContext } from 'node:test';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { embedMany, generateText, jsonSchema, Output, stepCountIs, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { Library } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';
import { modelsDir, requireShared } from '../support/shared.ts';
import { serve, type Served } from './served.ts';

const STORY = 'Once upon a time, there was a little girl named Lily. She';
const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 40 }, days: { type: 'integer' } }, required: ['city', 'days'], additionalProperties: false },
  },
};

describe('real OpenAI clients against cairn serve --api with a tiny GGUF model', { timeout: 300_000 }, () => {
  let served: Served | undefined;
  let openai: OpenAI;

  const modelPath = join(modelsDir, 'stories260K.gguf');

  before(async () => {
    // Without the model each test says so (and fails in CI).
    if (!existsSync(modelPath)) return;
    const db = join(tempDir(), 'library.db');
    const library = Library.open(db);
    library.settings.set('chat-model', { type: 'gguf', modelPath, threads: 1, gpu: false, contextSize: 2048 });
    library.settings.set('embedder', { type: 'gguf', modelPath, threads: 1, gpu: false });
    library.close();
    served = await serve(db);
    openai = new OpenAI({ baseURL: served.url, apiKey: served.token, maxRetries: 0 });
  });
  after(async () => {
    served?.child.kill('SIGTERM');
    await served?.exited;
  });

  const skipped = (t: TestContext) => !requireShared(t, modelPath);

  test('models: the stable ids, one marked as the embedding model; one retrieved by id', async (t) => {
    if (skipped(t)) return;
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    assert.deepEqual(ids, ['cairn', 'cairn-embedding']);
    const chat = (await openai.models.retrieve('cairn')) as OpenAI.Models.Model & { cairn: { kind: string; model: string } };
    assert.deepEqual([chat.id, chat.cairn.kind, chat.cairn.model], ['cairn', 'chat', 'gguf:stories260K.gguf']);
  });

  test('stop: the text ends before the stop string, which never appears, whole or streamed', async (t) => {
    if (skipped(t)) return;
    const messages = [{ role: 'user' as const, content: STORY }];
    const free = await openai.chat.completions.create({ model: 'cairn', messages, max_tokens: 40, temperature: 0 });
    const text = free.choices[0]!.message.content!;
    // A word the model writes at temperature 0, a few words in.
    const stop = text.split(' ').slice(3).find((w) => /^[a-z]{3,}$/.test(w))!;
    assert.ok(stop, `a word to stop at in ${JSON.stringify(text)}`);
    const cut = await openai.chat.completions.create({ model: 'cairn', messages, max_tokens: 40, temperature: 0, stop: [stop] });
    const content = cut.choices[0]!.message.content!;
    assert.equal(content, text.slice(0, text.indexOf(stop)));
    assert.equal(cut.choices[0]!.finish_reason, 'stop');
    let streamed = '';
    for await (const chunk of await openai.chat.completions.create({ model: 'cairn', messages, max_tokens: 40, temperature: 0, stop, stream: true })) {
      streamed += chunk.choices[0]?.delta.content ?? '';
    }
    assert.equal(streamed, content);
    assert.ok(!streamed.includes(stop));
  });

  test('tools: a required call comes back in the tool_calls shape with arguments valid for the schema, and the result goes back in', async (t) => {
    if (skipped(t)) return;
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const called = await openai.chat.completions.create({ model: 'cairn', messages, tools: [WEATHER], tool_choice: 'required', max_tokens: 120, temperature: 0 });
    const choice = called.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, null);
    const call = choice.message.tool_calls![0]! as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.match(call.id, /^call_/);
    const args = JSON.parse(call.function.arguments) as { city: unknown; days: unknown };
    assert.equal(typeof args.city, 'string');
    assert.ok(Number.isInteger(args.days));
    assert.ok(called.usage!.prompt_tokens > 100, 'the tools are part of the prompt');

    // Streamed: the SDK gathers the call from the chunks.
    const stream = openai.chat.completions.stream({ model: 'cairn', messages, tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'get_weather' } }, max_tokens: 120, temperature: 0 });
    const final = await stream.finalChatCompletion();
    const streamedCall = final.choices[0]!.message.tool_calls![0]! as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    assert.equal(streamedCall.function.name, 'get_weather');
    assert.doesNotThrow(() => JSON.parse(streamedCall.function.arguments));
    assert.equal(final.choices[0]!.finish_reason, 'tool_calls');

    // The round trip: the call and its result go back, the model answers in text.
    const answered = await openai.chat.completions.create({
      model: 'cairn', tools: [WEATHER], max_tokens: 16, temperature: 0,
      messages: [...messages, choice.message, { role: 'tool', tool_call_id: call.id, content: '{"temperature": 21, "sky": "clear"}' }],
    });
    assert.ok(['stop', 'length'].includes(answered.choices[0]!.finish_reason));
    assert.equal(typeof answered.choices[0]!.message.content, 'string');
  });

  test('response_format: the answer is JSON valid against the schema (json_schema) or a JSON object (json_object)', async (t) => {
    if (skipped(t)) return;
    const schema = {
      type: 'object',
      properties: { name: { type: 'string', maxLength: 30 }, friends: { type: 'array', items: { type: 'string', maxLength: 20 }, maxItems: 3 }, happy: { type: 'boolean' } },
      required: ['name', 'friends', 'happy'],
      additionalProperties: false,
    };
    const shaped = await openai.chat.completions.create({
      model: 'cairn', messages: [{ role: 'user', content: STORY }], max_tokens: 200, temperature: 0,
      response_format: { type: 'json_schema', json_schema: { name: 'character', schema, strict: true } },
    });
    assert.equal(shaped.choices[0]!.finish_reason, 'stop', shaped.choices[0]!.message.content!);
    const value = JSON.parse(shaped.choices[0]!.message.content!) as { name: unknown; friends: unknown[]; happy: unknown };
    assert.deepEqual(Object.keys(value).sort(), ['friends', 'happy', 'name']);
    assert.equal(typeof value.name, 'string');
    assert.ok(Array.isArray(value.friends) && value.friends.length <= 3 && value.friends.every((f) => typeof f === 'string'));
    assert.equal(typeof value.happy, 'boolean');

    const object = await openai.chat.completions.create({ model: 'cairn', messages: [{ role: 'user', content: STORY }], max_tokens: 300, temperature: 0, response_format: { type: 'json_object' } });
    if (object.choices[0]!.finish_reason === 'stop') {
      const parsed: unknown = JSON.parse(object.choices[0]!.message.content!);
      assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed));
    } else {
      assert.match(object.choices[0]!.message.content!, /^\s*\{/, 'a JSON object, cut by max_tokens');
    }

    // A schema a grammar cannot follow is refused before anything runs.
    await assert.rejects(
      openai.chat.completions.create({ model: 'cairn', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { allOf: [{ type: 'object' }, { type: 'object' }] } } } }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'response_format' && /'allOf' with more than one schema/.test(error.message),
    );
  });

  test('completions: a prompt completed, with stop; a suffix is refused for a model without fill-in-the-middle tokens', async (t) => {
    if (skipped(t)) return;
    const completion = await openai.completions.create({ model: 'cairn', prompt: 'Once upon a time', max_tokens: 20, temperature: 0, stop: ['Lily'] });
    assert.equal(completion.object, 'text_completion');
    assert.equal(completion.choices[0]!.text, ', there was a little girl named');
    assert.equal(completion.choices[0]!.finish_reason, 'stop');
    assert.equal(completion.usage!.prompt_tokens, 5);
    let streamed = '';
    for await (const chunk of await openai.completions.create({ model: 'cairn', prompt: 'Once upon a time', max_tokens: 20, temperature: 0, stop: ['Lily'], stream: true })) {
      streamed += chunk.choices[0]?.text ?? '';
    }
    assert.equal(streamed, ', there was a little girl named');
    await assert.rejects(
      openai.completions.create({ model: 'cairn', prompt: 'function add(a, b) {', suffix: '}' }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'suffix' && /no fill-in-the-middle tokens/.test(error.message),
    );
  });

  test('embeddings: token arrays (cl100k_base, as Python LangChain sends them) equal their text; 100 requests at once are all served', async (t) => {
    if (skipped(t)) return;
    const { Tiktoken } = await import('js-tiktoken/lite');
    const cl100k = new Tiktoken((await import('js-tiktoken/ranks/cl100k_base')).default);
    const texts = ['The cat sat on the mat.', 'Lily went to the park with her mom.'];
    const asText = await openai.embeddings.create({ model: 'cairn-embedding', input: texts });
    const asTokens = await openai.embeddings.create({ model: 'cairn-embedding', input: texts.map((text) => cl100k.encode(text)) });
    assert.equal(asText.data[0]!.embedding.length, 64);
    assert.deepEqual(asTokens.data.map((d) => d.embedding), asText.data.map((d) => d.embedding));

    const many = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => openai.embeddings.create({ model: 'cairn-embedding', input: `story number ${i}` })));
    const failed = many.filter((r) => r.status === 'rejected');
    assert.equal(failed.length, 0, String((failed[0] as PromiseRejectedResult | undefined)?.reason));
    const one = (many[7] as PromiseFulfilledResult<OpenAI.CreateEmbeddingResponse>).value.data[0]!.embedding;
    const alone = (await openai.embeddings.create({ model: 'cairn-embedding', input: 'story number 7' })).data[0]!.embedding;
    assert.deepEqual(one, alone, 'each request got its own vector back from the batch');
  });

  test('refused clearly: an unknown parameter, and a parameter there is nothing to honour with', async (t) => {
    if (skipped(t)) return;
    await assert.rejects(
      openai.chat.completions.create({ model: 'cairn', messages: [{ role: 'user', content: 'x' }], logprobs: true }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'logprobs',
    );
    await assert.rejects(
      openai.chat.completions.create({ model: 'cairn', messages: [{ role: 'user', content: 'x' }], prediction: { type: 'content', content: 'x' } }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.code === 'unknown_parameter' && /Unrecognized request argument supplied: prediction/.test(error.message),
    );
  });

  test('the Vercel AI SDK: a tool call, an object held to its schema, a stream, and embeddings', async (t) => {
    if (skipped(t)) return;
    const cairn = createOpenAICompatible({ name: 'cairn', baseURL: served!.url, apiKey: served!.token, supportsStructuredOutputs: true, includeUsage: true });
    const model = cairn.chatModel('cairn');
    let calledWith: unknown;
    const withTool = await generateText({
      model, prompt: 'What is the weather in Paris?', temperature: 0, maxOutputTokens: 120, toolChoice: 'required', stopWhen: stepCountIs(1), maxRetries: 0,
      tools: {
        get_weather: tool({
          description: 'The weather in a city',
          inputSchema: jsonSchema<{ city: string; days: number }>(WEATHER.function.parameters as Parameters<typeof jsonSchema>[0]),
          execute: async (input) => {
            calledWith = input;
            return { temperature: 21 };
          },
        }),
      },
    });
    assert.equal(withTool.toolCalls[0]?.toolName, 'get_weather');
    assert.equal(typeof (calledWith as { city: unknown }).city, 'string', 'the SDK parsed and ran the call');

    const shaped = await generateText({
      model, prompt: STORY, temperature: 0, maxOutputTokens: 200, maxRetries: 0,
      output: Output.object({ schema: jsonSchema<{ name: string; happy: boolean }>({ type: 'object', properties: { name: { type: 'string', maxLength: 30 }, happy: { type: 'boolean' } }, required: ['name', 'happy'], additionalProperties: false }) }),
    });
    assert.equal(typeof shaped.output.name, 'string');
    assert.equal(typeof shaped.output.happy, 'boolean');

    const streamed = streamText({ model, prompt: STORY, temperature: 0, maxOutputTokens: 20, maxRetries: 0 });
    let text = '';
    for await (const piece of streamed.textStream) text += piece;
    assert.ok(text.length > 10);
    assert.ok(((await streamed.usage).inputTokens ?? 0) > 10);

    const { embeddings } = await embedMany({ model: cairn.embeddingModel('cairn-embedding'), values: ['one story', 'another story'], maxRetries: 0 });
    assert.deepEqual(embeddings.map((e) => e.length), [64, 64]);
  });
});
