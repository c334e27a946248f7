// A local OpenAI-compatible /v1/chat/completions server for tests (127.0.0.1 only). The model
// name picks the behaviour: "echo" streams the last user message back word by word, "think"
// sends raw <think> tags cut at awkward places, "reasoning" sends reasoning_content, "markdown"
// thinks, then answers MARKDOWN_ANSWER piece by piece, "endless"
// streams until the client goes away, "stall" goes quiet after one piece, "cut" drops the
// connection mid-answer, "length" stops for max_tokens with usage, "fail-midway" sends an error
// event; "missing" is unknown (404), "busy" rate-limited (429), "broken" a 500. With a key set,
// requests without "Bearer <key>" get a 401.
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** What the "markdown" model answers: headings, a list, a table, code and citations [1] [2]. */
export const MARKDOWN_ANSWER = [
  '## In short',
  '',
  'The contract may be ended with **thirty days notice** [1], and the invoice is due by Friday [2].',
  '',
  '- Notice: thirty days, either party [1]',
  '- Invoice: October consulting work [2]',
  '',
  '| What | When |',
  '| --- | --- |',
  '| Notice period | 30 days |',
  '| Invoice | Friday |',
  '',
  '```js',
  'const noticeDays = 30; // from the contract',
  '```',
].join('\n');

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  stream?: boolean;
  max_tokens?: number;
  temperature?: number;
}

export interface ChatServer {
  baseUrl: string;
  requests: { body: ChatRequestBody; authorization: string | undefined }[];
  /** Requests whose client went away before the answer was complete. */
  clientsGone: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, data: unknown): void {
  res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

const delta = (fields: Record<string, string>, finish: string | null = null) => ({
  id: 'chatcmpl-test',
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: fields, finish_reason: finish }],
});

export async function startChatServer(options: { apiKey?: string } = {}): Promise<ChatServer> {
  const state: ChatServer = { baseUrl: '', requests: [], clientsGone: 0, close: async () => {} };
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
      return;
    }
    const body = JSON.parse(raw) as ChatRequestBody;
    state.requests.push({ body, authorization: req.headers.authorization });
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Invalid API key' } }));
      return;
    }
    const error = (status: number, message: string, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error: { message } }));
    if (body.model === 'missing') return error(404, 'model "missing" not found, try pulling it first');
    if (body.model === 'busy') return error(429, 'Rate limit reached', { 'retry-after': '7' });
    if (body.model === 'broken') return error(500, 'CUDA error: out of memory');

    let finished = false;
    res.on('close', () => {
      if (!finished) state.clientsGone++;
    });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const end = (finish = 'stop') => {
      send(res, delta({}, finish));
      send(res, '[DONE]');
      finished = true;
      res.end();
    };
    switch (body.model) {
      case 'echo': {
        send(res, delta({ role: 'assistant', content: '' }));
        for (const [i, word] of lastUser.split(' ').entries()) send(res, delta({ content: i === 0 ? word : ` ${word}` }));
        return end();
      }
      case 'think': {
        // Tags cut across chunks, and one chunk holding the end of the thought and the answer.
        for (const piece of ['<th', 'ink>Look in the ', 'notes.</thi', 'nk>\n\nThe answer', ' is 42.']) send(res, delta({ content: piece }));
        return end();
      }
      case 'reasoning': {
        for (const piece of ['First, ', 'the notes.']) send(res, delta({ reasoning_content: piece }));
        for (const piece of ['It is ', '42.']) send(res, delta({ content: piece }));
        return end();
      }
      case 'length': {
        send(res, delta({ content: 'One two' }));
        send(res, { ...delta({}, 'length'), usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } });
        send(res, '[DONE]');
        finished = true;
        res.end();
        return;
      }
      case 'markdown': {
        // A reasoning model answering in Markdown with citations, at a readable pace (the window's tests).
        for (const piece of ['The user asks ', 'about the notes; ', 'source 1 and 2 answer it.']) {
          send(res, delta({ reasoning_content: piece }));
          await sleep(15);
        }
        for (const piece of MARKDOWN_ANSWER.match(/\s*\S+/g) ?? []) {
          if (res.destroyed) return;
          send(res, delta({ content: piece }));
          await sleep(8);
        }
        return end();
      }
      case 'endless': {
        for (let i = 0; !res.destroyed && i < 10_000; i++) {
          send(res, delta({ content: `word${i} ` }));
          await sleep(5);
        }
        return end();
      }
      case 'stall': {
        send(res, delta({ content: 'Hello' }));
        return; // and never another byte
      }
      case 'cut': {
        send(res, delta({ content: 'Half an ans' }));
        await sleep(20);
        res.socket?.destroy();
        return;
      }
      case 'fail-midway': {
        send(res, delta({ content: 'Partial' }));
        send(res, { error: { message: 'the model crashed' } });
        finished = true;
        res.end();
        return;
      }
      default:
        return end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}/v1`;
  state.close = async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  };
  return state;
}
