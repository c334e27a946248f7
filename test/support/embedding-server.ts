// A local OpenAI-compatible /v1/embeddings server for tests (127.0.0.1 only). The model name
// ends in its dimension ("bag-384"); vectors are FakeEmbedder's bag of words, so texts that share
// words are near each other. With `apiKey`, a request without `Authorization: Bearer <key>` gets 401.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeEmbedder } from './fake-embedder.ts';

export interface EmbeddingServer {
  baseUrl: string;
  /** Inputs embedded so far, per model. */
  embedded: Map<string, number>;
  /** Every text the server was given, in order (tests may empty it). */
  inputs: string[];
  /** Requests received while held wait (unanswered) until release(): work that embeds stays under way. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startEmbeddingServer(options: { apiKey?: string } = {}): Promise<EmbeddingServer> {
  const embedded = new Map<string, number>();
  const inputs: string[] = [];
  let held: Promise<void> | null = null;
  let release = () => {};
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Incorrect API key provided' } }));
      return;
    }
    while (held) await held;
    const { model, input } = JSON.parse(raw) as { model: string; input: string[] };
    const dimensions = Number(/-(\d+)$/.exec(model)?.[1] ?? 64);
    const fake = new FakeEmbedder(dimensions);
    embedded.set(model, (embedded.get(model) ?? 0) + input.length);
    inputs.push(...input);
    const data = input.map((text, index) => ({ object: 'embedding', index, embedding: [...fake.vector(text)] }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data, model }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    embedded,
    inputs,
    hold() {
      held ??= new Promise<void>((resolve) => (release = () => ((held = null), resolve())));
    },
    release: () => release(),
    async close() {
      release();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
