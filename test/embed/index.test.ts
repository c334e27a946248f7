// The embed folder's shared surface: normalize, the spec schema, and openEmbedder's choice of backend.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { EmbedderSpecSchema, normalize, openEmbedder } from '../../app/embed/index.ts';

test('normalize scales in place to unit length and leaves the zero vector alone', () => {
  const v = Float32Array.from([3, 4]);
  assert.equal(normalize(v), v, 'in place');
  assert.deepEqual(v, Float32Array.from([0.6, 0.8]));
  assert.deepEqual(normalize(new Float32Array(3)), new Float32Array(3));
});

test('EmbedderSpecSchema accepts both kinds and drops keys it does not know', () => {
  const gguf = { type: 'gguf', modelPath: '/models/e.gguf', contextSize: 256, threads: 2, gpu: false };
  assert.deepEqual(EmbedderSpecSchema.parse(gguf), gguf);
  const openai = { type: 'openai', baseUrl: 'http://127.0.0.1:8080/v1', model: 'nomic-embed-text', dimensions: 768 };
  assert.deepEqual(EmbedderSpecSchema.parse({ ...openai, apiKey: 'sk-secret' }), openai);
  const prefixed = { ...openai, queryPrefix: 'search_query: ', documentPrefix: '' };
  assert.deepEqual(EmbedderSpecSchema.parse(prefixed), prefixed, 'prefixes are kept, an empty one too');
});

test('EmbedderSpecSchema refuses bad specs', () => {
  for (const bad of [
    { type: 'gguf', modelPath: '' },
    { type: 'gguf', modelPath: '/m.gguf', gpu: 'cuda' },
    { type: 'gguf', modelPath: '/m.gguf', threads: 0 },
    { type: 'openai', baseUrl: 'ftp://example.com/v1', model: 'm' },
    { type: 'openai', baseUrl: 'not a url', model: 'm' },
    { type: 'openai', baseUrl: 'http://127.0.0.1/v1', model: '' },
    { type: 'openai', baseUrl: 'http://127.0.0.1/v1', model: 'm', documentPrefix: 'x'.repeat(501) },
    { type: 'gguf', modelPath: '/m.gguf', queryPrefix: 7 },
    { type: 'onnx', modelPath: '/m.onnx' },
  ]) {
    assert.equal(EmbedderSpecSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

test('openEmbedder opens an OpenAI-compatible server with the API key from secrets', async () => {
  const authorizations: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ index: 0, embedding: [0, 2] }] }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const spec = { type: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm' } as const;
    const embedder = await openEmbedder(spec, { apiKey: 'sk-1' });
    assert.equal(embedder.key, `openai:http://127.0.0.1:${port}/v1:m`, 'the OpenAI-compatible backend');
    assert.equal(embedder.dimensions, 2);
    assert.deepEqual(embedder.spec, { ...spec, dimensions: embedder.dimensions }, 'the spec records the dimensions found');
    assert.deepEqual(authorizations, ['Bearer sk-1']);
    await embedder.close();
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
