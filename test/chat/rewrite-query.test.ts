import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptRewrite, fallbackQuery, keyTerms, REWRITE_SYSTEM_PROMPT, rewriteQuery } from '../../app/chat/index.ts';
import { ScriptedChatModel } from '../support/scripted-chat-model.ts';

const turns = [{ question: 'What did the lease say about pets?', answer: 'Cats are allowed [1].' }];

test('the first turn searches with the question as is, without asking the model', async () => {
  const model = new ScriptedChatModel([]);
  assert.deepEqual(await rewriteQuery(model, [], 'What did the lease say about pets?'), { query: 'What did the lease say about pets?', rewritten: false });
  assert.equal(model.calls.length, 0);
});

test('a follow-up is rewritten by the model: short prompt, temperature 0, few tokens', async () => {
  const model = new ScriptedChatModel(['Query: "lease rules for dogs"\n']);
  assert.deepEqual(await rewriteQuery(model, turns, 'and dogs?'), { query: 'lease rules for dogs', rewritten: true });
  const call = model.calls[0]!;
  assert.equal(call.options.temperature, 0);
  assert.ok(call.options.maxTokens! <= 64);
  assert.equal(call.messages[0]!.content, REWRITE_SYSTEM_PROMPT);
  assert.match(call.messages[1]!.content, /User: What did the lease say about pets\?\nAssistant: Cats are allowed \[1\]\.\n\nFollow-up question: and dogs\?/);
});

test('empty, garbage or rambling output falls back to the question plus the previous key terms', async () => {
  const fallback = { query: 'and dogs? lease say about pets', rewritten: false };
  assert.equal(fallbackQuery('and dogs?', 'What did the lease say about pets?'), fallback.query);
  const outputs = [
    '',
    '   \n',
    '{{{ ### *** ]]] ;;; ===',
    'Once upon a time there was a little girl named Lily who loved to play outside in the park with her big red ball every day',
    'x'.repeat(300),
  ];
  for (const output of outputs) {
    assert.deepEqual(await rewriteQuery(new ScriptedChatModel([output]), turns, 'and dogs?'), fallback, JSON.stringify(output));
  }
  // Cut off by the token limit: rambling, not a query.
  const long = new ScriptedChatModel([Array.from({ length: 80 }, (_, i) => `w${i}`).join(' ')]);
  assert.deepEqual(await rewriteQuery(long, turns, 'and dogs?'), fallback);
  // A failing model, or none, also falls back.
  assert.deepEqual(await rewriteQuery(new ScriptedChatModel([]), turns, 'and dogs?'), fallback);
  assert.deepEqual(await rewriteQuery(null, turns, 'and dogs?'), fallback);
});

test('aborting while rewriting rejects instead of falling back', async () => {
  const controller = new AbortController();
  const model = new ScriptedChatModel(['lease dogs rules']);
  model.onToken = () => controller.abort();
  await assert.rejects(rewriteQuery(model, turns, 'and dogs?', controller.signal), (e: unknown) => controller.signal.aborted && e === controller.signal.reason);
});

test('key terms are the words keyword search uses, without stop words', () => {
  assert.deepEqual(keyTerms('What did the lease say about pets?'), ['lease', 'say', 'about', 'pets']);
  assert.deepEqual(keyTerms('what is it?'), ['what', 'is', 'it'], 'only stop words: kept, as search keeps them');
  assert.equal(acceptRewrite('—— … !!'), null, 'nothing searchable');
  assert.equal(acceptRewrite('Standalone search query: pets in the lease'), 'pets in the lease');
});
