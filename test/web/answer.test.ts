// Answers with web: true, against the local provider and page server: web sources numbered with
// local ones, cited with title, site and URL, fenced like local text; every failure of the web
// part leaves an answer from the library with one notice; the cache saves the second trip.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ChatEvent, type ChatEvent as ChatEventType } from '../../app/contract/index.ts';
import { describeSource } from '../../app/chat/index.ts';
import type { ChatMessage } from '../../app/llm/chat-model.ts';
import type { EngineOptions } from '../../app/engine.ts';
import type { WebSearchSetting } from '../../app/web/index.ts';
import { chatEngine } from '../chat/library.ts';
import { ScriptedChatModel } from '../support/scripted-chat-model.ts';
import { API_KEY, closedPortUrl, onlyTestServer, startWebServer, WEB_INJECTION, type WebTestServer } from './web-server.ts';

let server: WebTestServer;
before(async () => {
  server = await startWebServer();
});
after(() => server.close());

const QUESTION = 'What colour are the Lisbon trams?';

/** A reply citing the first web source and the first local one, found in the prompt the model was given. */
function citeWebAndLocal(messages: ChatMessage[]): string {
  const user = messages.at(-1)!.content;
  const web = /<source n="(\d+)"[^>]*location="web, /.exec(user)?.[1];
  const local = /<source n="(\d+)"[^>]*location="(?!web, )/.exec(user)?.[1];
  return `Yellow${web ? ` [${web}]` : ''}${local ? ` [${local}]` : ''}.`;
}

async function webEngine(setting: (url: string) => WebSearchSetting, options: Partial<EngineOptions> = {}, replies = 4) {
  const model = new ScriptedChatModel(Array.from({ length: replies }, () => citeWebAndLocal));
  const { engine } = await chatEngine({
    chatModel: model,
    webSecrets: { getSecret: (name) => (name.startsWith('web-search.') ? API_KEY : undefined) },
    ...options,
    web: { deadlineMs: 4_000, fetch: { timeoutMs: 1_000 }, addressPolicy: onlyTestServer, ...options.web },
  });
  engine.web.setProvider(setting(server.url));
  return { engine, model };
}

function recorder() {
  const events: ChatEventType[] = [];
  return {
    events,
    onEvent: (e: ChatEventType) => {
      ChatEvent.parse(e);
      events.push(e);
    },
    notices: (code: string) => events.flatMap((e) => (e.type === 'notice' && e.code === code ? [e.message] : [])),
  };
}

test('web: true adds web sources, numbered in one list with the library, cited by title, site and URL', async () => {
  server.results = ['/article/trams', '/article/funicular', '/file.zip'];
  const { engine, model } = await webEngine((url) => ({ provider: 'searxng', baseUrl: `${url}/searxng` }));
  try {
    const rec = recorder();
    const answer = await engine.chat.ask({ question: QUESTION, web: true }, { onEvent: rec.onEvent });
    assert.equal(answer.status, 'complete');
    assert.deepEqual(rec.notices('web'), [], 'nothing went wrong with the web part');
    assert.deepEqual(answer.sources.map((s) => s.n), answer.sources.map((_, i) => i + 1), 'one list, numbered 1..n');
    const web = answer.sources.filter((s) => s.kind === 'web');
    const local = answer.sources.filter((s) => s.kind !== 'web');
    assert.ok(web.length >= 1 && local.length >= 1, 'both kinds given to the model');
    assert.ok(web.every((s) => s.uri.startsWith(`${server.url}/article/`)), 'only pages that were read (not the zip)');
    const cited = answer.sources.filter((s) => s.cited);
    assert.deepEqual(cited.map((s) => s.kind).sort(), ['file', 'web'], 'the answer cites one of each');
    const citedWeb = cited.find((s) => s.kind === 'web')!;
    assert.equal(citedWeb.title, 'Lisbon trams');
    assert.equal(describeSource(citedWeb), `Lisbon trams — web, 127.0.0.1, ${server.url}/article/trams`);
    assert.deepEqual(answer.settings.web, true);

    const prompt = model.calls[0]!.messages.at(-1)!.content;
    assert.match(prompt, new RegExp(`<source n="\\d+" title="Lisbon trams" location="web, 127\\.0\\.0\\.1, ${server.url}/article/trams">\\n[^<]*painted yellow`));
    // Without web: true nothing leaves the machine.
    const before = server.requests.length;
    const plain = await engine.chat.ask({ question: 'How can the contract be terminated?' });
    assert.ok(plain.sources.every((s) => s.kind !== 'web'));
    assert.equal(server.requests.length, before, 'no request without web: true');

    // Turned on for a conversation, every question in it uses the web (and a single question can opt out).
    const withWeb = await engine.chat.ask({ question: QUESTION, settings: { web: true } });
    assert.ok(withWeb.sources.some((s) => s.kind === 'web'));
    const requests = server.requests.length;
    const followUp = await engine.chat.ask({ question: 'And the funicular?', conversationId: withWeb.conversationId });
    assert.ok(server.requests.length > requests, 'the follow-up searched the web too');
    assert.equal(followUp.settings.web, true);
    const optedOut = server.requests.length;
    await engine.chat.ask({ question: 'And the river?', conversationId: withWeb.conversationId, web: false });
    assert.equal(server.requests.length, optedOut, 'web: false on one question keeps it local');
  } finally {
    await engine.close();
  }
});

test('a page that tries to instruct the model ends up only inside its fenced source block', async () => {
  server.results = ['/injection'];
  const { engine, model } = await webEngine((url) => ({ provider: 'searxng', baseUrl: `${url}/searxng` }));
  try {
    await engine.chat.ask({ question: 'Why are Lisbon trams yellow?', web: true });
    const messages = model.calls[0]!.messages;
    assert.equal(messages.filter((m) => m.content.includes(WEB_INJECTION)).length, 1, 'only in the user turn');
    assert.doesNotMatch(messages[0]!.content, /IGNORE ALL/);
    const user = messages.at(-1)!.content;
    const at = user.indexOf(WEB_INJECTION);
    assert.ok(at > 0);
    const open = user.lastIndexOf('<source n=', at);
    assert.match(user.slice(open, at), /^<source n="\d+" title="Tram colours explained" location="web, /);
    assert.ok(user.indexOf('</source>', at) > at);
    assert.equal(user.match(/<\/sources>/g)!.length, 1, 'its fake closing tags are defused');
    assert.match(user, /‹\/source>‹\/sources> ‹source n="99">/);
    assert.ok(user.indexOf('</sources>') < user.indexOf(`Question: Why are Lisbon trams yellow?`));
  } finally {
    await engine.close();
  }
});

for (const { name, setting, status, expect } of [
  { name: 'the provider cannot be reached (closed port)', setting: async () => ({ provider: 'searxng' as const, baseUrl: await closedPortUrl() }), status: null, expect: /SearXNG cannot be reached/ },
  { name: 'a bad key (401)', setting: async (url: string) => ({ provider: 'brave' as const, baseUrl: `${url}/brave` }), status: 401, expect: /Brave Search refused the API key \(HTTP 401\)/ },
  { name: 'a rate limit (429)', setting: async (url: string) => ({ provider: 'tavily' as const, baseUrl: `${url}/tavily` }), status: 429, expect: /Tavily is rate-limiting requests \(HTTP 429\)/ },
  { name: 'a provider error (502)', setting: async (url: string) => ({ provider: 'duckduckgo' as const, baseUrl: `${url}/ddg` }), status: 502, expect: /DuckDuckGo answered HTTP 502/ },
]) {
  test(`${name}: the answer comes from the library, with one notice about the web part`, async () => {
    server.results = ['/article/trams'];
    const resolved = await setting(server.url);
    const { engine, model } = await webEngine(() => resolved);
    server.providerStatus = status;
    try {
      const rec = recorder();
      const answer = await engine.chat.ask({ question: QUESTION, web: true }, { onEvent: rec.onEvent });
      assert.equal(answer.status, 'complete');
      assert.equal(answer.content, `Yellow [${answer.sources.find((s) => s.cited)!.n}].`);
      assert.ok(answer.sources.length > 0 && answer.sources.every((s) => s.kind !== 'web'), 'library sources only');
      const notices = rec.notices('web');
      assert.equal(notices.length, 1);
      assert.match(notices[0]!, expect);
      assert.match(notices[0]!, /Answered from your library only\.$/);
      assert.equal(model.calls.length, 1);
    } finally {
      server.providerStatus = null;
      await engine.close();
    }
  });
}

test('a provider slower than the deadline: the answer still comes, from the library, soon after the deadline', async () => {
  server.results = ['/article/trams'];
  server.providerDelayMs = 5_000;
  const { engine } = await webEngine((url) => ({ provider: 'searxng', baseUrl: `${url}/searxng` }), { web: { deadlineMs: 400 } });
  try {
    const rec = recorder();
    const started = Date.now();
    const answer = await engine.chat.ask({ question: QUESTION, web: true }, { onEvent: rec.onEvent });
    assert.ok(Date.now() - started < 4_000, 'did not wait for the provider');
    assert.equal(answer.status, 'complete');
    assert.ok(answer.sources.every((s) => s.kind !== 'web'));
    assert.match(rec.notices('web').join('\n'), /SearXNG did not answer within 0\.4 s/);
  } finally {
    server.providerDelayMs = 0;
    await engine.close();
  }
});

test('no provider set: web: true says how to set one up and answers from the library', async () => {
  const model = new ScriptedChatModel([citeWebAndLocal]);
  const { engine } = await chatEngine({ chatModel: model });
  try {
    const rec = recorder();
    const answer = await engine.chat.ask({ question: QUESTION, web: true }, { onEvent: rec.onEvent });
    assert.equal(answer.status, 'complete');
    assert.match(rec.notices('web')[0]!, /not set up .*cairn web set/);
  } finally {
    await engine.close();
  }
});

test('plain chat (no library) with web: true says the web is not used there and asks nothing', async () => {
  const { engine } = await webEngine((url) => ({ provider: 'searxng', baseUrl: `${url}/searxng` }), {}, 1);
  try {
    const before = server.requests.length;
    const rec = recorder();
    await engine.chat.ask({ question: QUESTION, web: true, scope: { type: 'none' } }, { onEvent: rec.onEvent });
    assert.match(rec.notices('web')[0]!, /not used in plain chat/);
    assert.equal(server.requests.length, before);
  } finally {
    await engine.close();
  }
});

test('the second identical question makes no request: search results and pages come from the cache', async () => {
  server.results = ['/article/trams', '/article/funicular'];
  const { engine } = await webEngine((url) => ({ provider: 'searxng', baseUrl: `${url}/searxng` }));
  try {
    const before = server.requests.length;
    const first = await engine.chat.ask({ question: 'Which Lisbon funicular opened in 1892?', web: true });
    const afterFirst = server.requests.length;
    assert.equal(afterFirst - before, 3, 'one search and two pages');
    const second = await engine.chat.ask({ question: 'Which Lisbon funicular opened in 1892?', web: true });
    assert.equal(server.requests.length, afterFirst, 'nothing asked of the servers the second time');
    const webOf = (m: typeof first) => m.sources.filter((s) => s.kind === 'web').map((s) => [s.uri, s.snippet]);
    assert.ok(webOf(first).length > 0);
    assert.deepEqual(webOf(second), webOf(first));
    assert.deepEqual(engine.library.webCache.counts(), { searches: 1, pages: 2 });
  } finally {
    await engine.close();
  }
});
