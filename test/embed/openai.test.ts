// OpenAiEmbedder against a local node:http server speaking the OpenAI embeddings format (127.0.0.1 only).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { CairnError } from '../../app/contract/index.ts';
import { normalize } from '../../app/embed/index.ts';
import { OpenAiEmbedder, type OpenAiEmbedderOptions } from '../../app/embed/openai.ts';

interface SeenRequest {
  inputs: string[];
  model: string;
  authorization: string | undefined;
}
type Reply = (req: SeenRequest, res: ServerResponse, count: number) => void;

/** A deterministic, never-zero vector of 4 numbers computed from the text. */
function fakeVector(text: string): number[] {
  let sum = 0;
  for (const ch of text) sum += ch.codePointAt(0)!;
  return [text.length, sum % 97, (text.codePointAt(0) ?? 0) % 13, 1];
}

function expected(text: string): Float32Array {
  return normalize(Float32Array.from(fakeVector(text)));
}

/** Answers like OpenAI, but with `data` in reverse order so that ordering by `index` is proven. */
const answerEmbeddings: Reply = (req, res) => {
  const data = req.inputs.map((input, index) => ({ object: 'embedding', index, embedding: fakeVector(input) })).reverse();
  sendJson(res, 200, { object: 'list', data, model: req.model, usage: { prompt_tokens: 1, total_tokens: 1 } });
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

async function startServer(reply: Reply) {
  const requests: SeenRequest[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw) as { model: string; input: string[] };
    assert.equal(req.url, '/v1/embeddings');
    const seen = { inputs: body.input, model: body.model, authorization: req.headers.authorization };
    requests.push(seen);
    reply(seen, res, requests.length);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

type Server = Awaited<ReturnType<typeof startServer>>;

const fast: OpenAiEmbedderOptions = { retryDelaysMs: [1, 1], maxRetryAfterMs: 20, timeoutMs: 5000 };

async function withServer(reply: Reply, run: (server: Server) => Promise<void>): Promise<void> {
  const server = await startServer(reply);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

function isCairnError(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof CairnError, `expected a CairnError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

test('embeds, normalises and keeps the input order; discovers dimensions with a probe', () =>
  withServer(answerEmbeddings, async (server) => {
    const embedder = await OpenAiEmbedder.open({ type: 'openai', baseUrl: `${server.baseUrl}/`, model: 'fake-embed' }, { ...fast, apiKey: 'sk-test' });
    assert.equal(embedder.dimensions, 4);
    assert.equal(embedder.key, `openai:${server.baseUrl}:fake-embed`);
    assert.equal(server.requests.length, 1, 'one probe request at open');

    const texts = ['alpha', 'beta gamma', 'delta epsilon zeta'];
    const vectors = await embedder.embed(texts);
    assert.equal(vectors.length, 3);
    vectors.forEach((v, i) => {
      assert.deepEqual(v, expected(texts[i]!));
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-6);
    });
    assert.deepEqual(server.requests[1], { inputs: texts, model: 'fake-embed', authorization: 'Bearer sk-test' });
    await embedder.close();
  }));

test('sends no Authorization header without an API key, and no request at open when dimensions are known', () =>
  withServer(answerEmbeddings, async (server) => {
    const embedder = await OpenAiEmbedder.open({ type: 'openai', baseUrl: server.baseUrl, model: 'm', dimensions: 4 }, fast);
    assert.equal(server.requests.length, 0);
    await embedder.embed(['x']);
    assert.equal(server.requests[0]?.authorization, undefined);
  }));

test('batches at most 64 inputs a request', () =>
  withServer(answerEmbeddings, async (server) => {
    const embedder = await OpenAiEmbedder.open({ type: 'openai', baseUrl: server.baseUrl, model: 'm', dimensions: 4 }, fast);
    const texts = Array.from({ length: 150 }, (_, i) => `passage number ${i}`);
    const vectors = await embedder.embed(texts);
    assert.ok(server.requests.length >= 3, `${server.requests.length} requests`);
    for (const request of server.requests) assert.ok(request.inputs.length <= 64, `${request.inputs.length} inputs`);
    assert.deepEqual(server.requests.flatMap((r) => r.inputs), texts);
    vectors.forEach((v, i) => assert.deepEqual(v, expected(texts[i]!)));
  }));

test('empty strings get the zero vector and are not sent', () =>
  withServer(answerEmbeddings, async (server) => {
    const embedder = await OpenAiEmbedder.open({ type: 'openai', baseUrl: server.baseUrl, model: 'm', dimensions: 4 }, fast);
    const [empty, text] = await embedder.embed(['', 'text']);
    assert.deepEqual(empty, new Float32Array(4));
    assert.deepEqual(text, expected('text'));
    assert.deepEqual(server.requests.map((r) => r.inputs), [['text']]);
  }));

test('401 is embedder-auth, without retries', () =>
  withServer(
    (_req, res) => sendJson(res, 401, { error: { message: 'Incorrect API key provided' } }),
    async (server) => {
      await assert.rejects(
        OpenAiEmbedder.open({ type: 'openai', baseUrl: server.baseUrl, model: 'm' }, { ...fast, apiKey: 'wrong' }),
        isCairnError('embedder-auth'),
      );
      assert.equal(server.requests.length, 1);
    },
  ));

test('retries 500s and then succeeds', () =>
  withServer(
    (req, res, count) => (count <= 2 ? sendJson(res, 500, { error: 'busy' }) : answerEmbeddings(req, res, count)),
    async (server) => {
      const embedder = await OpenAiEmbedder.open({ type: 'openai', baseUrl: server.baseUrl, model: 'm', dimensions: 4 }, fast);
      const [v] = await embedder.embed(['hello']);
      assert.deepEqual(v, expected('hello'));
      assert.equal(server.requests.length, 3);
    },
  ));

test('honours a short Retry-After on 429', () =>
  withServer(
    (req, res, count) => (count === 1 ? sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '1' }) : answerEmbeddings(req, res, count)),
    async (server) => {
      // Retry-After says 1 s; the cap (20 ms here) keeps the test quick.
      const embedder = await OpenAiEmbedder.open({ type: 'openai', baseUrl: server.baseUrl, model: 'm', dimensions: 4 }, fast);
      const started = performance.now();
      await embedder.embed(['hello']);
      assert.equal(server.requests.length, 2);
      assert.ok(performance.now() - started < 900, 'the Retry-After cap applies');
    },
  ));

test('a server that keeps failing gives embedder-error with its message, after 3 tries', () =>
  withServer(
    (_req, res) => sendJson(res, 500, { error: { message: 'model exploded', type: 'server_error' } }),
    async (server) => {
      const embedder = await OpenAiEmbedder.open({ type: 'openai', baseUrl: server.baseUrl, model: 'm', dimensions: 4 }, fast);
      await assert.rejects(embedder.embed(['hello']), (error: unknown) => {
        isCairnError('embedder-error')(error);
        assert.match((error as Error).message, /HTTP 500: model exploded/);
        return true;
      });
      assert.equal(server.requests.length, 3);
    },
  ));

test('a 404 is embedder-error at once (not retried)', () =>
  withServer(
    (_req, res) => sendJson(res, 404, { error: { message: 'model "m" not found' } }),
    async (server) => {
      const embedder = await OpenAiEmbedder.open({ type: 'openai', baseUrl: server.baseUrl, model: 'm', dimensions: 4 }, fast);
      await assert.rejects(embedder.embed(['hello']), isCairnError('embedder-error'));
      assert.equal(server.requests.length, 1);
    },
  ));

for (const [name, reply] of [
  ['not JSON', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy login</html>')],
  ['the wrong shape', (_req, res) => sendJson(res, 200, { data: [{ index: 0, vector: [1, 2, 3, 4] }] })],
  ['too few vectors', (_req, res) => sendJson(res, 200, { data: [{ index: 0, embedding: [1, 2, 3, 4] }] })],
  ['a repeated index', (_req, res) => sendJson(res, 200, { data: [0, 0].map((index) => ({ index, embedding: [1, 2, 3, 4] })) })],
  ['the wrong dimensions', (req, res) => sendJson(res, 200, { data: req.inputs.map((_, index) => ({ index, embedding: [1, 2, 3] })) })],
] as [string, Reply][]) {
  test(`a response with ${name} is embedder-bad-response`, () =>
    withServer(reply, async (server) => {
      const embedder = await OpenAiEmbedder.open({ type: 'openai', baseUrl: server.baseUrl, model: 'm', dimensions: 4 }, fast);
      await assert.rejects(embedder.embed(['one', 'two']), isCairnError('embedder-bad-response'));
    }));
}

test('a closed port is embedder-unreachable', async () => {
  const server = await startServer(answerEmbeddings);
  await server.close();
  await assert.rejects(OpenAiEmbedder.open({ type: 'openai', baseUrl: server.baseUrl, model: 'm' }, fast), (error: unknown) => {
    isCairnError('embedder-unreachable')(error);
    assert.match((error as Error).message, /Cannot reach the embedding server at http:\/\/127\.0\.0\.1:\d+\/v1: connection refused/);
    return true;
  });
});

// The test's own timeout only keeps a broken request timeout from hanging the run (the default is far longer).
test('a server that never answers is embedder-unreachable after the timeout', { timeout: 20_000 }, () =>
  withServer(
    () => {
      // Never answers.
    },
    async (server) => {
      await assert.rejects(
        OpenAiEmbedder.open({ type: 'openai', baseUrl: server.baseUrl, model: 'm' }, { ...fast, timeoutMs: 200 }),
        isCairnError('embedder-unreachable'),
      );
      assert.equal(server.requests.length, 1, 'a timed-out request is not retried');
    },
  ));

test("the caller's abort is passed through as an AbortError, not an embedder error", () => {
  let arrived!: () => void;
  const request = new Promise<void>((resolve) => (arrived = resolve));
  return withServer(
    () => arrived(), // and never answers
    async (server) => {
      const embedder = await OpenAiEmbedder.open({ type: 'openai', baseUrl: server.baseUrl, model: 'm', dimensions: 4 }, fast);
      const controller = new AbortController();
      const embedding = embedder.embed(['hello'], controller.signal);
      await request;
      controller.abort();
      await assert.rejects(embedding, { name: 'AbortError' });
    },
  );
});

test('countTokens over-estimates: about a token per 3 characters of words, one per digit or symbol, 1.5 per CJK character', async () => {
  const embedder = await OpenAiEmbedder.open({ type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm', dimensions: 4 }, fast);
  assert.equal(embedder.countTokens(''), 0);
  assert.equal(embedder.countTokens('hello world!'), 5);
  assert.equal(embedder.countTokens('2026'), 4);
  assert.equal(embedder.countTokens('知识库'), 5);
  assert.ok(embedder.countTokens('The quick brown fox jumps over the lazy dog.') >= 10, 'not under a real tokenizer (10 tokens)');
});
