// `cairn serve --api` as a user runs it: a child process that prints the URL and token, answers
// fetch on 127.0.0.1, and stops cleanly (exit 0) on SIGTERM or Ctrl-C (SIGINT).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Library } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';
import { startChatServer } from '../llm/chat-server.ts';
import { serve } from './served.ts';
import { parseSse, streamedText, type OpenAiError } from './support.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');

test('cairn serve --api prints a URL and token, serves the API, and exits 0 on SIGTERM and on Ctrl-C', { timeout: 120_000 }, async () => {
  const db = join(tempDir(), 'library.db');
  const first = await serve(db);
  try {
    assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.match(first.token, /^cairn-/);
    const models = await fetch(`${first.url}/models`, { headers: { authorization: `Bearer ${first.token}` } });
    assert.equal(models.status, 200);
    assert.deepEqual(await models.json(), { object: 'list', data: [] });
    assert.equal((await fetch(`${first.url}/models`)).status, 401);
    // This library has no chat model: the API says what to do about it.
    const chat = await fetch(`${first.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'cairn', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(chat.status, 503);
    assert.match(((await chat.json()) as OpenAiError).error.message, /No chat model/);
    assert.match(first.stderr(), /Chat model: +none\. No chat model/);
    assert.match(first.stderr(), /new, saved in the library/);
  } finally {
    first.child.kill('SIGTERM');
  }
  assert.equal(await first.exited, 0);
  assert.match(first.stderr(), /SIGTERM: stopping the server/);
  await assert.rejects(fetch(`${first.url}/models`, { headers: { authorization: `Bearer ${first.token}` } }), 'the server is gone');

  // The next start reuses the stored token; Ctrl-C stops it cleanly too.
  const second = await serve(db);
  try {
    assert.equal(second.token, first.token);
    assert.match(second.stderr(), /saved in the library\)/);
  } finally {
    second.child.kill('SIGINT');
  }
  assert.equal(await second.exited, 0);

  // A token given for one run is used, not stored.
  const given = 'my-tool-token-0123456789';
  const third = await serve(db, ['--token', given]);
  try {
    assert.equal(third.token, given);
    assert.equal((await fetch(`${third.url}/models`, { headers: { authorization: `Bearer ${given}` } })).status, 200);
    assert.equal((await fetch(`${third.url}/models`, { headers: { authorization: `Bearer ${first.token}` } })).status, 401);
  } finally {
    third.child.kill('SIGTERM');
  }
  assert.equal(await third.exited, 0);
});

test('SIGTERM while an answer streams: the stream ends with an OpenAI error event and [DONE], not silence', { timeout: 120_000 }, async () => {
  // The chat model is a server that sends one piece of its answer and then nothing: the answer is
  // under way, deterministically, when the signal comes.
  const chatServer = await startChatServer();
  const db = join(tempDir(), 'library.db');
  const library = Library.open(db);
  library.settings.set('chat-model', { type: 'openai', baseUrl: chatServer.baseUrl, model: 'stall' });
  library.close();
  const served = await serve(db);
  let signalled = false;
  try {
    const response = await fetch(`${served.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'cairn', messages: [{ role: 'user', content: 'Tell me a story.' }], stream: true }),
    });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('Hello')) {
      const { value, done } = await reader.read();
      assert.ok(!done, `the stream went on until the model stalled: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
    served.child.kill('SIGTERM');
    signalled = true;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const events = parseSse(text);
    assert.equal(streamedText(events), 'Hello');
    assert.equal(events.at(-1), '[DONE]');
    assert.deepEqual((events.at(-2) as OpenAiError).error, {
      message: 'The server is shutting down: the answer was cut short.', type: 'server_error', param: null, code: 'server_closing',
    });
  } finally {
    if (!signalled) served.child.kill('SIGTERM');
    await chatServer.close();
  }
  assert.equal(await served.exited, 0);
  assert.match(served.stderr(), /SIGTERM: stopping the server/);
});

test('cairn serve refuses other hosts, bad ports and bad tokens with usage errors', () => {
  const db = join(tempDir(), 'library.db');
  const run = (...args: string[]) => spawnSync(process.execPath, [main, '--db', db, 'serve', ...args], { encoding: 'utf8', timeout: 60_000 });
  const cases: [string[], RegExp][] = [
    [['--api', '--host', '0.0.0.0'], /listens on 127\.0\.0\.1 only/],
    [['--api', '--port', 'eighty'], /--port must be a port number/],
    [['--api', '--port', '70000'], /--port must be a port number/],
    [['--api', '--token', 'short'], /16 to 512 printable characters/],
    [['--host', '192.168.1.2'], /listens on 127\.0\.0\.1 only/],
    // Another address only as an explicit opt-in: with the Host names, and for the API.
    [['--host', '0.0.0.0', '--allow-host', 'host.docker.internal'], /--allow-host lets other machines reach the API and MCP: add --api/],
    [['--api', '--host', 'example.com', '--allow-host', 'example.com'], /must be an IP address/],
    [['--api', '--host', '0.0.0.0', '--allow-host', 'http://host.docker.internal'], /--allow-host takes a host name/],
    [['--api', '--allow-origin', 'http://localhost:3000/app'], /--allow-origin takes an origin/],
  ];
  for (const [args, message] of cases) {
    const result = run(...args);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, 'no stack trace');
  }
});
