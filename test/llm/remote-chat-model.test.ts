// RemoteChatModel against a real local HTTP server that speaks OpenAI's streaming chat API.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import * as llamaCpp from 'node-llama-cpp';
import type { CairnError } from '../../app/contract/index.ts';
import { openChatModel, RemoteChatModel, type ChatMessage } from '../../app/llm/index.ts';
import { estimateServerTokens } from '../../app/net/index.ts';
import { startChatServer, type ChatServer } from './chat-server.ts';

let server: ChatServer;
before(async () => {
  server = await startChatServer();
});
after(async () => {
  await server.close();
});

const ask = [
  { role: 'system' as const, content: 'Answer from the notes.' },
  { role: 'user' as const, content: 'what is the answer' },
];

function model(name: string, options: { apiKey?: string; timeoutMs?: number; baseUrl?: string } = {}) {
  return new RemoteChatModel({ type: 'openai', baseUrl: options.baseUrl ?? server.baseUrl, model: name }, options);
}

test('streams the answer and sends the conversation, options and key as OpenAI does', async () => {
  const chat = await openChatModel({ type: 'openai', baseUrl: `${server.baseUrl}/`, model: 'echo' }, { apiKey: 'sk-test' });
  assert.equal(chat.key, `openai:${server.baseUrl}:echo`);
  assert.equal(chat.contextSize, 8192);
  const pieces: string[] = [];
  const result = await chat.generate(ask, { maxTokens: 50, temperature: 0, onText: (p) => pieces.push(p) });
  assert.deepEqual(pieces, ['what', ' is', ' the', ' answer']);
  assert.deepEqual(result, { text: 'what is the answer', thought: '', stopReason: 'end', tokens: 4 });
  const sent = server.requests.at(-1)!;
  assert.equal(sent.authorization, 'Bearer sk-test');
  assert.deepEqual(sent.body, { model: 'echo', messages: ask, stream: true, max_tokens: 50, temperature: 0 });
});

test('without options nothing but the conversation is sent, and no key header', async () => {
  await model('echo').generate(ask);
  const sent = server.requests.at(-1)!;
  assert.equal(sent.authorization, undefined);
  assert.deepEqual(Object.keys(sent.body).sort(), ['messages', 'model', 'stream']);
});

test('raw <think> tags and reasoning_content both end up as thought, never in the answer', async () => {
  const thoughts: string[] = [];
  const texts: string[] = [];
  const raw = await model('think').generate(ask, { onThought: (t) => thoughts.push(t), onText: (t) => texts.push(t) });
  assert.equal(raw.text, 'The answer is 42.');
  assert.equal(raw.thought, 'Look in the notes.');
  assert.equal(thoughts.join(''), 'Look in the notes.');
  assert.equal(texts.join(''), 'The answer is 42.');

  const reasoned = await model('reasoning').generate(ask);
  assert.deepEqual(reasoned, { text: 'It is 42.', thought: 'First, the notes.', stopReason: 'end', tokens: 4 });
});

test('finish_reason "length" is maxTokens, with the token count from usage', async () => {
  const result = await model('length').generate(ask, { maxTokens: 2 });
  // The server's usage also gives the prompt's tokens as its chat template made them.
  assert.deepEqual(result, { text: 'One two', thought: '', stopReason: 'maxTokens', tokens: 2, promptTokens: 5 });
});

test('aborting stops at once, keeps the text so far and closes the connection', async () => {
  const controller = new AbortController();
  const pieces: string[] = [];
  const gone = server.clientsGone;
  const result = await model('endless').generate(ask, {
    signal: controller.signal,
    onText: (p) => {
      pieces.push(p);
      if (pieces.length === 3) controller.abort();
    },
  });
  assert.equal(result.stopReason, 'aborted');
  assert.equal(result.text, pieces.join(''));
  assert.match(result.text, /^word0 word1 word2 /);
  assert.ok(pieces.length <= 4);
  // The server sees the client go away (it would otherwise generate 10,000 words for nobody).
  for (let i = 0; i < 100 && server.clientsGone === gone; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.clientsGone, gone + 1);
});

test('closing the model aborts its generation', async () => {
  const chat = model('endless');
  let closing: Promise<void> | undefined;
  const result = await chat.generate(ask, { onText: () => (closing ??= chat.close()) });
  await closing;
  assert.equal(result.stopReason, 'aborted');
  await assert.rejects(chat.generate(ask), { code: 'chat-model-closed' });
});

test('server errors become clear CairnErrors', async () => {
  const expect = async (name: string, code: string, message: RegExp, options: { apiKey?: string } = {}) => {
    await assert.rejects(model(name, options).generate(ask), (error: CairnError) => {
      assert.equal(error.name, 'CairnError');
      assert.equal(error.code, code);
      assert.match(error.message, message);
      return true;
    });
  };
  await expect('missing', 'chat-model-unknown', /has no model "missing".*HTTP 404: model "missing" not found/);
  await expect('busy', 'chat-server-busy', /busy or over its rate limit \(HTTP 429, retry after 7 s\)/);
  await expect('broken', 'chat-server-error', /HTTP 500: CUDA error: out of memory/);
  await expect('fail-midway', 'chat-server-error', /stopped with an error: the model crashed/);
  await expect('cut', 'chat-server-unreachable', /lost the connection to the chat server at .*: the connection was closed/);
});

test('a wrong base URL (no /v1) is a 404 that says so', async () => {
  const chat = model('echo', { baseUrl: server.baseUrl.replace(/\/v1$/, '') });
  await assert.rejects(chat.generate(ask), /does the URL end in \/v1\?/);
});

test('a server that wants a key: none or a wrong one is a clear auth error, the right one works', async () => {
  const guarded = await startChatServer({ apiKey: 'right' });
  try {
    const at = (apiKey?: string) => new RemoteChatModel({ type: 'openai', baseUrl: guarded.baseUrl, model: 'echo' }, apiKey ? { apiKey } : {});
    await assert.rejects(at().generate(ask), (e: CairnError) => e.code === 'chat-server-auth' && /needs an API key \(none was given\): HTTP 401/.test(e.message));
    await assert.rejects(at('wrong').generate(ask), (e: CairnError) => e.code === 'chat-server-auth' && /rejected the API key: HTTP 401: Invalid API key/.test(e.message));
    assert.equal((await at('right').generate(ask)).text, 'what is the answer');
  } finally {
    await guarded.close();
  }
});

test('a dead server and a silent one are told apart', async () => {
  // A port that was just free: nothing listens there.
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  await assert.rejects(model('echo', { baseUrl: `http://127.0.0.1:${port}/v1` }).generate(ask), (e: CairnError) => {
    assert.equal(e.code, 'chat-server-unreachable');
    assert.match(e.message, /cannot reach the chat server at http:\/\/127\.0\.0\.1:\d+\/v1: connection refused \(is the server running\?\)/);
    return true;
  });

  const texts: string[] = [];
  await assert.rejects(model('stall', { timeoutMs: 300 }).generate(ask, { onText: (t) => texts.push(t) }), (e: CairnError) => {
    assert.equal(e.code, 'chat-server-timeout');
    assert.match(e.message, /sent nothing for 0\.3 s in the middle of the answer/);
    return true;
  });
  assert.deepEqual(texts, ['Hello']);
});

test("countPromptTokens allows for the chat templates of the model families node-llama-cpp knows, measured as servers render them", () => {
  const chat = model('echo');
  const { SpecialToken, SpecialTokensText } = llamaCpp;
  // A special token (<|im_start|>, [INST], <start_of_turn>…) is one token; other template text is estimated like any text.
  const special = /<[|｜][^<>]*?[|｜]>|<\/?[a-z_]+>|\[\/?[A-Z_]+\]/g;
  const templateTokens = (text: llamaCpp.LlamaText) =>
    text.values.reduce((sum: number, value) => {
      if (typeof value === 'string') return sum + estimateServerTokens(value);
      if (value instanceof SpecialToken) return sum + 1;
      if (value instanceof SpecialTokensText) return sum + (value.value.match(special)?.length ?? 0) + estimateServerTokens(value.value.replace(special, ''));
      return sum;
    }, 0);
  const wrappers = Object.entries(llamaCpp).filter(([name]) => /^[A-Z]\w*ChatWrapper$/.test(name) && !/^(Jinja|Template|Empty)|^ChatWrapper$/.test(name));
  assert.ok(wrappers.length >= 15, wrappers.map(([name]) => name).join(', '));
  for (const turns of [0, 3]) {
    const messages: ChatMessage[] = [{ role: 'system', content: 'You are Cairn, an assistant.' }];
    for (let i = 0; i < turns; i++) messages.push({ role: 'user', content: 'What is in the note?' }, { role: 'assistant', content: 'It says hello.' });
    messages.push({ role: 'user', content: 'And the contract?' });
    const history: llamaCpp.ChatHistoryItem[] = [
      ...messages.map((m): llamaCpp.ChatHistoryItem => (m.role === 'assistant' ? { type: 'model', response: [m.content] } : { type: m.role as 'system' | 'user', text: m.content })),
      { type: 'model', response: [] },
    ];
    for (const [name, Wrapper] of wrappers) {
      const wrapper = new (Wrapper as new () => llamaCpp.ChatWrapper)();
      const rendered = templateTokens(wrapper.generateContextState({ chatHistory: history }).contextText);
      assert.ok(chat.countPromptTokens(messages) >= rendered, `${name}, ${messages.length} messages: ${chat.countPromptTokens(messages)} < ${rendered}`);
    }
  }
});

test('countTokens is an estimate that errs high', () => {
  const chat = model('echo');
  const english = 'The quick brown fox jumps over the lazy dog. '.repeat(10);
  // A BPE tokenizer gives about 10 tokens per sentence here; the estimate must not be lower.
  assert.ok(chat.countTokens(english) >= 100);
  assert.ok(chat.countTokens(english) <= 200);
  assert.equal(chat.countTokens('知识管理'), 6);
  assert.equal(chat.countTokens(''), 0);
});
