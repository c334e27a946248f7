// The contract over a real worker_threads MessageChannel: every kind of method (library,
// documents, sources, mail, search, conversations, answers, models, settings), the events they
// cause, and malformed messages refused with a clear error while the engine keeps serving.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import type { AnswerEvent, EngineEvent, SourceStatus } from '../../app/contract/index.ts';
import { CairnError } from '../../app/contract/index.ts';
import { ModelManager } from '../../app/llm/index.ts';
import { LocalApiSwitch, nodePortChannel, serveChannel } from '../../app/service/index.ts';
import { MemorySecretStore } from '../../app/sources/index.ts';
import { writeChatCorpus } from '../chat/library.ts';
import { startFileServer } from '../llm/file-server.ts';
import { HeldModel } from '../server/support.ts';
import { tempDir } from '../support/corpus.ts';
import { modelsDir } from '../support/shared.ts';
import { startEmbeddingServer } from '../support/embedding-server.ts';
import { ScriptedChatModel } from '../support/scripted-chat-model.ts';
import { connectService, indexingDone, type Connected } from './support.ts';

const answerOf = (questionId: number) => (e: EngineEvent): e is AnswerEvent => e.type === 'answer' && e.questionId === questionId;
const answerDone = (questionId: number) => (e: EngineEvent) => e.type === 'answer' && e.questionId === questionId && (e.event.type === 'done' || e.event.type === 'failed');

async function rejects(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CairnError, `a CairnError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('the contract over a MessageChannel', { timeout: 120_000 }, () => {
  let c: Connected;
  let corpus: string;
  const chat = new ScriptedChatModel(Array.from({ length: 8 }, () => 'The contract ends with thirty days notice [1].'));
  const secrets = new MemorySecretStore();

  before(async () => {
    corpus = writeChatCorpus();
    writeFileSync(join(corpus, 'notes', 'empty.md'), '');
    c = await connectService({
      dbPath: join(tempDir(), 'library.db'), embedder: null, chatModel: chat, secrets, models: new ModelManager({ dir: tempDir() }),
    });
  });
  after(() => c.close());

  test('library: add indexes in the background with progress events; status, search', async () => {
    const { api } = c.client;
    const info = await api.engine.info();
    assert.equal(info.pid, process.pid);
    const added = await api.library.add({ paths: [corpus, join(corpus, 'nope.md')] });
    assert.deepEqual(added, { queued: [corpus], missing: [join(corpus, 'nope.md')] });
    await c.log.waitFor(indexingDone);
    const status = await api.library.status();
    assert.equal(status.documents.indexed, 12);
    assert.equal(status.pendingJobs, 0);
    const found = await api.search.query({ query: 'terminated thirty days', k: 3 });
    assert.equal(found.hits[0]?.title, 'Contract');
    assert.equal(found.mode, 'bm25');

    // A single file added and removed again; library.index with nothing queued just runs.
    const extra = join(tempDir(), 'extra.md');
    writeFileSync(extra, '# Extra\n\nA note about kayaks.\n');
    await api.library.add({ paths: [extra] });
    await c.log.next(indexingDone);
    assert.equal((await api.search.query({ query: 'kayaks', k: 1 })).hits.length, 1);
    assert.deepEqual(await api.library.remove({ path: extra }), { removed: 1 });
    assert.equal((await api.search.query({ query: 'kayaks', k: 1 })).hits.length, 0);
    assert.equal(typeof (await api.library.index()).started, 'boolean');
  });

  test('documents: pages with sorting and filters, detail with chunks, problems paged, re-index one', async () => {
    const { api } = c.client;
    const all = await api.documents.list({ sort: 'title', order: 'asc', limit: 5 });
    assert.equal(all.total, 13);
    assert.equal(all.items.length, 5);
    const second = await api.documents.list({ sort: 'title', order: 'asc', limit: 5, offset: 5 });
    assert.equal(new Set([...all.items, ...second.items].map((d) => d.id)).size, 10, 'pages do not overlap');
    const titles = all.items.map((d) => d.title);
    assert.deepEqual(titles, [...titles].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
    const emails = await api.documents.list({ kind: 'email' });
    assert.deepEqual(emails.items.map((d) => d.title), ['Invoice for October']);
    const lisbon = await api.documents.list({ text: 'TIPS' });
    assert.deepEqual(lisbon.items.map((d) => d.title), ['Lisbon tips']);
    const skipped = await api.documents.list({ status: 'skipped' });
    assert.equal(skipped.total, 1);

    const contract = (await api.documents.list({ text: 'contract.md' })).items[0]!;
    const detail = await api.documents.get({ id: contract.id });
    assert.equal(detail.chunkList.length, detail.chunksTotal);
    assert.match(detail.chunkList[0]!.text, /thirty days notice/);
    assert.deepEqual(detail.chunkList[0]!.headingPath, ['Contract']);
    await rejects(api.documents.get({ id: 999_999 }), 'not-found');

    const problems = await api.documents.problems({ limit: 1 });
    assert.equal(problems.total, 1);
    assert.match(problems.items[0]!.uri, /empty\.md$/);

    writeFileSync(join(corpus, 'notes', 'contract.md'), '# Contract\n\nThe contract may be ended with ninety days notice.\n');
    assert.deepEqual(await api.documents.reindex({ id: contract.id }), { queued: true });
    await c.log.next(indexingDone);
    const again = await api.search.query({ query: 'ninety', k: 1 });
    assert.equal(again.hits[0]?.documentId, contract.id, 'the same document, read again');
  });

  test('sources: a folder is added, paused, resumed and removed, each change pushed as a sources event', async () => {
    const { api } = c.client;
    const dir = join(tempDir(), 'watched');
    mkdirSync(dir);
    writeFileSync(join(dir, 'plan.md'), '# Plan\n\nThe garden needs tomatoes and basil.\n');
    const folder = await api.folders.add({ path: dir, exclude: ['*.tmp'] });
    assert.equal(folder.kind, 'folder');
    assert.deepEqual(folder.exclude, ['*.tmp']);
    const withFolder = (e: EngineEvent) => e.type === 'sources' && e.sources.some((s) => s.id === folder.id && s.documents === 1);
    await c.log.waitFor(withFolder);
    const paused = await api.sources.pause({ sourceId: folder.id });
    assert.equal(paused.state.state, 'paused');
    await c.log.waitFor((e) => e.type === 'sources' && e.sources.some((s: SourceStatus) => s.id === folder.id && s.state.state === 'paused'));
    assert.equal((await api.sources.list()).find((s) => s.id === folder.id)?.state.state, 'paused');
    const resumed = await api.sources.resume({ sourceId: folder.id });
    assert.notEqual(resumed.state.state, 'paused');
    assert.deepEqual(await api.folders.remove({ sourceId: folder.id }), { removed: 1 });
    assert.ok(!(await api.sources.list()).some((s) => s.id === folder.id));
    await rejects(api.sources.pause({ sourceId: folder.id }), 'source-not-found');
  });

  test('mail: the connection is tested first and a refusal says why; nothing is saved', async () => {
    const { api } = c.client;
    await rejects(api.mail.test({ host: '127.0.0.1', port: 1, security: 'plain', user: 'u', secret: 'p' }), 'mail-refused');
    await rejects(api.mail.add({ host: 'mail.example', security: 'plain', user: 'u', secret: 'p' }), 'mail-plain-refused');
    assert.deepEqual(await api.mail.list(), []);
    assert.deepEqual(await api.mail.sync(), { started: false });
    await rejects(api.mail.remove({ sourceId: 4242 }), 'mail-unknown-account');
  });

  test('answers: ask returns ids at once, the answer streams as events keyed by them, and is stored', async () => {
    const { api } = c.client;
    const started = await api.chat.ask({ question: 'How can the contract be ended?' });
    const done = await c.log.waitFor(answerDone(started.questionId));
    const stream = c.log.events.filter(answerOf(started.questionId)).map((e) => e.event);
    const kinds = stream.map((e) => e.type).filter((t, i, a) => a.indexOf(t) === i && t !== 'notice');
    assert.deepEqual(kinds, ['start', 'query', 'sources', 'text', 'done']);
    const text = stream.flatMap((e) => (e.type === 'text' ? [e.delta] : [])).join('');
    assert.equal(text, 'The contract ends with thirty days notice [1].');
    assert.ok(done.type === 'answer' && done.event.type === 'done' && done.event.message.status === 'complete');

    const conversation = await api.conversations.get({ id: started.conversationId });
    assert.equal(conversation.messages.length, 2);
    assert.equal(conversation.messages[1]!.sources.find((s) => s.cited)?.title, 'Contract');

    // Regenerate and edit-and-resend answer again in the same conversation.
    const regenerated = await api.chat.regenerate({ conversationId: started.conversationId });
    assert.equal(regenerated.questionId, started.questionId);
    await c.log.next(answerDone(started.questionId));
    const edited = await api.chat.edit({ messageId: started.questionId, question: 'When does the contract end?' });
    await c.log.next(answerDone(edited.questionId));
    const after = await api.conversations.get({ id: started.conversationId });
    assert.equal(after.messages.length, 2);
    assert.equal(after.messages[0]!.content, 'When does the contract end?');
    await rejects(api.chat.ask({ question: '   ' }), 'bad-params');
  });

  test('conversations: list, create, rename, update, export, delete', async () => {
    const { api } = c.client;
    const created = await api.conversations.create({ title: 'Trips', scope: { type: 'all' } });
    const renamed = await api.conversations.rename({ id: created.id, title: 'Summer trips' });
    assert.equal(renamed.title, 'Summer trips');
    const updated = await api.conversations.update({ id: created.id, settings: { web: true, k: 4 } });
    assert.deepEqual(updated.settings, { web: true, k: 4 });
    // What it searches changes too (the chat view's scope picker), and only what was sent.
    const narrowed = await api.conversations.update({ id: created.id, scope: { type: 'none' } });
    assert.deepEqual(narrowed.scope, { type: 'none' });
    assert.deepEqual(narrowed.settings, { web: true, k: 4 });
    assert.deepEqual((await api.conversations.update({ id: created.id, scope: { type: 'sources', sourceIds: [1] } })).scope, { type: 'sources', sourceIds: [1] });
    assert.ok((await api.conversations.list()).some((x) => x.id === created.id));
    const exported = await api.conversations.export({ id: created.id });
    assert.equal(exported.fileName, 'Summer trips.md');
    assert.match(exported.markdown, /^# Summer trips/);
    assert.deepEqual(await api.conversations.delete({ id: created.id }), { deleted: true });
    await rejects(api.conversations.get({ id: created.id }), 'not-found');
  });

  test('settings: read, change (answering defaults apply to the next question), web provider and key, API token', async () => {
    const { api } = c.client;
    const initial = await api.settings.get();
    assert.equal(initial.retrieval.k, 8);
    assert.equal(initial.localApi.enabled, false);
    assert.equal(initial.web.provider, null);
    const changed = await api.settings.update({ retrieval: { k: 3 }, interface: { theme: 'dark' }, web: { provider: 'searxng', baseUrl: 'http://127.0.0.1:8888' } });
    assert.equal(changed.retrieval.k, 3);
    assert.equal(changed.retrieval.minSimilarity, initial.retrieval.minSimilarity);
    assert.equal(changed.interface.theme, 'dark');
    assert.deepEqual(changed.web, { provider: 'searxng', baseUrl: 'http://127.0.0.1:8888' });
    assert.equal(c.service.host.engine.chatDefaults().k, 3, 'the chat service reads it at the next question');
    await rejects(api.settings.update({ retrieval: { k: 0 } }), 'bad-params', /retrieval\.k/);
    assert.deepEqual(await api.settings.setWebKey({ provider: 'brave', key: 'secret-key' }), { storedIn: secrets.description });
    assert.equal(await secrets.get('web-search.brave'), 'secret-key');
    const token = await api.settings.newApiToken();
    assert.notEqual(token.apiToken, initial.apiToken);
    assert.equal((await api.settings.get()).apiToken, token.apiToken, 'kept');
    assert.equal((await api.settings.update({ web: null })).web.provider, null);
  });

  test('the local API runs while its setting is on, with the current token', async () => {
    const { api } = c.client;
    const errors: unknown[] = [];
    const localApi = new LocalApiSwitch(c.service, (error) => errors.push(error));
    const stop = c.service.host.onSettingsChanged(() => void localApi.apply());
    try {
      await localApi.apply();
      assert.equal(localApi.baseUrl, null, 'off by default');
      const on = await api.settings.update({ localApi: { enabled: true, port: 0 } });
      await localApi.apply();
      assert.ok(localApi.baseUrl);
      const models = await fetch(`${localApi.baseUrl}/models`, { headers: { authorization: `Bearer ${on.apiToken}` } });
      assert.equal(models.status, 200);
      const renewed = await api.settings.newApiToken();
      await localApi.apply();
      assert.equal((await fetch(`${localApi.baseUrl}/models`, { headers: { authorization: `Bearer ${on.apiToken}` } })).status, 401, 'the old token no longer works');
      assert.equal((await fetch(`${localApi.baseUrl}/models`, { headers: { authorization: `Bearer ${renewed.apiToken}` } })).status, 200);
      await api.settings.update({ localApi: { enabled: false } });
      await localApi.apply();
      assert.equal(localApi.baseUrl, null);
      assert.deepEqual(errors, []);
    } finally {
      stop();
      await localApi.close();
    }
  });

  test('models: list, choose a chat server, pull with a failure event, choose an embedding server and re-embed in the background', async () => {
    const { api } = c.client;
    const state = await api.models.list();
    assert.deepEqual(state.models, []);
    assert.equal(state.chat, null);
    const chosen = await api.models.useChat({ type: 'server', baseUrl: 'http://127.0.0.1:9/v1', model: 'llama' });
    assert.deepEqual(chosen.chat, { type: 'server', name: 'llama', location: 'http://127.0.0.1:9/v1' });
    await rejects(api.models.useChat({ type: 'file', model: 'qwen3-4b' }), 'model-not-found', /not downloaded yet/);
    await rejects(api.models.pull({ model: 'not-a-model' }), 'model-unknown');

    const files = await startFileServer({ '/broken.gguf': Buffer.from('this is not a GGUF file at all') });
    try {
      const { file } = await api.models.pull({ model: files.url('/broken.gguf') });
      assert.equal(file, 'broken.gguf');
      const ended = await c.log.waitFor((e) => e.type === 'model-pull' && e.file === 'broken.gguf');
      assert.ok(ended.type === 'model-pull' && ended.outcome === 'failed' && ended.error?.code === 'download-not-gguf', JSON.stringify(ended));
      assert.ok(c.log.events.some((e) => e.type === 'model-download' && e.file === 'broken.gguf'), 'progress came as events');
      assert.deepEqual(await api.models.cancelPull({ file: 'broken.gguf' }), { cancelled: false });
    } finally {
      await files.close();
    }

    const gguf = join(modelsDir, 'stories260K.gguf');
    if (existsSync(gguf)) {
      const imported = await api.models.import({ path: gguf });
      assert.equal(imported.status, 'ready');
      assert.deepEqual((await api.models.list()).models.map((m) => m.name), ['stories260K.gguf']);
      assert.equal((await api.models.useChat({ type: 'file', model: 'stories260K.gguf' })).chat?.name, 'stories260K.gguf');
      assert.equal((await api.models.remove({ name: 'stories260K.gguf' })).removed.length, 1);
    } else if (process.env.CI) {
      throw new Error(`MISSING TEST DATA: ${gguf}`);
    }
    const catalog = await api.models.catalog();
    assert.ok(catalog.models.some((m) => m.id === catalog.recommendation.embedding.id));
    assert.equal(catalog.hardware.cpuCores, (await api.models.hardware()).cpuCores);

    const server = await startEmbeddingServer();
    try {
      const switched = await api.models.useEmbedding({ type: 'server', baseUrl: server.baseUrl, model: 'bag-64' });
      assert.equal(switched.embedding?.name, 'bag-64');
      const progress = await c.log.waitFor((e) => e.type === 'reembed-progress' && e.done === e.total);
      assert.ok(progress.type === 'reembed-progress' && progress.total > 0);
      // The run that re-embedded ends with its own progress event: it may have come already.
      await c.log.after(c.log.events.indexOf(progress), indexingDone);
      const found = await api.search.query({ query: 'terminated thirty days', k: 3 });
      assert.equal(found.mode, 'hybrid');
      assert.equal((await api.models.useEmbedding({ type: 'none' })).embedding, null);
    } finally {
      await server.close();
    }
  });

  test('malformed messages are refused with a clear error, and the engine keeps serving', async () => {
    const { port1, port2 } = new MessageChannel();
    const stop = serveChannel(nodePortChannel(port2), c.service);
    const replies: unknown[] = [];
    port1.on('message', (m: { type: string }) => {
      if (m.type === 'response') replies.push(m);
    });
    const reply = (n: number) => new Promise<void>((resolve) => {
      const check = () => (replies.length >= n ? resolve() : setImmediate(check));
      check();
    });
    port1.postMessage('hello');
    port1.postMessage({ type: 'request', id: 7, method: 'library.explode', params: {} });
    port1.postMessage({ type: 'request', id: 8, method: 'library.add', params: { paths: 'not a list' } });
    port1.postMessage({ type: 'request', id: 9, method: 'engine.info' });
    await reply(4);
    const byId = (id: number | null) => replies.find((r) => (r as { id: number | null }).id === id) as { error?: { code: string; message: string }; result?: unknown };
    assert.equal(byId(null).error?.code, 'bad-message');
    assert.match(byId(null).error!.message, /Not a Cairn request/);
    assert.equal(byId(7).error?.code, 'unknown-method');
    assert.equal(byId(8).error?.code, 'bad-params');
    assert.match(byId(8).error!.message, /paths/);
    assert.equal((byId(9).result as { pid: number }).pid, process.pid);
    stop();
    port1.close();
    assert.deepEqual(c.problems, []);
  });

  test('stop: a held answer stops at once and is stored as stopped; a second question meanwhile is refused', async () => {
    const held = new HeldModel(['Thirty', ' days'], [' and more']);
    const other = await connectService({ dbPath: join(tempDir(), 'library.db'), embedder: null, chatModel: held, models: new ModelManager({ dir: tempDir() }) });
    try {
      const { api } = other.client;
      await api.library.add({ paths: [writeChatCorpus()] });
      await other.log.waitFor(indexingDone);
      const started = await api.chat.ask({ question: 'How can the contract be ended?' });
      await held.reached('start 1');
      await rejects(api.chat.ask({ question: 'And then?', conversationId: started.conversationId }), 'answer-in-progress');
      assert.deepEqual(await api.chat.stop({ conversationId: started.conversationId }), { stopped: true });
      const done = await other.log.waitFor(answerDone(started.questionId));
      assert.ok(done.type === 'answer' && done.event.type === 'done' && done.event.message.status === 'stopped');
      assert.equal(done.event.message.content, 'Thirty days');
      assert.deepEqual(await api.chat.stop({ conversationId: started.conversationId }), { stopped: false });
    } finally {
      held.release();
      await other.close();
    }
  });
});
