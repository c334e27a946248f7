// The local API's wire shapes for what real clients ask for, with scripted and held models (so
// each shape is exact) and Cairn's remote model against a fake OpenAI server: tool calls whole and
// streamed, refusals for what a model cannot do, stop strings, headers and keep-alives before the
// model is free, sources listed in the text, embeddings cut and reported, other addresses and
// CORS only when asked for.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { GgufEmbedder } from '../../app/embed/index.ts';
import { RemoteChatModel } from '../../app/llm/index.ts';
import { fromLoopback, listenAddress } from '../../app/server/index.ts';
import { startChatServer } from '../llm/chat-server.ts';
import { modelsDir, requireShared } from '../support/shared.ts';
import { ScriptedChatModel } from '../support/scripted-chat-model.ts';
import { HeldModel, parseSse, startHarness, streamedText, TOKEN, type Chunk, type OpenAiError } from './support.ts';

const user = (content: string) => ({ role: 'user', content });
const WEATHER = { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

interface ToolCallWire {
  id: string;
  type: string;
  function: { name: string; arguments: string };
}

test("tool calls come back in OpenAI's shape, whole and streamed, and the results go back to the model", async () => {
  const model = new ScriptedChatModel([
    { text: '', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] },
    { text: 'Let me look.', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Lisbon"}' }, { name: 'get_weather', arguments: '{"city":"Porto"}' }] },
    'It is sunny in Paris.',
  ]);
  const api = await startHarness({ chatModel: model });
  try {
    const whole = (await (await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('Weather in Paris?')], tools: [WEATHER] })).json()) as {
      choices: { message: { role: string; content: string | null; tool_calls: ToolCallWire[] }; finish_reason: string }[];
      usage: { prompt_tokens: number };
    };
    const { message, finish_reason } = whole.choices[0]!;
    assert.equal(finish_reason, 'tool_calls');
    assert.equal(message.content, null);
    assert.deepEqual(message.tool_calls, [{ id: 'call_scripted_1_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
    assert.deepEqual(model.calls[0]!.options.tools, [{ name: 'get_weather', description: 'Weather', parameters: WEATHER.function.parameters }]);
    assert.equal(whole.usage.prompt_tokens, model.countPromptTokens([{ role: 'user', content: 'Weather in Paris?' }], { tools: model.calls[0]!.options.tools! }), 'the tools are counted in the prompt');

    const response = await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('And Lisbon and Porto?')], tools: [WEATHER], tool_choice: 'auto', stream: true });
    const events = parseSse(await response.text());
    const chunks = events.slice(0, -1) as (Chunk & { choices: { delta: { tool_calls?: (ToolCallWire & { index: number })[] } }[] })[];
    assert.equal(streamedText(events), 'Let me look.');
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    assert.deepEqual(calls.map((c) => [c.index, c.type, c.function.name, c.function.arguments]), [[0, 'function', 'get_weather', '{"city":"Lisbon"}'], [1, 'function', 'get_weather', '{"city":"Porto"}']]);
    assert.ok(calls.every((c) => c.id.startsWith('call_')));
    assert.equal(chunks.at(-1)!.choices[0]!.finish_reason, 'tool_calls');

    // The round trip: the calls and their results reach the model as its messages.
    const call = message.tool_calls[0]!;
    const answered = (await (await api.post('/v1/chat/completions', {
      model: 'cairn', tools: [WEATHER],
      messages: [user('Weather in Paris?'), { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: '{"sky":"clear"}' }],
    })).json()) as { choices: { message: { content: string }; finish_reason: string }[] };
    assert.deepEqual([answered.choices[0]!.message.content, answered.choices[0]!.finish_reason], ['It is sunny in Paris.', 'stop']);
    assert.deepEqual(model.calls[2]!.messages.slice(1), [
      { role: 'assistant', content: '', toolCalls: [{ id: call.id, name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', content: '{"sky":"clear"}', toolCallId: call.id },
    ]);
  } finally {
    await api.close();
  }
});

test('what a model cannot do is refused with a 400 that names the parameter, never ignored', async () => {
  // The held model chats in plain text only: no tools, no JSON format, no plain completion.
  const api = await startHarness({ chatModel: new HeldModel([], []) });
  try {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['/v1/chat/completions', { tools: [WEATHER] }, 'tools', /cannot call tools/],
      ['/v1/chat/completions', { response_format: { type: 'json_object' } }, 'response_format', /cannot hold its answer to JSON/],
      ['/v1/chat/completions', { messages: [user('hi'), { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c', content: 'x' }] }, 'messages[1]', /cannot call tools/],
      ['/v1/completions', { prompt: 'Once' }, 'prompt', /only chats: it cannot complete a plain prompt/],
    ];
    for (const [path, extra, param, message] of cases) {
      const response = await api.post(path, { model: 'cairn', messages: [user('hi')], ...extra, ...(path === '/v1/completions' ? { messages: undefined } : {}) });
      const body = (await response.json()) as OpenAiError;
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(body.error.code, 'unsupported_parameter');
      assert.equal(body.error.param, param);
      assert.match(body.error.message, message);
    }
    // A retrieval answer is prose: no tools, no JSON.
    const retrieval = await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('hi')], tools: [WEATHER], cairn: { retrieval: true } });
    assert.equal(retrieval.status, 400);
    assert.equal(((await retrieval.json()) as OpenAiError).error.param, 'tools');
  } finally {
    await api.close();
  }
});

test('stop strings reach the model, and what it writes from a stop string on never reaches the client', async () => {
  const model = new ScriptedChatModel(['The answer is forty two. END of story.', 'The answer is forty two. END of story.']);
  const api = await startHarness({ chatModel: model });
  try {
    const whole = (await (await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('?')], stop: 'END' })).json()) as { choices: { message: { content: string }; finish_reason: string }[] };
    assert.equal(whole.choices[0]!.message.content, 'The answer is forty two. ');
    assert.equal(whole.choices[0]!.finish_reason, 'stop');
    assert.deepEqual(model.calls[0]!.options.stop, ['END']);
    const streamed = parseSse(await (await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('?')], stop: ['two.', 'END'], stream: true })).text());
    assert.equal(streamedText(streamed), 'The answer is forty ');
  } finally {
    await api.close();
  }
});

test("Cairn's remote model passes tools, tool choice, format and stop through, reads streamed tool calls, and never passes a stop string on", async () => {
  const server = await startChatServer();
  const api = await startHarness({ chatModel: new RemoteChatModel({ type: 'openai', baseUrl: server.baseUrl, model: 'tools' }) });
  try {
    const response = await api.post('/v1/chat/completions', {
      model: 'cairn', messages: [user('Weather in Paris?')], tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false, top_p: 0.5, seed: 7,
    });
    const body = (await response.json()) as { choices: { message: { tool_calls: ToolCallWire[] }; finish_reason: string }[] };
    assert.equal(body.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(body.choices[0]!.message.tool_calls, [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }]);
    const sent = server.requests.at(-1)!.body;
    assert.deepEqual(sent.tools, [WEATHER]);
    assert.deepEqual(sent.tool_choice, { type: 'function', function: { name: 'get_weather' } });
    assert.deepEqual([sent.parallel_tool_calls, sent.top_p, sent.seed], [false, 0.5, 7]);

    // A conversation with tool calls goes to the server in its own shape; a format too.
    const echo = new RemoteChatModel({ type: 'openai', baseUrl: server.baseUrl, model: 'echo' });
    const result = await echo.generate(
      [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{}' }] },
        { role: 'tool', content: 'sunny', toolCallId: 'c1' },
        { role: 'user', content: 'so it is sunny today and STOP here' },
      ],
      { stop: ['STOP'], responseFormat: { type: 'json_schema', name: 'x', schema: { type: 'object' }, strict: true } },
    );
    const echoed = server.requests.at(-1)!.body;
    assert.deepEqual(echoed.messages.slice(1, 3), [
      { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
      { role: 'tool', content: 'sunny', tool_call_id: 'c1' },
    ]);
    assert.deepEqual(echoed.response_format, { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: true } });
    assert.deepEqual(echoed.stop, ['STOP']);
    // The fake server ignores stop, as some do: the text still ends before it.
    assert.equal(result.text, 'so it is sunny today and ');
    assert.equal(result.stopReason, 'end');

    // A completion goes to the server's /completions with its suffix and stop; the stop still holds.
    const completed = (await (await api.post('/v1/completions', { model: 'cairn', prompt: 'def add(a, b): return a + b STOP and more', suffix: '\n', stop: ['STOP'], max_tokens: 30 })).json()) as {
      object: string; choices: { text: string; finish_reason: string }[]; usage: { prompt_tokens: number };
    };
    assert.deepEqual([completed.object, completed.choices[0]!.text, completed.choices[0]!.finish_reason], ['text_completion', 'def add(a, b): return a + b ', 'stop']);
    const asked = server.requests.at(-1)!.body;
    assert.deepEqual([asked.suffix, asked.stop, asked.max_tokens], ['\n', ['STOP'], 30]);
    const counted = (await (await api.post('/v1/completions', { model: 'cairn', prompt: 'one two three' })).json()) as typeof completed;
    assert.equal(counted.choices[0]!.text, 'one two three');
    assert.equal(counted.usage.prompt_tokens, 9, "the server's own count, when it is read to the end");

    // A server that refuses the request: the client gets a 400 with the server's reason.
    const refusing = await startHarness({ chatModel: new RemoteChatModel({ type: 'openai', baseUrl: server.baseUrl, model: 'refuse' }) });
    try {
      const refused = await refusing.post('/v1/chat/completions', { model: 'cairn', messages: [user('hi')], tools: [WEATHER] });
      assert.equal(refused.status, 400);
      assert.match(((await refused.json()) as OpenAiError).error.message, /refused the request: HTTP 400: this model does not support tools/);
    } finally {
      await refusing.close();
    }
  } finally {
    await api.close();
    await server.close();
  }
});

test('a stream starts at once and says it is alive while the model is busy with another request and while it reads the prompt', async () => {
  const model = new HeldModel([], ['Done.']);
  const api = await startHarness({ chatModel: model, keepAliveMs: 50 });
  try {
    const first = await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('one')], stream: true });
    assert.equal(first.status, 200, 'headers before the model has written anything');
    await model.reached('start 1');
    // A second request waits for the model: its stream is open all the same.
    const second = await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('two')], stream: true });
    assert.equal(second.status, 200);
    assert.match(second.headers.get('content-type')!, /^text\/event-stream/);
    const reader = second.body!.getReader();
    let text = '';
    while ((text.match(/: keep-alive/g) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value);
    assert.ok(text.startsWith(': cairn\n\n'), 'a comment at once');
    assert.ok(!model.events.includes('start 2'), 'still waiting for the model');
    model.release();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    assert.equal(streamedText(parseSse(text)), 'Done.');
    assert.equal(streamedText(parseSse(await first.text())), 'Done.');
  } finally {
    await api.close();
  }
});

test('a retrieval answer can list its sources in the text, as the request says or the setting does; the citations stay as they are', async () => {
  const reply = () => 'Thirty days notice [1].';
  let setting = false;
  const api = await startHarness({ chatModel: new ScriptedChatModel([reply, reply, reply]), appendSources: () => setting });
  try {
    const ask = async (extra: Record<string, unknown>) =>
      (await (await api.post('/v1/chat/completions', { model: 'cairn', messages: [user('How can the contract be terminated?')], cairn: { retrieval: true, ...extra } })).json()) as {
        choices: { message: { content: string } }[];
        cairn: { citations: { n: number; title: string }[] };
      };
    const plain = await ask({});
    assert.equal(plain.choices[0]!.message.content, 'Thirty days notice [1].');
    const listed = await ask({ appendSources: true });
    assert.match(listed.choices[0]!.message.content, /^Thirty days notice \[1\]\.\n\n\*\*Sources\*\*\n\n- \[1\] Contract — file \S+contract\.md, § Contract$/);
    assert.deepEqual(listed.cairn.citations, plain.cairn.citations);
    setting = true;
    const bySetting = await ask({});
    assert.equal(bySetting.choices[0]!.message.content, listed.choices[0]!.message.content);
  } finally {
    await api.close();
  }
});

test('an input longer than the embedding model takes is cut, and the response says which and by how much', async (t) => {
  const modelPath = requireShared(t, join(modelsDir, 'stories260K.gguf'));
  if (!modelPath) return;
  const embedder = await GgufEmbedder.open({ type: 'gguf', modelPath, threads: 1, gpu: false });
  const api = await startHarness({ chatModel: null, embedder });
  try {
    const long = 'Lily played in the park with her dog all day long. '.repeat(60);
    const response = await api.post('/v1/embeddings', { model: 'cairn-embedding', input: ['a short one', long] });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cairn-truncated-inputs'), '1');
    const body = (await response.json()) as { cairn: { truncated: { index: number; tokens: number; kept: number }[] }; usage: { prompt_tokens: number } };
    assert.deepEqual(body.cairn.truncated, [{ index: 1, tokens: embedder.countTokens(long), kept: embedder.maxTokens }]);
    assert.equal(body.usage.prompt_tokens, embedder.countTokens('a short one') + embedder.maxTokens);
    const short = await api.post('/v1/embeddings', { model: 'cairn-embedding', input: 'a short one' });
    assert.equal(short.headers.get('cairn-truncated-inputs'), null);
    assert.equal(((await short.json()) as { cairn?: unknown }).cairn, undefined);
  } finally {
    await api.close();
    await embedder.close();
  }
});

test('another address only with the Host names it is reached by; CORS only for the origins listed, preflight before the token', async () => {
  assert.throws(() => listenAddress('0.0.0.0', []), /127\.0\.0\.1 only.*--allow-host/);
  assert.equal(listenAddress('0.0.0.0', ['host.docker.internal']), '0.0.0.0');
  assert.throws(() => listenAddress('docker.local', ['x']), /must be an IP address/);
  assert.deepEqual(['127.0.0.1', '127.5.5.5', '::1', '::ffff:127.0.0.1', '172.17.0.2', '::ffff:10.0.0.1', undefined].map(fromLoopback), [true, true, true, true, false, false, false]);

  const api = await startHarness({ chatModel: new ScriptedChatModel([]), host: '0.0.0.0', allowedHosts: ['host.docker.internal'], allowedOrigins: ['http://localhost:3000'] });
  const port = api.server.port;
  // node:http, not fetch: fetch does not let a request say another Host.
  const status = (path: string, headers: Record<string, string>, method = 'GET') =>
    new Promise<{ status: number; headers: Headers; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: new Headers(res.headers as Record<string, string>), body }));
      });
      req.on('error', reject);
      req.end();
    });
  const auth = { authorization: `Bearer ${TOKEN}` };
  try {
    assert.equal((await status('/v1/models', { ...auth, host: `host.docker.internal:${port}` })).status, 200);
    assert.equal((await status('/v1/models', { ...auth, host: `evil.example:${port}` })).status, 403);
    // A preflight from an allowed origin is answered without the token; from another, it is not.
    const preflight = await status('/v1/chat/completions', { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' }, 'OPTIONS');
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:3000');
    assert.match(preflight.headers.get('access-control-allow-headers')!, /Authorization/);
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'POST');
    const refused = await status('/v1/chat/completions', { origin: 'http://evil.example', 'access-control-request-method': 'POST' }, 'OPTIONS');
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    const allowed = await status('/v1/models', { ...auth, origin: 'http://localhost:3000' });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:3000');
    const other = await status('/v1/models', { ...auth, origin: 'http://evil.example' });
    assert.equal(other.status, 403);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    assert.equal((JSON.parse(other.body) as OpenAiError).error.code, 'forbidden_origin');
    // The token is still needed with an allowed origin.
    assert.equal((await status('/v1/models', { origin: 'http://localhost:3000' })).status, 401);
  } finally {
    await api.close();
  }
});
