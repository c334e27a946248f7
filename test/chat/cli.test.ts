import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ConversationDetail, ConversationSummary, StoredMessage } from '../../app/contract/index.ts';
import { Library } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';
import { modelsDir, requireShared } from '../support/shared.ts';
import { writeChatCorpus } from './library.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');

function cairn(db: string, args: string[], input?: string) {
  const run = spawnSync(process.execPath, [main, '--db', db, ...args], { encoding: 'utf8', timeout: 120_000, ...(input !== undefined ? { input } : {}) });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A library of the chat corpus; with the tiny story model as its chat model when `withModel`. */
function library(t: TestContext, withModel: boolean): string | null {
  const db = join(tempDir(), 'library.db');
  const add = cairn(db, ['add', writeChatCorpus()]);
  assert.equal(add.code, 0, add.stderr);
  if (withModel) {
    const modelPath = requireShared(t, join(modelsDir, 'stories260K.gguf'));
    if (!modelPath) return null;
    const lib = Library.open(db);
    lib.settings.set('chat-model', { type: 'gguf', modelPath, threads: 1, gpu: false });
    lib.close();
  }
  return db;
}

test('cairn ask streams an answer from the real tiny model, lists the conversation, and continues it', async (t) => {
  const db = library(t, true);
  if (!db) return;
  const ask = cairn(db, ['ask', 'How can the contract be terminated?']);
  assert.equal(ask.code, 0, ask.stderr);
  assert.match(ask.stderr, /conversation 1: continue with --conversation 1/);
  const stored = JSON.parse(cairn(db, ['conversations', 'show', '1', '--json']).stdout) as ConversationDetail;
  const answer = stored.messages[1]!;
  assert.equal(answer.status, 'complete');
  assert.equal(answer.modelKey, 'gguf:stories260K.gguf');
  assert.ok(answer.content.length > 20, 'the model wrote something');
  assert.ok(ask.stdout.startsWith(answer.content), 'stdout carries the answer as stored');
  assert.equal(answer.sources[0]!.title, 'Contract', 'the contract note was given to the model');

  const more = cairn(db, ['ask', 'and the notice?', '--conversation', '1', '--json']);
  assert.equal(more.code, 0, more.stderr);
  const second = JSON.parse(more.stdout) as StoredMessage;
  assert.equal(second.conversationId, 1);
  assert.equal(second.status, 'complete');

  const list = JSON.parse(cairn(db, ['conversations', 'list', '--json']).stdout) as ConversationSummary[];
  assert.deepEqual(list.map((c) => [c.id, c.title, c.messageCount]), [[1, 'How can the contract be terminated?', 4]]);
  assert.equal(cairn(db, ['conversations', 'rename', '1', 'Contract', 'questions']).code, 0);
  const markdown = cairn(db, ['conversations', 'export', '1']);
  assert.match(markdown.stdout, /^# Contract questions\n[\s\S]*## Question\n\nHow can the contract be terminated\?\n\n## Answer\n[\s\S]*## Question\n\nand the notice\?/);
  assert.equal(cairn(db, ['conversations', 'rm', '1']).code, 0);
  assert.match(cairn(db, ['conversations']).stdout, /No conversations yet/);
  const gone = cairn(db, ['conversations', 'show', '1']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No conversation with id 1/);
});

test('cairn ask with no chat model says what is missing, still shows what search found, and exits 1', (t) => {
  const db = library(t, false)!;
  const ask = cairn(db, ['ask', 'When is the October invoice due?']);
  assert.equal(ask.code, 1);
  assert.match(ask.stderr, /No chat model\. `cairn models list` names the one recommended/);
  assert.match(ask.stdout, /Found in your library:\n {2}\[1\] Invoice for October — email from Alice Smith <alice@example\.com>, 2026-11-02/);
  assert.doesNotMatch(ask.stderr, /at .*\.ts:\d+/, 'no stack trace');
  assert.doesNotMatch(ask.stderr, /continue with --conversation/, 'no conversation to continue');
  const json = cairn(db, ['ask', 'When is the October invoice due?', '--json']);
  assert.equal(json.code, 1);
  const unanswered = JSON.parse(json.stdout) as { status: string; code: string; message: string; sources: { title: string }[] };
  assert.equal(unanswered.status, 'failed');
  assert.equal(unanswered.code, 'no-chat-model');
  assert.equal(unanswered.sources[0]!.title, 'Invoice for October');
  // Nothing relevant: said plainly, no model needed.
  const nothing = cairn(db, ['ask', 'capital of Mongolia']);
  assert.equal(nothing.code, 0);
  assert.match(nothing.stdout, /Your library has nothing on this/);
  // Mistakes are usage errors.
  assert.equal(cairn(db, ['ask']).code, 2);
  assert.equal(cairn(db, ['ask', 'x', '--conversation', 'abc']).code, 2);
  assert.equal(cairn(db, ['conversations', 'show']).code, 2);
  // Asking again and again without a model leaves no trail of failed conversations.
  const chat = cairn(db, ['chat'], 'When is the October invoice due?\n/quit\n');
  assert.equal(chat.code, 0, chat.stderr);
  assert.match(chat.stdout, /Found in your library:\n {2}\[1\] Invoice for October/);
  assert.deepEqual(JSON.parse(cairn(db, ['conversations', 'list', '--json']).stdout), [], 'nothing was stored');
});

test('cairn chat keeps one conversation across questions, and /new, /list and /quit work', async (t) => {
  const db = library(t, true);
  if (!db) return;
  const chat = cairn(db, ['chat'], 'How can the contract be terminated?\nand by whom?\n/new\nWhere do we fly in May?\n/list\n/quit\nnever asked\n');
  assert.equal(chat.code, 0, chat.stderr);
  assert.match(chat.stderr, /\(new conversation\)/);
  const list = JSON.parse(cairn(db, ['conversations', 'list', '--json']).stdout) as ConversationSummary[];
  assert.deepEqual(list.map((c) => [c.title, c.messageCount]), [['Where do we fly in May?', 2], ['How can the contract be terminated?', 4]]);
  assert.match(chat.stdout, /\s+2\s+\S+ \S+\s+2 msgs {2}Where do we fly in May\?\n\s+1\s+\S+ \S+\s+4 msgs {2}How can the contract be terminated\?/);
});

/** Runs the CLI, calling `step` with everything printed so far on each output; resolves at exit. */
function interactive(db: string, args: string[], step: (out: string, err: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, [main, '--db', db, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    step(out, err, child);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    step(out, err, child);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise<{ code: number | null; out: string; err: string }>((done) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, out, err });
    }),
  );
}

test('Ctrl-C during cairn ask stops the answer, keeps it as stopped, and exits 130', async (t) => {
  const db = library(t, true);
  if (!db) return;
  let sent = false;
  const run = await interactive(db, ['ask', 'How can the contract be terminated?'], (out, _err, child) => {
    if (!sent && out.length > 0) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  assert.equal(run.code, 130, run.err);
  assert.match(run.err, /\(stopped\)/);
  const stored = JSON.parse(cairn(db, ['conversations', 'show', '1', '--json']).stdout) as ConversationDetail;
  assert.equal(stored.messages[1]!.status, 'stopped');
  assert.ok(run.out.startsWith(stored.messages[1]!.content));
});

test('in cairn chat, Ctrl-C stops the answer and the chat goes on; Ctrl-C at the prompt exits', async (t) => {
  const db = library(t, true);
  if (!db) return;
  let phase = 0;
  const run = await interactive(db, ['chat'], (out, err, child) => {
    if (phase === 0 && out.includes('> ')) {
      phase = 1;
      child.stdin!.write('How can the contract be terminated?\n');
    } else if (phase === 1 && out.length > 2) {
      phase = 2;
      child.kill('SIGINT');
    } else if (phase === 2 && err.includes('(stopped)') && out.endsWith('> ')) {
      phase = 3;
      child.kill('SIGINT');
    }
  });
  assert.equal(phase, 3, run.out + run.err);
  assert.equal(run.code, 0, run.err);
  const stored = JSON.parse(cairn(db, ['conversations', 'show', '1', '--json']).stdout) as ConversationDetail;
  assert.deepEqual(stored.messages.map((m) => m.status), ['complete', 'stopped']);
});
