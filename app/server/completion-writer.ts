// Writes one completion in OpenAI's shapes: a chat completion (chat.completion, or streamed as
// chat.completion.chunk events, tool calls included) or a text completion (text_completion). A
// stream starts at once, before the model is free or has read the prompt, and says it is alive
// with SSE comments until the first token, so that clients and proxies do not give up waiting.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ToolCall } from '../llm/index.ts';
import { EventStream, sendJson, type HttpError } from './http.ts';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls';

/** OpenAI's error body. */
export function openAiErrorBody(error: HttpError): { error: { message: string; type: string; param: string | null; code: string } } {
  const type =
    error.status === 401 ? 'authentication_error'
    : error.status === 429 ? 'rate_limit_error'
    : error.status >= 500 ? 'server_error'
    : 'invalid_request_error';
  return { error: { message: error.message, type, param: error.param, code: error.code } };
}

/** How often a stream that has nothing to send yet says it is alive. */
export const DEFAULT_KEEPALIVE_MS = 3_000;

export class CompletionWriter {
  private readonly kind: 'chat' | 'text';
  private readonly id: string;
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly model: string;
  private readonly stream: EventStream | null;
  private readonly res: ServerResponse;
  private readonly includeUsage: boolean;
  private readonly keepAliveMs: number;
  private keepAlive: NodeJS.Timeout | null = null;
  private roleSent = false;

  constructor(res: ServerResponse, model: string, options: { kind: 'chat' | 'text'; stream: boolean; includeUsage: boolean; keepAliveMs?: number }) {
    this.res = res;
    this.model = model;
    this.kind = options.kind;
    this.id = `${options.kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomBytes(12).toString('hex')}`;
    this.stream = options.stream ? new EventStream(res) : null;
    this.includeUsage = options.includeUsage;
    this.keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS;
  }

  /** Whether anything has been sent (then an error can only be told inside the stream). */
  get started(): boolean {
    return this.res.headersSent;
  }

  /** A stream: sends the headers now, and keep-alive comments while nothing else is sent. */
  open(): void {
    if (!this.stream || this.keepAlive) return;
    this.stream.start();
    this.stream.comment('cairn');
    this.keepAlive = setInterval(() => {
      if (Date.now() - this.stream!.lastWrite >= this.keepAliveMs) this.stream!.comment('keep-alive');
    }, this.keepAliveMs);
    this.keepAlive.unref();
  }

  private chunk(choices: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
    const object = this.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    return { id: this.id, object, created: this.created, model: this.model, system_fingerprint: null, choices, ...extra };
  }

  private choice(delta: Record<string, unknown>, finishReason: FinishReason | null): Record<string, unknown> {
    if (this.kind === 'text') return { index: 0, text: (delta.content as string | undefined) ?? '', logprobs: null, finish_reason: finishReason };
    const first = this.roleSent ? {} : { role: 'assistant' };
    this.roleSent = true;
    return { index: 0, delta: { ...first, ...delta }, logprobs: null, finish_reason: finishReason };
  }

  delta(delta: { content?: string; reasoning_content?: string }): void {
    if (!this.stream) return;
    if (this.kind === 'text' && !delta.content) return;
    this.stream.send(this.chunk([this.choice(delta, null)]));
  }

  finish(answer: { content: string; thought: string; finishReason: FinishReason; usage: Usage; toolCalls?: ToolCall[]; cairn?: unknown }): void {
    this.stopKeepAlive();
    const cairn = answer.cairn ? { cairn: answer.cairn } : {};
    const calls = (answer.toolCalls ?? []).map((call, index) => ({ index, id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
    if (this.stream) {
      if (this.kind === 'chat' && !this.roleSent) this.delta({ content: '' });
      // Each call whole in one delta (its id, name and arguments), as clients gather them by index.
      for (const call of calls) this.stream.send(this.chunk([this.choice({ tool_calls: [call] }, null)]));
      this.stream.send(this.chunk([this.kind === 'chat' ? this.choice({}, answer.finishReason) : { index: 0, text: '', logprobs: null, finish_reason: answer.finishReason }], cairn));
      if (this.includeUsage) this.stream.send(this.chunk([], { usage: answer.usage }));
      this.stream.send('[DONE]');
      this.stream.end();
      return;
    }
    const choice =
      this.kind === 'text'
        ? { index: 0, text: answer.content, logprobs: null, finish_reason: answer.finishReason }
        : {
            index: 0,
            message: {
              role: 'assistant',
              // OpenAI's shape: no content beside calls is null, not ''.
              content: calls.length && !answer.content ? null : answer.content,
              ...(answer.thought ? { reasoning_content: answer.thought } : {}),
              ...(calls.length ? { tool_calls: calls.map(({ index: _, ...call }) => call) } : {}),
            },
            logprobs: null,
            finish_reason: answer.finishReason,
          };
    sendJson(this.res, 200, {
      id: this.id, object: this.kind === 'chat' ? 'chat.completion' : 'text_completion', created: this.created, model: this.model, system_fingerprint: null,
      choices: [choice],
      usage: answer.usage,
      ...cairn,
    });
  }

  /** A failure after the stream started: an error event, then the end of the stream. */
  failInStream(error: HttpError): void {
    this.stopKeepAlive();
    this.stream?.send(openAiErrorBody(error));
    this.stream?.send('[DONE]');
    this.stream?.end();
  }

  end(): void {
    this.stopKeepAlive();
    if (!this.res.writableEnded) this.res.end();
  }

  private stopKeepAlive(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
  }
}
