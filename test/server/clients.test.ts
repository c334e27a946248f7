// Cairn's own OpenAI clients (the remote chat model and the remote embedder, written against
// llama-server, Ollama and OpenAI) talk to the local API as to any of those servers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OpenAiEmbedder } from '../../app/embed/index.ts';
import { RemoteChatModel } from '../../app/llm/index.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { ScriptedChatModel } from '../support/scripted-chat-model.ts';
import { startHarness, TOKEN } from './support.ts';

test("Cairn's remote chat model streams an answer from the local API", async () => {
  const reply = 'The river runs past the old stone cairn and on to the sea.';
  const scripted = new ScriptedChatModel([reply, { text: 'Never', error: 'out of memory' }]);
  const api = await startHarness({ chatModel: scripted });
  try {
    const remote = new RemoteChatModel({ type: 'openai', baseUrl: api.server.baseUrl, model: 'cairn' }, { apiKey: TOKEN });
    const pieces: string[] = [];
    const result = await remote.generate([{ role: 'user', content: 'Where does the river run?' }], { maxTokens: 50, temperature: 0, onText: (p) => pieces.push(p) });
    assert.equal(result.text, reply);
    assert.equal(pieces.join(''), reply);
    assert.ok(pieces.length > 5);
    assert.equal(result.stopReason, 'end');
    assert.deepEqual(scripted.calls[0]!.options, { maxTokens: 50, temperature: 0 });
    // An error in the middle of the stream reaches the client as an error.
    await assert.rejects(remote.generate([{ role: 'user', content: 'again' }]), /out of memory/);
    assert.deepEqual(api.takeErrors().map((e) => (e as Error).message), ['out of memory']);
    // A wrong key is reported as such.
    const stranger = new RemoteChatModel({ type: 'openai', baseUrl: api.server.baseUrl, model: 'cairn' }, { apiKey: 'not-the-token-at-all' });
    await assert.rejects(stranger.generate([{ role: 'user', content: 'hi' }]), /rejected the API key/);
  } finally {
    await api.close();
  }
});

test("Cairn's remote embedder gets the engine embedder's vectors from the local API", async () => {
  const fake = new FakeEmbedder(384);
  const api = await startHarness({ chatModel: null, embedder: fake });
  try {
    const remote = await OpenAiEmbedder.open({ type: 'openai', baseUrl: api.server.baseUrl, model: fake.key }, { apiKey: TOKEN, retryDelaysMs: [] });
    assert.equal(remote.dimensions, 384);
    const texts = ['thirty days notice', 'yellow trams in Lisbon'];
    const vectors = await remote.embed(texts);
    texts.forEach((text, i) => assert.deepEqual(Array.from(vectors[i]!), Array.from(fake.vector(text))));
    await remote.close();
  } finally {
    await api.close();
  }
});
