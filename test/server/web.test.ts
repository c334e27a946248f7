// Web mode over real HTTP: the one-time login link and its cookie, the bearer token for scripts,
// requests from other sites or to other host names refused, the contract as POST /api/<method>,
// and the event stream resuming after a reconnect with Last-Event-ID (or saying it cannot).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EngineEvent } from '../../app/contract/index.ts';
import { ModelManager } from '../../app/llm/index.ts';
import { CONTENT_SECURITY_POLICY, EventJournal, startWebServer, type WebServer } from '../../app/server/index.ts';
import { Service } from '../../app/service/index.ts';
import { writeChatCorpus } from '../chat/library.ts';
import { tempDir } from '../support/corpus.ts';

const API_TOKEN = 'web-test-token-0123456789';

/** A raw request, so that Host and Origin can be anything (fetch does not let a script set Host). */
function raw(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/** An SSE connection read message by message. */
async function openEvents(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const next = async (): Promise<SseMessage> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n');
        const field = (name: string) => lines.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2));
        const data = field('data').join('\n');
        if (!data) continue; // retry: and keep-alive comments
        return { id: field('id')[0] ?? null, event: field('event')[0] ?? 'message', data };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += value;
    }
  };
  return { next, close: () => controller.abort() };
}

describe('web mode', { timeout: 120_000 }, () => {
  let service: Service;
  let server: WebServer;
  let base: string;
  let cookie: string;
  let openAiApi = false;

  before(async () => {
    const rendererDir = join(tempDir(), 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Cairn</title><script type="module" src="./assets/app.js"></script>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("cairn")');
    service = await Service.open({ dbPath: join(tempDir(), 'library.db'), embedder: null, chatModel: null, live: false, models: new ModelManager({ dir: tempDir() }) });
    server = await startWebServer({ service, rendererDir, apiToken: () => API_TOKEN, openAiApi: () => openAiApi, port: 0, journal: new EventJournal(8) });
    base = server.origin;
  });
  after(async () => {
    await server.close();
    await service.close();
  });

  test('the printed address signs a browser in once, with an HttpOnly SameSite=Strict cookie, and serves the page under a strict CSP', async () => {
    const login = server.loginUrl();
    assert.match(login, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    const signedOut = await raw(`${base}/`);
    assert.equal(signedOut.status, 401);
    assert.match(signedOut.body, /Open the address/);

    const first = await raw(login);
    assert.equal(first.status, 303);
    assert.equal(first.headers.location, '/');
    const setCookie = String(first.headers['set-cookie']);
    assert.match(setCookie, /^cairn_session=[\w-]+; HttpOnly; SameSite=Strict; Path=\//);
    cookie = setCookie.split(';')[0]!;

    const again = await raw(login);
    assert.equal(again.status, 401, 'the link works once');
    assert.equal(again.headers['set-cookie'], undefined);

    const page = await raw(`${base}/`, { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.match(CONTENT_SECURITY_POLICY, /script-src 'self'/);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval/);
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.match(page.body, /<title>Cairn<\/title>/);
    const asset = await raw(`${base}/assets/app.js`, { headers: { cookie } });
    assert.equal(asset.status, 200);
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    assert.equal((await raw(`${base}/assets/app.js`)).status, 401, 'assets need the cookie too');
    assert.equal((await raw(`${base}/assets/..%2F..%2Fpackage.json`, { headers: { cookie } })).status, 404);
  });

  test('the contract as POST /api/<method>: with the cookie or the bearer token, errors as {error}', async () => {
    const post = (method: string, body: unknown, headers: Record<string, string>) =>
      raw(`${base}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const withCookie = await post('library.status', {}, { cookie });
    assert.equal(withCookie.status, 200);
    assert.equal((JSON.parse(withCookie.body) as { result: { chunks: number } }).result.chunks, 0);
    assert.equal((await post('library.status', {}, { authorization: `Bearer ${API_TOKEN}` })).status, 200);
    const nobody = await post('library.status', {}, {});
    assert.equal(nobody.status, 401);
    assert.equal((JSON.parse(nobody.body) as { error: { code: string } }).error.code, 'not-signed-in');
    assert.equal((await post('library.status', {}, { authorization: 'Bearer wrong-token-0123456789' })).status, 401);

    const bad = await post('library.add', { paths: [] }, { cookie });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(JSON.parse(bad.body) as object), ['error']);
    assert.equal((JSON.parse(bad.body) as { error: { code: string } }).error.code, 'bad-params');
    assert.equal((await post('library.nothing', {}, { cookie })).status, 404);
    const form = await raw(`${base}/api/library.status`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' });
    assert.equal(form.status, 415);

    const corpus = writeChatCorpus();
    const added = await post('library.add', { paths: [corpus] }, { cookie });
    assert.equal(added.status, 200);
    await service.host.indexed();
    const found = await post('search.query', { query: 'Lisbon trams', k: 2 }, { cookie });
    assert.equal((JSON.parse(found.body) as { result: { hits: { title: string }[] } }).result.hits[0]?.title, 'Lisbon tips');
  });

  test('requests to another host name (DNS rebinding) or from another site (CSRF) are refused', async () => {
    const port = new URL(base).port;
    const status = (headers: Record<string, string>, method = 'POST') =>
      raw(`${base}/api/library.status`, { method, headers: { 'content-type': 'application/json', cookie, ...headers }, body: method === 'POST' ? '{}' : undefined }).then((r) => r.status);
    assert.equal(await status({ host: `evil.example:${port}` }), 403);
    assert.equal(await status({ origin: 'http://evil.example' }), 403);
    assert.equal(await status({ origin: `http://127.0.0.1:${Number(port) + 1}` }), 403, 'another port is another origin');
    assert.equal(await status({ 'sec-fetch-site': 'cross-site' }), 403);
    assert.equal(await status({ 'sec-fetch-site': 'same-site' }), 403);
    assert.equal(await status({ origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' }), 200);
    assert.equal(await status({ origin: `http://localhost:${port}`, host: `localhost:${port}` }), 200);
    assert.equal((await raw(`${base}/`, { headers: { cookie, host: `attacker.example:${port}` } })).status, 403);
  });

  test('the event stream: ids on every event, a reconnect with Last-Event-ID gets what it missed, or a gap when too much was', async () => {
    const emit = (restarts: number) => service.host.emit({ type: 'engine', state: 'ready', restarts, reason: null });
    // The service may push events of its own meanwhile (sources polled, indexing): the test follows its own.
    const nextOurs = async (stream: Awaited<ReturnType<typeof openEvents>>) => {
      for (;;) {
        const message = await stream.next();
        if (message.event !== 'message' || (JSON.parse(message.data) as EngineEvent).type === 'engine') return message;
      }
    };
    const restartsOf = (message: { data: string }) => (JSON.parse(message.data) as { restarts: number }).restarts;
    const first = await openEvents(`${base}/api/events`, { cookie });
    emit(101);
    const seen = await nextOurs(first);
    assert.deepEqual(JSON.parse(seen.data), { type: 'engine', state: 'ready', restarts: 101, reason: null });
    const lastId = Number(seen.id);
    assert.ok(lastId > 0);
    first.close();

    // Missed while away: replayed in order, then the stream goes on live.
    emit(102);
    emit(103);
    const second = await openEvents(`${base}/api/events`, { cookie, 'last-event-id': String(lastId) });
    const replayed = [await nextOurs(second), await nextOurs(second)];
    const ids = replayed.map((m) => Number(m.id));
    assert.ok(ids[0]! > lastId && ids[1]! > ids[0]!, `ids go on from the last one seen: ${lastId} then ${ids.join(', ')}`);
    assert.deepEqual(replayed.map(restartsOf), [102, 103]);
    emit(104);
    assert.equal(restartsOf(await nextOurs(second)), 104);
    second.close();

    // More than the journal keeps (8): the client is told to fetch its state afresh.
    for (let i = 0; i < 12; i++) emit(200 + i);
    const third = await openEvents(`${base}/api/events`, { cookie, 'last-event-id': String(lastId) });
    const gap = await third.next();
    assert.equal(gap.event, 'gap');
    emit(300);
    assert.equal(restartsOf(await nextOurs(third)), 300);
    third.close();

    assert.equal((await raw(`${base}/api/events`)).status, 401);
  });

  test('the OpenAI routes answer only when the API is on', async () => {
    const models = () => raw(`${base}/v1/models`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    const off = await models();
    assert.equal(off.status, 404);
    assert.equal((JSON.parse(off.body) as { error: { code: string } }).error.code, 'api_off');
    openAiApi = true;
    const on = await models();
    assert.equal(on.status, 200);
    assert.deepEqual(JSON.parse(on.body), { object: 'list', data: [] });
    assert.equal((await raw(`${base}/v1/models`, { headers: { cookie } })).status, 401, 'the cookie is not an API token');
  });
});
