// The chat pipeline with a real model (node-llama-cpp running the tiny TinyStories model, opened
// from the library's 'chat-model' setting as the product does). The model cannot answer
// questions; these tests are about streaming, stopping and persistence, not answer quality.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ChatEvent } from '../../app/contract/index.ts';
import { Engine } from '../../app/engine.ts';
import { modelsDir, requireShared } from '../support/shared.ts';
import { chatEngine } from './library.ts';

async function engineWithTinyModel(t: TestContext) {
  const modelPath = requireShared(t, join(modelsDir, 'stories260K.gguf'));
  if (!modelPath) return null;
  const opened = await chatEngine();
  opened.engine.library.settings.set('chat-model', { type: 'gguf', modelPath, threads: 1, gpu: false });
  return opened;
}

const texts = (events: ChatEvent[]) => events.flatMap((e) => (e.type === 'text' ? [e.delta] : []));

test('a real model streams its answer piece by piece, and the stored answer is what was streamed', async (t) => {
  const opened = await engineWithTinyModel(t);
  if (!opened) return;
  const { engine } = opened;
  try {
    const events: ChatEvent[] = [];
    const answer = await engine.chat.ask({ question: 'How can the contract be terminated?', settings: { maxAnswerTokens: 64 } }, { onEvent: (e) => events.push(e) });
    assert.equal(answer.status, 'complete');
    assert.equal(answer.modelKey, 'gguf:stories260K.gguf');
    assert.ok(texts(events).length > 3, `streamed in pieces (${texts(events).length})`);
    assert.equal(texts(events).join('').trimEnd(), answer.content);
    assert.ok(answer.content.length > 0);
    assert.ok(answer.settings.tokens as number <= 64, 'the answer budget holds');
    assert.equal(answer.sources[0]!.title, 'Contract');
  } finally {
    await engine.close();
  }
});

test('stopping a real model mid-stream keeps the partial answer, marked stopped', async (t) => {
  const opened = await engineWithTinyModel(t);
  if (!opened) return;
  const { engine } = opened;
  try {
    const controller = new AbortController();
    const events: ChatEvent[] = [];
    const answer = await engine.chat.ask(
      { question: 'How can the contract be terminated?' },
      {
        signal: controller.signal,
        onEvent: (e) => {
          events.push(e);
          if (texts(events).length === 5) controller.abort();
        },
      },
    );
    assert.equal(answer.status, 'stopped');
    const streamed = texts(events).join('');
    assert.ok(answer.content.length > 0, 'the partial answer is kept');
    assert.ok(streamed.startsWith(answer.content), 'it is what was streamed before the stop');
    assert.ok((answer.settings.tokens as number) < 40, `stopped early (${String(answer.settings.tokens)} tokens)`);
    assert.equal(engine.chat.getConversation(answer.conversationId).messages[1]!.status, 'stopped');
  } finally {
    await engine.close();
  }
});

test('a conversation survives closing and reopening the engine, and goes on after it', async (t) => {
  const opened = await engineWithTinyModel(t);
  if (!opened) return;
  const { dbPath } = opened;
  let engine = opened.engine;
  let conversationId: number;
  let before: string;
  try {
    const first = await engine.chat.ask({ question: 'Where do we fly in May?', settings: { maxAnswerTokens: 32 } });
    conversationId = first.conversationId;
    before = JSON.stringify(engine.chat.getConversation(conversationId));
  } finally {
    await engine.close();
  }
  engine = await Engine.open({ dbPath, embedder: null });
  try {
    assert.equal(JSON.stringify(engine.chat.getConversation(conversationId)), before, 'everything stored, as it was');
    const events: ChatEvent[] = [];
    const next = await engine.chat.ask({ question: 'And the river?', conversationId }, { onEvent: (e) => events.push(e) });
    assert.equal(next.status, 'complete');
    assert.ok(events.some((e) => e.type === 'query'));
    const conversation = engine.chat.getConversation(conversationId);
    assert.deepEqual(conversation.messages.map((m) => m.role), ['user', 'assistant', 'user', 'assistant']);
    assert.equal(conversation.settings.maxAnswerTokens, 32, 'the conversation keeps its settings');
  } finally {
    await engine.close();
  }
});
