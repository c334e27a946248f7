// `cairn models use --url URL --model NAME` checks the chat server as `embedder set --url` does:
// a wrong address, model name or key is said at once, and the library's chat model is unchanged.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runModelsCommand } from '../../app/cli/models.ts';
import { CairnError } from '../../app/contract/index.ts';
import { Library } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';
import { startChatServer, type ChatServer } from '../llm/chat-server.ts';

let open: ChatServer;
let locked: ChatServer;
before(async () => {
  open = await startChatServer();
  locked = await startChatServer({ apiKey: 'sesame' });
});
after(async () => {
  await open.close();
  await locked.close();
});

function chatSetting(db: string): unknown {
  const library = Library.open(db);
  try {
    return library.settings.get('chat-model') ?? null;
  } finally {
    library.close();
  }
}

async function use(db: string, url: string, model: string): Promise<string[]> {
  const lines: string[] = [];
  const code = await runModelsCommand(db, ['use'], { url, model }, (line) => lines.push(line));
  assert.equal(code, 0);
  return lines;
}

async function refused(db: string, url: string, model: string, message: RegExp): Promise<void> {
  await assert.rejects(use(db, url, model), (error: unknown) => error instanceof CairnError && message.test(error.message));
}

/** An address where nothing listens: a port just given back. */
async function closedPort(): Promise<string> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}/v1`;
}

test('a chat server that answers is saved; one that does not, or does not know the model, is not', async () => {
  const db = join(tempDir(), 'library.db');
  const nowhere = await closedPort();
  await refused(db, nowhere, 'llama3', /cannot reach the chat server at .*connection refused.*The chat model was not changed\.$/);
  assert.equal(chatSetting(db), null);
  await refused(db, open.baseUrl, 'missing', /model "missing" not found/);
  assert.equal(chatSetting(db), null);

  const requests = open.requests.length;
  assert.match((await use(db, open.baseUrl, 'echo')).join('\n'), /now answers with echo at/);
  assert.equal(open.requests.length, requests + 1, 'one request checked it');
  assert.equal(open.requests.at(-1)!.body.max_tokens, 1, 'a tiny one');
  assert.deepEqual(chatSetting(db), { type: 'openai', baseUrl: open.baseUrl, model: 'echo' });

  await refused(db, open.baseUrl, 'broken', /out of memory/);
  assert.deepEqual(chatSetting(db), { type: 'openai', baseUrl: open.baseUrl, model: 'echo' }, 'a failed switch changes nothing');
});

test('the key for the server comes from CAIRN_CHAT_API_KEY, and a wrong one is said at once', async () => {
  const db = join(tempDir(), 'library.db');
  const saved = process.env.CAIRN_CHAT_API_KEY;
  try {
    delete process.env.CAIRN_CHAT_API_KEY;
    await refused(db, locked.baseUrl, 'echo', /401/);
    process.env.CAIRN_CHAT_API_KEY = 'sesame';
    await use(db, locked.baseUrl, 'echo');
    assert.deepEqual(chatSetting(db), { type: 'openai', baseUrl: locked.baseUrl, model: 'echo' });
  } finally {
    if (saved === undefined) delete process.env.CAIRN_CHAT_API_KEY;
    else process.env.CAIRN_CHAT_API_KEY = saved;
  }
});
