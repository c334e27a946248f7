import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatEvent, type ChatEvent as ChatEventType } from '../../app/contract/index.ts';
import { GROUNDED_SYSTEM_PROMPT, NO_CHAT_MODEL_MESSAGE, NOTHING_FOUND_MESSAGE, PLAIN_SYSTEM_PROMPT } from '../../app/chat/index.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { ScriptedChatModel } from '../support/scripted-chat-model.ts';
import { chatEngine, INJECTION } from './library.ts';

function recorder() {
  const events: ChatEventType[] = [];
  return {
    events,
    onEvent: (e: ChatEventType) => {
      ChatEvent.parse(e); // every event matches the contract's schema
      events.push(e);
    },
    text: () => events.flatMap((e) => (e.type === 'text' ? [e.delta] : [])).join(''),
    types: () => [...new Set(events.map((e) => e.type))],
  };
}

test('an answer streams typed events, cites real sources, and drops invented numbers from text and citations', async () => {
  const model = new ScriptedChatModel(['Either party may end it with thirty days notice [1]. Also see [7] and [1, 9].']);
  const { engine } = await chatEngine({ chatModel: model });
  try {
    const rec = recorder();
    const answer = await engine.chat.ask({ question: 'How can the contract be terminated?' }, { onEvent: rec.onEvent });
    assert.deepEqual(
      rec.events.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]),
      ['start', 'query', 'notice', 'sources', 'text', 'done'],
      'start, query, the keyword-only notice, sources, text deltas, done',
    );
    const sources = rec.events.find((e) => e.type === 'sources')!;
    assert.equal(sources.type === 'sources' && sources.sources[0]!.title, 'Contract');
    assert.equal(answer.content, 'Either party may end it with thirty days notice [1]. Also see and [1].');
    assert.equal(rec.text().trim(), answer.content, 'the streamed text is the stored text');
    assert.equal(answer.status, 'complete');
    assert.equal(answer.modelKey, 'test:scripted');
    const cited = answer.sources.filter((s) => s.cited);
    assert.deepEqual(cited.map((s) => [s.n, s.title]), [[1, 'Contract']]);
    assert.match(cited[0]!.uri, /contract\.md$/);
    assert.match(cited[0]!.snippet, /terminated/);
    const done = rec.events.at(-1)!;
    assert.equal(done.type === 'done' && done.message.id, answer.id);

    // The model was given the grounded system prompt and the question after the fenced sources.
    const call = model.calls[0]!;
    assert.equal(call.messages[0]!.content, GROUNDED_SYSTEM_PROMPT);
    assert.match(call.messages.at(-1)!.content, /<source n="1" title="Contract"[\s\S]*terminated[\s\S]*<\/sources>\n\nQuestion: How can the contract be terminated\?$/);
    assert.equal(call.options.temperature, 0.2);
  } finally {
    await engine.close();
  }
});

test('a document that says "ignore previous instructions" changes nothing but the quoted source block', async () => {
  const model = new ScriptedChatModel(['Trams are yellow [1].', 'The river [1].']);
  const { engine } = await chatEngine({ chatModel: model });
  try {
    const answer = await engine.chat.ask({ question: 'What colour are the Lisbon trams?' });
    await engine.chat.ask({ question: 'Where do we stay in Lisbon in May?' });
    const [tips, holiday] = model.calls;
    assert.equal(tips!.messages[0]!.content, holiday!.messages[0]!.content, 'same system prompt whatever the documents say');
    const user = tips!.messages.at(-1)!.content;
    const injected = user.indexOf(INJECTION);
    assert.ok(injected > 0, 'the injected text is given to the model as data');
    assert.equal(tips!.messages.filter((m) => m.content.includes(INJECTION)).length, 1);
    const open = user.lastIndexOf('<source n=', injected);
    const close = user.indexOf('</source>', injected);
    assert.ok(open >= 0 && close > injected && user.indexOf('</sources>') > close, 'inside one source block');
    // Its fake closing tags are defused, so the block really ends where Cairn ends it.
    assert.equal(user.match(/<\/sources>/g)!.length, 1);
    // One block per source given, numbered 1..n: the document's fake `<source n="9">` opens none.
    assert.deepEqual([...user.matchAll(/<source n="(\d+)"/g)].map((m) => Number(m[1])), answer.sources.map((_, i) => i + 1));
    assert.ok(answer.sources.length > 1);
    assert.match(user, /‹\/source>‹\/sources> ‹source n="9">/);
  } finally {
    await engine.close();
  }
});

test('nothing relevant found: the answer says so and the model is never called', async () => {
  const model = new ScriptedChatModel([]);
  const { engine } = await chatEngine({ chatModel: model });
  try {
    const rec = recorder();
    const answer = await engine.chat.ask({ question: 'What is the capital of Mongolia?' }, { onEvent: rec.onEvent });
    assert.equal(model.calls.length, 0);
    assert.equal(answer.content, NOTHING_FOUND_MESSAGE);
    assert.equal(answer.status, 'complete');
    assert.ok(rec.events.some((e) => e.type === 'notice' && e.code === 'nothing-found'));
    assert.equal(rec.text(), NOTHING_FOUND_MESSAGE);
  } finally {
    await engine.close();
  }
});

test('hits found only by meaning must be similar enough to be passed on', async () => {
  const embedder = new FakeEmbedder(64);
  const model = new ScriptedChatModel(['Yellow [1].']);
  const { engine } = await chatEngine({ chatModel: model, embedder });
  try {
    // Shares no word with any document: vector search still returns neighbours, the cut drops them.
    const none = await engine.chat.ask({ question: 'zeppelin quasar marmalade?' });
    assert.equal(none.content, NOTHING_FOUND_MESSAGE);
    assert.equal(model.calls.length, 0);
    const vector = await engine.search({ query: 'zeppelin quasar marmalade?', mode: 'vector', k: 3 });
    assert.ok(vector.hits.length > 0, 'the vector side did return something');

    const yes = await engine.chat.ask({ question: 'Lisbon trams yellow' });
    assert.ok(yes.sources.some((s) => s.title === 'Lisbon tips' && s.cited));
  } finally {
    await engine.close();
  }
});

test('no chat model: the answer says what is missing, and the sources found are still shown', async () => {
  const { engine } = await chatEngine({ chatModel: null });
  try {
    const rec = recorder();
    const answer = await engine.chat.ask({ question: 'invoice October' }, { onEvent: rec.onEvent });
    assert.equal(answer.status, 'failed');
    assert.equal(answer.content, NO_CHAT_MODEL_MESSAGE);
    assert.match(answer.content, /cairn models pull .*cairn models use/);
    assert.ok(rec.events.some((e) => e.type === 'notice' && e.code === 'no-chat-model'));
    const sources = rec.events.find((e) => e.type === 'sources');
    assert.equal(sources?.type === 'sources' && sources.sources[0]!.title, 'Invoice for October');
    assert.equal(answer.sources[0]!.from, 'Alice Smith <alice@example.com>');
    assert.equal((await engine.search({ query: 'invoice' })).hits.length, 1, 'search works');
  } finally {
    await engine.close();
  }
});

test('lookup: what a question would be answered from, with its notices, and nothing stored', async () => {
  const { engine } = await chatEngine({ chatModel: null });
  try {
    const rec = recorder();
    const sources = await engine.chat.lookup({ question: 'invoice October' }, { onEvent: rec.onEvent });
    assert.deepEqual(sources?.map((s) => [s.n, s.title, s.cited]), [[1, 'Invoice for October', false]]);
    assert.deepEqual(rec.types(), ['query', 'notice', 'sources'], 'the keyword-only notice, and the sources');
    assert.deepEqual(await engine.chat.lookup({ question: 'invoice October', filters: { kinds: ['file'] } }), [], 'filters apply');
    assert.equal(await engine.chat.lookup({ question: 'invoice October', scope: { type: 'none' } }), null, 'plain chat searches nothing');
    assert.deepEqual(engine.chat.listConversations(), [], 'nothing was stored');

    // In a conversation, its own filters apply.
    const conversation = engine.chat.createConversation({ filters: { kinds: ['file'] } });
    assert.deepEqual(await engine.chat.lookup({ question: 'invoice October', conversationId: conversation.id }), []);
    assert.equal(engine.chat.getConversation(conversation.id).messages.length, 0);
  } finally {
    await engine.close();
  }
});

test('follow-ups are rewritten for search, and earlier turns go to the model without old citation numbers', async () => {
  const model = new ScriptedChatModel([
    'Thirty days notice [1].',
    (messages) => (messages[0]!.content.includes('standalone search query') ? 'contract termination notice period' : 'unexpected'),
    'Either party [1].',
  ]);
  const { engine } = await chatEngine({ chatModel: model });
  try {
    const first = await engine.chat.ask({ question: 'How can the contract be terminated?' });
    const rec = recorder();
    const second = await engine.chat.ask({ question: 'and by whom?', conversationId: first.conversationId }, { onEvent: rec.onEvent });
    assert.ok(rec.events.some((e) => e.type === 'query' && e.query === 'contract termination notice period' && e.rewritten));
    assert.equal(second.settings.query, 'contract termination notice period');
    const rewriteCall = model.calls[1]!;
    assert.equal(rewriteCall.options.temperature, 0);
    assert.ok(rewriteCall.options.maxTokens! <= 64);
    const answerCall = model.calls[2]!;
    assert.deepEqual(answerCall.messages.slice(1, 3), [
      { role: 'user', content: 'How can the contract be terminated?' },
      { role: 'assistant', content: 'Thirty days notice.' },
    ]);
    assert.equal(engine.chat.getConversation(first.conversationId).messages.length, 4);
  } finally {
    await engine.close();
  }
});

test('stopping mid-answer keeps the partial answer, marked stopped; regenerate replaces it', async () => {
  const model = new ScriptedChatModel(['one two three four five six seven eight [1]', 'A fresh answer [1].']);
  const { engine } = await chatEngine({ chatModel: model });
  try {
    const controller = new AbortController();
    model.onToken = (n) => {
      if (n === 3) controller.abort();
    };
    const rec = recorder();
    const stopped = await engine.chat.ask({ question: 'contract terminated' }, { signal: controller.signal, onEvent: rec.onEvent });
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.content, 'one two three');
    assert.equal(rec.text(), 'one two three');
    model.onToken = undefined;

    const again = await engine.chat.regenerate(stopped.conversationId);
    assert.equal(again.content, 'A fresh answer [1].');
    const messages = engine.chat.getConversation(stopped.conversationId).messages;
    assert.deepEqual(messages.map((m) => [m.role, m.status, m.content]), [
      ['user', 'complete', 'contract terminated'],
      ['assistant', 'complete', 'A fresh answer [1].'],
    ]);
    assert.equal(engine.library.conversations.message(stopped.id), undefined, 'the stopped answer is gone');
  } finally {
    await engine.close();
  }
});

test('stopping before the model starts stores an empty stopped answer without calling it', async () => {
  const model = new ScriptedChatModel([]);
  const { engine } = await chatEngine({ chatModel: model });
  try {
    const controller = new AbortController();
    controller.abort();
    const answer = await engine.chat.ask({ question: 'contract terminated' }, { signal: controller.signal });
    assert.equal(answer.status, 'stopped');
    assert.equal(answer.content, '');
    assert.equal(model.calls.length, 0);
  } finally {
    await engine.close();
  }
});

test('edit and resend replaces the question, drops the turns after it, and answers again', async () => {
  const model = new ScriptedChatModel(['Notice [1].', 'Lisbon holiday plan', 'Lisbon [1].', 'Trams [1].']);
  const { engine } = await chatEngine({ chatModel: model });
  try {
    const first = await engine.chat.ask({ question: 'contract terminated' });
    await engine.chat.ask({ question: 'holiday Lisbon', conversationId: first.conversationId });
    const question = engine.chat.getConversation(first.conversationId).messages[0]!;
    const answer = await engine.chat.editAndResend(question.id, 'Lisbon trams colour');
    const messages = engine.chat.getConversation(first.conversationId).messages;
    assert.deepEqual(messages.map((m) => m.content), ['Lisbon trams colour', 'Trams [1].']);
    assert.equal(messages[1]!.id, answer.id);
    assert.equal(model.calls.at(-1)!.messages.length, 2, 'no earlier turns: the question was the first');
    assert.match(model.calls.at(-1)!.messages[1]!.content, /Question: Lisbon trams colour$/);
  } finally {
    await engine.close();
  }
});

test("a reasoning model's thinking is streamed and stored apart from the answer", async () => {
  const model = new ScriptedChatModel([{ thought: 'The note says thirty days.', text: 'Thirty days [1].' }]);
  const { engine } = await chatEngine({ chatModel: model });
  try {
    const rec = recorder();
    const answer = await engine.chat.ask({ question: 'contract terminated' }, { onEvent: rec.onEvent });
    assert.equal(answer.thought, 'The note says thirty days.');
    assert.equal(answer.content, 'Thirty days [1].');
    assert.equal(rec.events.filter((e) => e.type === 'thought').map((e) => (e.type === 'thought' ? e.delta : '')).join(''), 'The note says thirty days.');
    assert.ok(!rec.text().includes('note says'));
  } finally {
    await engine.close();
  }
});

test('a model failing mid-answer keeps what it wrote, marked failed, with a notice', async () => {
  const model = new ScriptedChatModel([{ text: 'Thirty days', error: 'connection reset' }]);
  const { engine } = await chatEngine({ chatModel: model });
  try {
    const rec = recorder();
    const answer = await engine.chat.ask({ question: 'contract terminated' }, { onEvent: rec.onEvent });
    assert.equal(answer.status, 'failed');
    assert.equal(answer.content, 'Thirty days');
    assert.ok(rec.events.some((e) => e.type === 'notice' && e.code === 'model-error' && /connection reset/.test(e.message)));
  } finally {
    await engine.close();
  }
});

test('scope: chosen sources only, or none (plain chat without retrieval)', async () => {
  const model = new ScriptedChatModel(['Plain answer.', 'Scoped [1].']);
  const { engine, dir } = await chatEngine({ chatModel: model });
  try {
    const plain = await engine.chat.ask({ question: 'contract terminated', scope: { type: 'none' } });
    assert.equal(plain.content, 'Plain answer.');
    assert.deepEqual(plain.sources, []);
    assert.deepEqual(model.calls[0]!.messages, [
      { role: 'system', content: PLAIN_SYSTEM_PROMPT },
      { role: 'user', content: 'contract terminated' },
    ]);

    // A second source holding a copy of the contract note: a conversation scoped to it finds only that copy.
    const { writeChatCorpus } = await import('./library.ts');
    const other = writeChatCorpus();
    engine.add([other]);
    await engine.index();
    const sourceId = engine.library.sources.list().find((s) => s.uri === other)!.id;
    const scoped = await engine.chat.ask({ question: 'contract terminated', scope: { type: 'sources', sourceIds: [sourceId] } });
    assert.ok(scoped.sources.length > 0);
    for (const s of scoped.sources) assert.ok(s.uri.startsWith(other) && !s.uri.startsWith(dir));
  } finally {
    await engine.close();
  }
});

test('conversations: list, rename, delete; citations survive the document being removed; Markdown export', async () => {
  const model = new ScriptedChatModel(['Pay by Friday [1].', 'Thirty days [1].']);
  const { engine, dir } = await chatEngine({ chatModel: model });
  try {
    const a = await engine.chat.ask({ question: 'When must the October invoice be paid?' });
    const b = await engine.chat.ask({ question: 'contract terminated' });
    assert.deepEqual(engine.chat.listConversations().map((c) => c.id), [b.conversationId, a.conversationId], 'most recent first');
    assert.equal(engine.chat.listConversations()[1]!.title, 'When must the October invoice be paid?');
    assert.equal(engine.chat.renameConversation(a.conversationId, '  Invoices  ').title, 'Invoices');

    engine.remove(dir);
    const kept = engine.chat.getConversation(a.conversationId).messages[1]!;
    assert.equal(kept.sources[0]!.title, 'Invoice for October', 'the snapshot outlives the document');
    assert.equal(engine.library.documents.chunkCount(), 0);

    const markdown = engine.chat.exportMarkdown(a.conversationId);
    assert.match(markdown, /^# Invoices\n/);
    assert.match(markdown, /## Question\n\nWhen must the October invoice be paid\?\n\n## Answer\n\nPay by Friday \[1\]\.\n\n\*\*Sources\*\*\n\n- \[1\] Invoice for October — email from Alice Smith <alice@example\.com>, 2026-11-02\n/);

    engine.chat.deleteConversation(b.conversationId);
    assert.deepEqual(engine.chat.listConversations().map((c) => c.id), [a.conversationId]);
    assert.equal((engine.library.db.prepare('SELECT count(*) AS n FROM message_sources').get() as { n: number }).n, 1);
    assert.throws(() => engine.chat.getConversation(b.conversationId), /No conversation/);
  } finally {
    await engine.close();
  }
});

test('a question too long for the model is answered with a failed message that says so', async () => {
  const model = new ScriptedChatModel([], { contextSize: 300 });
  const { engine } = await chatEngine({ chatModel: model });
  try {
    const rec = recorder();
    const question = `contract terminated ${'very '.repeat(400)}`;
    const answer = await engine.chat.ask({ question }, { onEvent: rec.onEvent });
    assert.equal(answer.status, 'failed');
    assert.match(answer.content, /too long for the chat model's context \(300 tokens/);
    assert.ok(rec.events.some((e) => e.type === 'notice' && e.code === 'too-long'));
    assert.equal(model.calls.length, 0);
  } finally {
    await engine.close();
  }
});
