// Test support for the local API: an engine over the chat corpus (fake embedder, a given chat
// model) with the API on an ephemeral port, request helpers, an SSE reader, and a chat model the
// test holds mid-answer to see queueing, disconnects and shutdown.
import assert from 'node:assert/strict';
import type { ChatMessage, ChatModel, GenerateOptions, GenerateResult } from '../../app/llm/index.ts';
import type { Embedder } from '../../app/embed/index.ts';
import type { Engine } from '../../app/engine.ts';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../app/server/index.ts';
import { chatEngine } from '../chat/library.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';

export const TOKEN = 'test-token-0123456789abcdef';

export interface Harness {
  engine: Engine;
  server: ApiServer;
  /** Takes the errors the server reported (onError) so far: a test that causes some asserts on them; close() fails on any left. */
  takeErrors(): unknown[];
  /** POST JSON (or a raw string body) with the token unless `token` says otherwise (null: none). */
  post(path: string, body: unknown, init?: { token?: string | null; signal?: AbortSignal }): Promise<Response>;
  get(path: string, init?: { token?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { chatModel?: ChatModel | null; embedder?: Embedder | null } & Partial<
    Pick<ApiServerOptions, 'maxWaiting' | 'maxBodyBytes' | 'keepAliveMs' | 'appendSources' | 'host' | 'allowedHosts' | 'allowedOrigins'>
  > = {},
): Promise<Harness> {
  const { engine } = await chatEngine({
    embedder: options.embedder === undefined ? new FakeEmbedder() : options.embedder,
    chatModel: options.chatModel ?? null,
  });
  const errors: unknown[] = [];
  const server = await startApiServer({
    engine,
    token: TOKEN,
    port: 0,
    ...(options.maxWaiting === undefined ? {} : { maxWaiting: options.maxWaiting }),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    ...(options.keepAliveMs === undefined ? {} : { keepAliveMs: options.keepAliveMs }),
    ...(options.appendSources ? { appendSources: options.appendSources } : {}),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
    onError: (error) => errors.push(error),
  });
  const auth = (token: string | null | undefined): Record<string, string> => (token === null ? {} : { authorization: `Bearer ${token ?? TOKEN}` });
  return {
    engine,
    server,
    post: (path, body, init = {}) =>
      fetch(`${server.origin}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth(init.token) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        ...(init.signal ? { signal: init.signal } : {}),
      }),
    get: (path, init = {}) => fetch(`${server.origin}${path}`, { headers: auth(init.token) }),
    takeErrors: () => errors.splice(0),
    close: async () => {
      await server.close();
      await engine.close();
      assert.deepEqual(errors, [], 'the server reported no errors the test did not expect');
    },
  };
}

/** The events of a whole SSE body: parsed JSON, or the string '[DONE]' (comments, the keep-alives, are skipped). */
export function parseSse(text: string): unknown[] {
  const events: unknown[] = [];
  for (const block of text.split('\n\n')) {
    if (!block.trim() || block.split('\n').every((line) => line.startsWith(':'))) continue;
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice('data: '.length))
      .join('\n');
    if (data === '') throw new Error(`an SSE block without data: ${JSON.stringify(block)}`);
    events.push(data === '[DONE]' ? data : JSON.parse(data));
  }
  return events;
}

export interface Chunk {
  id: string;
  object: string;
  model: string;
  choices: { index: number; delta: { role?: string; content?: string; reasoning_content?: string }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  cairn?: CairnInfo;
}

export interface CairnInfo {
  query: string;
  rewritten: boolean;
  citations: { n: number; title: string; uri: string; page: number | null; snippet: string; kind: string }[];
  sources: { n: number; title: string; uri: string; cited: boolean }[];
  notices: { code: string; message: string }[];
}

export interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string };
}

/** The text of the streamed content deltas. */
export function streamedText(events: unknown[]): string {
  return events.flatMap((e) => (typeof e === 'string' ? [] : ((e as Partial<Chunk>).choices ?? []).map((c) => c.delta.content ?? ''))).join('');
}

/**
 * A chat model the test holds mid-answer: it streams `before`, then waits until release() or its
 * signal aborts, then streams `after`. Records when each generation starts and ends, and its result.
 */
export class HeldModel implements ChatModel {
  readonly key = 'test:held';
  readonly contextSize = 4096;
  readonly events: string[] = [];
  readonly results: GenerateResult[] = [];
  readonly calls: ChatMessage[][] = [];
  private readonly before: string[];
  private readonly after: string[];
  private released = false;
  private releaseWaiters: Array<() => void> = [];
  private watchers: Array<() => void> = [];

  constructor(before: string[], after: string[]) {
    this.before = before;
    this.after = after;
  }

  countTokens(text: string): number {
    return text.match(/\S+/g)?.length ?? 0;
  }

  countPromptTokens(messages: ChatMessage[]): number {
    return messages.reduce((sum, m) => sum + this.countTokens(m.content) + 8, 0);
  }

  /** Lets every held generation, now and later, go on. */
  release(): void {
    this.released = true;
    for (const wake of this.releaseWaiters.splice(0)) wake();
  }

  /** Resolves once `event` (e.g. 'start 1', 'end 2') has happened. */
  async reached(event: string): Promise<void> {
    while (!this.events.includes(event)) await new Promise<void>((resolve) => this.watchers.push(resolve));
  }

  private note(event: string): void {
    this.events.push(event);
    for (const wake of this.watchers.splice(0)) wake();
  }

  async generate(messages: ChatMessage[], options: GenerateOptions = {}): Promise<GenerateResult> {
    const n = this.calls.push(messages);
    this.note(`start ${n}`);
    const { signal } = options;
    let text = '';
    let tokens = 0;
    const finish = (stopReason: GenerateResult['stopReason']) => {
      const result: GenerateResult = { text, thought: '', stopReason, tokens };
      this.results[n - 1] = result;
      this.note(`end ${n}`);
      return result;
    };
    for (const piece of this.before) {
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) return finish('aborted');
      text += piece;
      tokens++;
      options.onText?.(piece);
    }
    if (!this.released) {
      await new Promise<void>((resolve) => {
        this.releaseWaiters.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    if (signal?.aborted) return finish('aborted');
    for (const piece of this.after) {
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) return finish('aborted');
      text += piece;
      tokens++;
      options.onText?.(piece);
    }
    return finish('end');
  }

  async close(): Promise<void> {}
}
