// The OpenAI-compatible local API over real HTTP on 127.0.0.1: an engine on a temp library (the
// chat corpus, fake embedder) with the scripted chat model, the server on an ephemeral port.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { GROUNDED_SYSTEM_PROMPT, NOTHING_FOUND_MESSAGE, REWRITE_SYSTEM_PROMPT } from '../../app/chat/index.ts';
import type { ChatMessage } from '../../app/llm/index.ts';
import { ScriptedChatModel } from '../support/scripted-chat-model.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { HeldModel, parseSse, startHarness, streamedText, TOKEN, type CairnInfo, type Chunk, type OpenAiError } from './support.ts';

const user = (content: string) => ({ role: 'user', content });

interface Completion {
  id: string;
  object: string;
  model: string;
  choices: { index: number; message: { role: string; content: string }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  cairn?: CairnInfo;
}

/** The number the model was given for the source titled `title` (from the fenced sources in the prompt). */
function sourceNumber(messages: ChatMessage[], title: string): number {
  const match = new RegExp(`<source n="(\\d+)" title="${title}"`).exec(messages.at(-1)!.content);
  assert.ok(match, `the prompt holds the source "${title}"`);
  return Number(match[1]);
}

test('requests without the token, or with a wrong one, get 401 with an OpenAI error body', async () => {
  const api = await startHarness({ chatModel: new ScriptedChatModel([]) });
  try {
    for (const token of [null, 'wrong-token-0123456789abcdef', TOKEN.slice(0, -1), `${TOKEN}x`, '']) {
      for (const response of [await api.get('/v1/models', { token }), await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('hi')] }, { token })]) {
        assert.equal(response.status, 401, `token ${JSON.stringify(token)}`);
        assert.equal(response.headers.get('www-authenticate'), 'Bearer');
        const body = (await response.json()) as OpenAiError;
        assert.equal(body.error.code, 'invalid_api_key');
        assert.equal(body.error.type, 'authentication_error');
        assert.equal(body.error.param, null);
        assert.match(body.error.message, token === null ? /Missing API token/ : /not right/);
      }
    }
    // Unknown routes are not revealed to a caller without the token either.
    assert.equal((await api.get('/v1/nothing', { token: null })).status, 401);
    // A "Bearer" with other casing and spacing is still a bearer token.
    const ok = await fetch(`${api.server.origin}/v1/models`, { headers: { authorization: `bearer   ${TOKEN}` } });
    assert.equal(ok.status, 200);
  } finally {
    await api.close();
  }
});

test('GET /v1/models lists the chat model and the embedding model as OpenAI does, under ids that stay when the models change', async () => {
  const api = await startHarness({ chatModel: new ScriptedChatModel([]), embedder: new FakeEmbedder(384) });
  try {
    const response = await api.get('/v1/models');
    assert.equal(response.status, 200);
    type Model = { id: string; object: string; created: number; owned_by: string; cairn: { kind: string; model: string } };
    const body = (await response.json()) as { object: string; data: Model[] };
    assert.equal(body.object, 'list');
    // The aliases, each marked with what it is for and which model it is now.
    assert.deepEqual(body.data.map((m) => [m.id, m.object, m.owned_by, m.cairn.kind, m.cairn.model]), [
      ['cairn', 'model', 'cairn', 'chat', 'test:scripted'],
      ['cairn-embedding', 'model', 'cairn', 'embedding', 'test:fake:384'],
    ]);
    assert.ok(body.data.every((m) => Number.isInteger(m.created) && m.created > 1_600_000_000));
    for (const id of ['cairn', 'cairn-embedding', 'test:fake:384']) {
      const one = await api.get(`/v1/models/${encodeURIComponent(id)}`);
      assert.equal(one.status, 200, id);
      assert.equal(((await one.json()) as { id: string }).id, id);
    }
    // The embedding alias is not a chat model.
    const wrong = (await (await api.post('/v1/chat/completions', { model: 'cairn-embedding', messages: [user('hi')] })).json()) as OpenAiError;
    assert.match(wrong.error.message, /'cairn-embedding' is the embedding model/);
    const missing = await api.get('/v1/models/gpt-4o');
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as OpenAiError).error.code, 'model_not_found');
  } finally {
    await api.close();
  }
});

test('a completion without retrieval: the model gets the messages as they are and its answer comes back whole', async () => {
  const model = new ScriptedChatModel(['Hello there, how can I help?', 'One two three four five six']);
  const api = await startHarness({ chatModel: model });
  try {
    const messages = [{ role: 'system', content: 'Be brief.' }, user('Hi!'), { role: 'assistant', content: 'Hello.' }, user('Say hello again.')];
    const response = await api.post('/v1/chat/completions', { model: 'test:scripted', messages, temperature: 0.3 });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^application\/json/);
    const body = (await response.json()) as Completion;
    assert.equal(body.object, 'chat.completion');
    assert.match(body.id, /^chatcmpl-/);
    assert.equal(body.model, 'test:scripted');
    assert.deepEqual(body.choices, [{ index: 0, message: { role: 'assistant', content: 'Hello there, how can I help?' }, logprobs: null, finish_reason: 'stop' }]);
    assert.equal(body.usage.completion_tokens, 6);
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + 6);
    assert.equal(body.cairn, undefined, 'no retrieval: no Cairn extension');
    assert.deepEqual(model.calls[0]!.messages, messages);
    assert.equal(model.calls[0]!.options.temperature, 0.3);

    // max_tokens is passed on, and an answer cut by it ends with finish_reason "length"; the alias "cairn" names the model.
    const cut = (await (await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('Count.')], max_tokens: 3 })).json()) as Completion;
    assert.equal(cut.choices[0]!.message.content, 'One two three');
    assert.equal(cut.choices[0]!.finish_reason, 'length');
    assert.equal(model.calls[1]!.options.maxTokens, 3);
  } finally {
    await api.close();
  }
});

test('a streamed completion is chat.completion.chunk events whose text is the model output, then usage and [DONE]', async () => {
  const reply = 'Once upon a time, a tiny model told a story about a cairn.';
  const api = await startHarness({ chatModel: new ScriptedChatModel([reply]) });
  try {
    const response = await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('Tell me a story.')], stream: true, stream_options: { include_usage: true } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/event-stream/);
    const events = parseSse(await response.text());
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1) as Chunk[];
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id && c.model === 'test:scripted'));
    assert.equal(streamedText(events), reply);
    assert.ok(chunks.filter((c) => c.choices[0]?.delta.content).length > 5, 'streamed in pieces');
    assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
    assert.ok(chunks.slice(1).every((c) => c.choices[0]?.delta.role === undefined), 'the role comes once, first');
    const final = chunks.at(-2)!;
    assert.deepEqual(final.choices, [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    const usage = chunks.at(-1)!;
    assert.deepEqual(usage.choices, []);
    assert.equal(usage.usage!.completion_tokens, 13);
  } finally {
    await api.close();
  }
});

test('retrieval mode answers from the library and returns the citations, pointing at the right document', async () => {
  let given = 0;
  const answer = (messages: ChatMessage[]) => {
    given = sourceNumber(messages, 'Contract');
    // [12] and [0] are invented: no such sources were given.
    return `Either party may end it with thirty days notice [${given}][12]. See also [0].`;
  };
  const model = new ScriptedChatModel([answer, answer]);
  const api = await startHarness({ chatModel: model });
  try {
    const request = {
      model: 'cairn',
      messages: [{ role: 'system', content: 'Talk like a pirate.' }, user('How can the contract be terminated?')],
      cairn: { retrieval: true },
    };
    const response = await api.post('/v1/chat/completions', request);
    assert.equal(response.status, 200);
    const body = (await response.json()) as Completion;
    const expected = `Either party may end it with thirty days notice [${given}]. See also.`;
    assert.equal(body.choices[0]!.message.content, expected, 'invented citation numbers are dropped');
    const cairn = body.cairn!;
    assert.equal(cairn.query, 'How can the contract be terminated?');
    assert.equal(cairn.citations.length, 1);
    const citation = cairn.citations[0]!;
    assert.equal(citation.n, given);
    assert.equal(citation.title, 'Contract');
    assert.match(citation.uri, /notes[\\/]contract\.md$/);
    assert.equal(citation.page, null);
    assert.equal(citation.kind, 'file');
    assert.match(citation.snippet, /terminated/);
    assert.deepEqual(cairn.sources.filter((s) => s.cited).map((s) => s.n), [given]);
    assert.ok(cairn.sources.every((s) => !/filler/.test(s.uri)), 'unrelated notes are not given to the model');
    // The model got Cairn's grounded prompt (the client's system message is not used), with the sources fenced.
    const prompt = model.calls[0]!.messages;
    assert.equal(prompt[0]!.content, GROUNDED_SYSTEM_PROMPT);
    assert.ok(prompt.every((m) => !m.content.includes('pirate')));
    assert.match(prompt.at(-1)!.content, /^<sources>\n[\s\S]*<\/sources>\n\nQuestion: How can the contract be terminated\?$/);
    assert.equal(model.calls[0]!.options.temperature, 0.2, "Cairn's answering temperature when none is asked for");

    // Streamed: the same text (invented numbers removed on the fly), the citations in the final chunk.
    const streamed = await api.post('/v1/chat/completions', { ...request, stream: true });
    const events = parseSse(await streamed.text());
    assert.equal(streamedText(events), expected);
    assert.equal(events.at(-1), '[DONE]');
    const final = events.at(-2) as Chunk;
    assert.equal(final.choices[0]!.finish_reason, 'stop');
    assert.deepEqual(final.cairn!.citations.map((c) => [c.n, c.title]), [[given, 'Contract']]);
    assert.ok((events.slice(0, -2) as Chunk[]).every((c) => c.cairn === undefined), 'citations come with the final chunk');
  } finally {
    await api.close();
  }
});

test('retrieval mode: filters narrow the search, a follow-up is rewritten from the history, and nothing found is said without the model', async () => {
  const model = new ScriptedChatModel([
    (messages) => `It is due on Friday [${sourceNumber(messages, 'Invoice for October')}].`,
    'October invoice payment deadline',
    (messages) => `By Friday [${sourceNumber(messages, 'Invoice for October')}].`,
  ]);
  const api = await startHarness({ chatModel: model });
  try {
    const first = (await (
      await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('When is the invoice due?')], cairn: { retrieval: true, filters: { kinds: ['email'] } } })
    ).json()) as Completion;
    assert.deepEqual(first.cairn!.sources.map((s) => s.title), ['Invoice for October'], 'only emails searched');
    assert.equal(first.cairn!.citations[0]!.kind, 'email');

    // A follow-up: the model first rewrites it into a standalone query, then answers with the history.
    const messages = [user('When is the invoice due?'), { role: 'assistant', content: first.choices[0]!.message.content }, user('and which month is it for?')];
    const second = (await (await api.post('/v1/chat/completions', { model: 'cairn', messages, cairn: { retrieval: true } })).json()) as Completion;
    assert.equal(model.calls[1]!.messages[0]!.content, REWRITE_SYSTEM_PROMPT);
    assert.equal(second.cairn!.query, 'October invoice payment deadline');
    assert.equal(second.cairn!.rewritten, true);
    assert.equal(second.cairn!.citations[0]!.title, 'Invoice for October');
    assert.deepEqual(model.calls[2]!.messages.slice(1, 3).map((m) => m.role), ['user', 'assistant'], 'the earlier turn is in the prompt');

    // Nothing relevant in the library: said plainly, and the model is not asked.
    const nothing = (await (await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('What is the capital of Mongolia?')], cairn: { retrieval: true } })).json()) as Completion;
    assert.equal(nothing.choices[0]!.message.content, NOTHING_FOUND_MESSAGE);
    assert.deepEqual(nothing.cairn!.citations, []);
    assert.ok(nothing.cairn!.notices.some((n) => n.code === 'nothing-found'));
    assert.equal(model.calls.length, 3);
    assert.equal(model.remaining, 0);
  } finally {
    await api.close();
  }
});

test('POST /v1/embeddings embeds a string or an array with the engine embedder, in OpenAI shape', async () => {
  const embedder = new FakeEmbedder(384);
  const api = await startHarness({ chatModel: null, embedder });
  try {
    const texts = ['thirty days notice', 'the Lisbon trams are yellow', 'an invoice for October'];
    const response = await api.post('/v1/embeddings', { model: 'test:fake:384', input: texts });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { object: string; model: string; data: { object: string; index: number; embedding: number[] }[]; usage: { prompt_tokens: number; total_tokens: number } };
    assert.equal(body.object, 'list');
    assert.equal(body.model, 'test:fake:384');
    assert.deepEqual(body.data.map((d) => [d.object, d.index, d.embedding.length]), [['embedding', 0, 384], ['embedding', 1, 384], ['embedding', 2, 384]]);
    texts.forEach((text, i) => assert.deepEqual(body.data[i]!.embedding, Array.from(embedder.vector(text)), `vector ${i} is the embedder's`));
    const tokens = texts.reduce((sum, t) => sum + embedder.countTokens(t), 0);
    assert.deepEqual(body.usage, { prompt_tokens: tokens, total_tokens: tokens });

    const single = (await (await api.post('/v1/embeddings', { model: 'cairn', input: 'thirty days notice', encoding_format: 'base64', dimensions: 384 })).json()) as { data: { embedding: string }[] };
    const bytes = Buffer.from(single.data[0]!.embedding, 'base64');
    assert.deepEqual(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)), Array.from(embedder.vector('thirty days notice')));

    // Token arrays are OpenAI's cl100k_base tokens (what Python LangChain sends): the same vectors as the texts.
    const { Tiktoken } = await import('js-tiktoken/lite');
    const cl100k = new Tiktoken((await import('js-tiktoken/ranks/cl100k_base')).default);
    const asTokens = (await (await api.post('/v1/embeddings', { model: 'cairn-embedding', input: texts.map((t) => cl100k.encode(t)) })).json()) as typeof body;
    texts.forEach((text, i) => assert.deepEqual(asTokens.data[i]!.embedding, Array.from(embedder.vector(text)), `token array ${i}`));
    const oneArray = (await (await api.post('/v1/embeddings', { model: 'cairn-embedding', input: cl100k.encode(texts[1]!) })).json()) as typeof body;
    assert.deepEqual(oneArray.data.map((d) => d.embedding), [Array.from(embedder.vector(texts[1]!))]);
    const notTokens = await api.post('/v1/embeddings', { model: 'cairn', input: [[1, 2, 1e9]] });
    assert.equal(notTokens.status, 400);
    assert.match(((await notTokens.json()) as OpenAiError).error.message, /not a cl100k_base token id/);
    const wrongSize = await api.post('/v1/embeddings', { model: 'cairn', input: 'x', dimensions: 256 });
    assert.equal(wrongSize.status, 400);
    assert.equal(((await wrongSize.json()) as OpenAiError).error.param, 'dimensions');
  } finally {
    await api.close();
  }
});

async function expectError(response: Response, status: number, code: string, param?: string | null): Promise<OpenAiError['error']> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.match(response.headers.get('content-type')!, /^application\/json/);
  const body = JSON.parse(text) as OpenAiError;
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(body.error.code, code, text);
  if (param !== undefined) assert.equal(body.error.param, param);
  assert.ok(body.error.message.length > 10);
  assert.doesNotMatch(text, /at .*\.ts:\d+|node:internal/, 'no stack trace');
  return body.error;
}

test('bad requests get the right status and an OpenAI error body', async () => {
  const api = await startHarness({ chatModel: new ScriptedChatModel([]) });
  try {
    const chat = '/v1/chat/completions';
    assert.equal((await expectError(await api.post(chat, '{"model": "cairn", "messages": ['), 400, 'invalid_json')).type, 'invalid_request_error');
    await expectError(await api.post(chat, { model: 'cairn' }), 400, 'invalid_request', 'messages');
    await expectError(await api.post(chat, { model: 'cairn', messages: [] }), 400, 'invalid_request', 'messages');
    await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi')], temperature: 5 }), 400, 'invalid_request', 'temperature');
    await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi')], n: 2 }), 400, 'invalid_request', 'n');
    await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi'), { role: 'function', content: 'x' }] }), 400, 'unsupported_role', 'messages[1].role');
    await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi'), { role: 'tool', content: 'x' }] }), 400, 'invalid_request', 'messages[1].tool_call_id');
    await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi'), { role: 'tool', content: 'x', tool_call_id: 'c1' }] }), 400, 'invalid_request', 'messages[1].tool_call_id');
    const call = { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } };
    await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi'), { role: 'assistant', content: null, tool_calls: [call] }, user('and?')] }), 400, 'invalid_request', 'messages[1].tool_calls');
    // An argument OpenAI does not know is refused as OpenAI refuses it; so is a value there is nothing to honour with.
    const unknown = await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi')], frobnicate: true }), 400, 'unknown_parameter', 'frobnicate');
    assert.match(unknown.message, /Unrecognized request argument supplied: frobnicate/);
    await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi')], logprobs: true }), 400, 'invalid_request', 'logprobs');
    await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi')], logit_bias: { '50256': -100 } }), 400, 'invalid_request', 'logit_bias');
    await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi')], stop: ['a', 'b', 'c', 'd', 'e'] }), 400, 'invalid_request', 'stop');
    await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi')], tool_choice: 'required' }), 400, 'invalid_request', 'tool_choice');
    await expectError(await api.post(chat, { model: 'cairn', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }), 400, 'unsupported_content', 'messages[0].content[0]');
    await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi')], cairn: { retrieval: true, filters: { dateFrom: 'someday' } } }), 400, 'invalid_request', 'cairn.filters.dateFrom');
    await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi')], cairn: { retreival: true } }), 400, 'unknown_parameter', 'cairn.retreival');
    await expectError(await api.post(chat, { model: 'cairn', messages: [user('hi'), { role: 'assistant', content: 'yes?' }], cairn: { retrieval: true } }), 400, 'invalid_request', 'messages');
    await expectError(await api.post('/v1/embeddings', { model: 'cairn', input: [] }), 400, 'invalid_request', 'input');
    await expectError(await api.post('/v1/embeddings', { model: 'cairn', input: ['a', ''] }), 400, 'invalid_request', 'input[1]');

    await expectError(await api.get('/v1/nothing'), 404, 'unknown_url');
    await expectError(await api.post('/v2/chat/completions', {}), 404, 'unknown_url');
    const model = await expectError(await api.post(chat, { model: 'gpt-4o', messages: [user('hi')] }), 404, 'model_not_found', 'model');
    assert.match(model.message, /say 'cairn'/, 'says which model there is');
    await expectError(await api.post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'hi' }), 404, 'model_not_found', 'model');

    const wrongMethod = await api.get(chat);
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
    await expectError(wrongMethod, 405, 'method_not_allowed');

    // Over the 4 MiB cap: refused before the model sees it.
    const huge = JSON.stringify({ model: 'cairn', messages: [user('x'.repeat(4 * 1024 * 1024))] });
    await expectError(await api.post(chat, huge), 413, 'request_too_large');
  } finally {
    await api.close();
  }
});

test('a body over the cap sent without a length (chunked) is cut off with 413 too', async () => {
  const api = await startHarness({ chatModel: new ScriptedChatModel(['unused']), maxBodyBytes: 1000 });
  try {
    const pieces = Array.from({ length: 40 }, () => 'x'.repeat(100));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of pieces) controller.enqueue(new TextEncoder().encode(piece));
        controller.close();
      },
    });
    const response = await fetch(`${api.server.origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    await expectError(response, 413, 'request_too_large');
    // The server still answers afterwards.
    assert.equal((await api.get('/v1/models')).status, 200);
  } finally {
    await api.close();
  }
});

test('503 says what to configure when there is no chat model or no embedding model', async () => {
  const api = await startHarness({ chatModel: null, embedder: null });
  try {
    const chat = await expectError(await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('hi')] }), 503, 'no_chat_model');
    assert.equal(chat.type, 'server_error');
    assert.match(chat.message, /No chat model\. `cairn models list` names the one recommended/);
    const embed = await expectError(await api.post('/v1/embeddings', { model: 'cairn', input: 'hi' }), 503, 'no_embedding_model');
    assert.match(embed.message, /No embedding model is configured\. Choose one with `cairn embedder set --gguf FILE`/);
    const models = (await (await api.get('/v1/models')).json()) as { data: unknown[] };
    assert.deepEqual(models.data, []);
  } finally {
    await api.close();
  }
});

test('a model failure is a 500 with its message and no stack; mid-stream it is an error event before [DONE]', async () => {
  const model = new ScriptedChatModel([{ text: 'Half an', error: 'GPU fell over' }, { text: 'Half an', error: 'GPU fell over' }]);
  const api = await startHarness({ chatModel: model });
  try {
    const whole = await expectError(await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('hi')] }), 500, 'model_error');
    assert.equal(whole.message, 'The chat model failed: GPU fell over');
    assert.equal(whole.type, 'server_error');

    const streamed = await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('hi')], stream: true });
    assert.equal(streamed.status, 200, 'the stream had started');
    const events = parseSse(await streamed.text());
    assert.equal(streamedText(events), 'Half an');
    assert.equal(events.at(-1), '[DONE]');
    assert.deepEqual((events.at(-2) as OpenAiError).error, { message: 'The chat model failed: GPU fell over', type: 'server_error', param: null, code: 'model_error' });
    assert.deepEqual(api.takeErrors().map((e) => (e as Error).message), ['GPU fell over', 'GPU fell over'], 'both reached the server log');
  } finally {
    await api.close();
  }
});

test('a question too long for the model context is a 400 context_length_exceeded', async () => {
  const api = await startHarness({ chatModel: new ScriptedChatModel([], { contextSize: 200 }) });
  try {
    const question = `How can the contract be terminated? ${'Please explain in detail. '.repeat(60)}`;
    await expectError(await api.post('/v1/chat/completions', { model: 'cairn', messages: [user(question)], cairn: { retrieval: true } }), 400, 'context_length_exceeded', 'messages');
  } finally {
    await api.close();
  }
});

test('a client that disconnects mid-stream aborts the generation', { timeout: 30_000 }, async () => {
  const model = new HeldModel(['Once', ' upon'], [' a time.']);
  const api = await startHarness({ chatModel: model });
  try {
    const controller = new AbortController();
    const response = await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('Tell me a story.')], stream: true }, { signal: controller.signal });
    const reader = response.body!.getReader();
    let received = '';
    while (!received.includes('upon')) {
      const { value, done } = await reader.read();
      assert.ok(!done, 'the stream went on until the model was held');
      received += new TextDecoder().decode(value);
    }
    controller.abort();
    // The model is held until its signal aborts: it ends only if the disconnect reached it (were it
    // not, the test's timeout would end the run).
    await model.reached('end 1');
    assert.ok(model.results[0], 'the generation ended after the client left');
    assert.equal(model.results[0].stopReason, 'aborted');
    assert.equal(model.results[0]!.text, 'Once upon');
  } finally {
    await api.close();
  }
});

test('requests wait their turn for the model, and past the waiting limit get 429 with Retry-After', { timeout: 30_000 }, async () => {
  const model = new HeldModel(['Hello'], [' world']);
  const api = await startHarness({ chatModel: model, maxWaiting: 1 });
  try {
    const first = api.post('/v1/chat/completions', { model: 'cairn', messages: [user('one')] });
    await model.reached('start 1');
    // Two more while the first is held: one may wait (the limit is 1), so the one that comes second,
    // whichever it is, is answered at once with 429; the other answers only after the first.
    const more = ['two', 'three'].map((text) => api.post('/v1/chat/completions', { model: 'cairn', messages: [user(text)] }).then((response) => ({ text, response })));
    const refused = await Promise.race(more);
    assert.equal(refused.response.headers.get('retry-after'), '5');
    const busy = await expectError(refused.response, 429, 'model_busy');
    assert.equal(busy.type, 'rate_limit_error');
    assert.deepEqual(model.events, ['start 1'], 'the waiting one has not started');
    model.release();
    const waited = (await Promise.all(more)).find((r) => r !== refused)!;
    const answers = await Promise.all([await first, waited.response].map(async (r) => ((await r.json()) as Completion).choices[0]!.message.content));
    assert.deepEqual(answers, ['Hello world', 'Hello world']);
    assert.deepEqual(model.events, ['start 1', 'end 1', 'start 2', 'end 2'], 'one at a time, in order');
    assert.deepEqual(model.calls.map((m) => m.at(-1)!.content), ['one', waited.text]);
  } finally {
    await api.close();
  }
});

test('closing the server stops a generation under way and ends its stream with an error event', { timeout: 30_000 }, async () => {
  const model = new HeldModel(['Once'], [' more']);
  const api = await startHarness({ chatModel: model });
  try {
    const response = await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('Tell me a story.')], stream: true });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('Once')) {
      const { value, done } = await reader.read();
      assert.ok(!done, 'the stream went on until the model was held');
      text += decoder.decode(value, { stream: true });
    }
    await api.server.close();
    assert.equal(model.results[0]!.stopReason, 'aborted');
    for (let read = await reader.read(); !read.done; read = await reader.read()) text += decoder.decode(read.value, { stream: true });
    const events = parseSse(text);
    assert.equal(streamedText(events), 'Once');
    assert.equal(events.at(-1), '[DONE]');
    assert.equal((events.at(-2) as OpenAiError).error.code, 'server_closing');
  } finally {
    await api.close();
  }
});

test('requests addressed to another host name are refused (DNS rebinding)', async () => {
  const api = await startHarness({ chatModel: null });
  const withHost = (host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${api.server.origin}/v1/models`, { headers: { host, authorization: `Bearer ${TOKEN}` } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
  try {
    for (const host of ['attacker.example', 'attacker.example:22476', '127.0.0.1.attacker.example', '192.168.1.10']) {
      const refused = await withHost(host);
      assert.equal(refused.status, 403, host);
      assert.equal((JSON.parse(refused.body) as OpenAiError).error.code, 'forbidden_host');
    }
    for (const host of ['localhost:22476', '127.0.0.1', 'LOCALHOST']) assert.equal((await withHost(host)).status, 200, host);
  } finally {
    await api.close();
  }
});
