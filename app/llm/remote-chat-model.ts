// The remote backend: any server that speaks OpenAI's POST /v1/chat/completions with streaming
// (llama-server, Ollama, LM Studio, vLLM, OpenAI itself).
import { z } from 'zod';
import { CairnError } from '../contract/index.ts';
import type { ChatMessage, ChatModel, ChatModelSpec, GenerateOptions, GenerateResult } from './chat-model.ts';
import { ThinkSplitter } from './think-splitter.ts';
import { estimateServerTokens, networkReason, serverMessage, truncateMessage } from '../net/index.ts';

export type OpenAiChatModelSpec = Extract<ChatModelSpec, { type: 'openai' }>;

export interface RemoteChatModelOptions {
  apiKey?: string;
  /**
   * Longest silence, in ms, before the answer starts and between two pieces of it. Default 120 s:
   * a local server on a CPU may read a long prompt for a minute before its first token.
   */
  timeoutMs?: number;
}

/**
 * The context assumed when the spec names none. The OpenAI API does not tell a model's context
 * size, so this is a cautious guess that today's chat models all exceed; set contextSize to use more.
 */
export const DEFAULT_REMOTE_CONTEXT = 8192;

/**
 * What a server's chat template adds, allowed for when its tokenizer is not at hand: role markers
 * around each message, and once a prompt the BOS, the start of the answer and any text the template
 * always adds (Llama 3.1's date lines, gpt-oss's system header). Measured against node-llama-cpp's
 * templates for the model families it knows (test/llm/remote-chat-model.test.ts): at most about
 * 16 a message and 111 once.
 */
const TEMPLATE_TOKENS_PER_MESSAGE = 16;
const TEMPLATE_TOKENS_PER_PROMPT = 128;

const StreamChunk = z.object({
  choices: z
    .array(
      z.object({
        delta: z
          .object({
            content: z.string().nullish(),
            // llama-server and DeepSeek's API send thinking as reasoning_content; vLLM and OpenRouter as reasoning.
            reasoning_content: z.string().nullish(),
            reasoning: z.string().nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: z.object({ completion_tokens: z.number().int().nonnegative() }).nullish(),
  error: z.union([z.string(), z.object({ message: z.string() })]).nullish(),
});

export class RemoteChatModel implements ChatModel {
  readonly key: string;
  readonly spec: OpenAiChatModelSpec;
  readonly contextSize: number;
  readonly #baseUrl: string;
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;
  readonly #closer = new AbortController();

  /** Sends nothing: the server is first asked at generate(), so Cairn starts while it is down. */
  constructor(spec: OpenAiChatModelSpec, options: RemoteChatModelOptions = {}) {
    this.spec = { ...spec };
    this.#baseUrl = spec.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.key = `openai:${this.#baseUrl}:${spec.model}`;
    this.contextSize = spec.contextSize ?? DEFAULT_REMOTE_CONTEXT;
  }

  /** An estimate: the server's tokenizer is not at hand (see estimateServerTokens). */
  countTokens(text: string): number {
    return estimateServerTokens(text);
  }

  /** An estimate that errs high: the text's, and a generous allowance for the server's chat template. */
  countPromptTokens(messages: ChatMessage[]): number {
    return messages.reduce((sum, m) => sum + estimateServerTokens(m.content) + TEMPLATE_TOKENS_PER_MESSAGE, TEMPLATE_TOKENS_PER_PROMPT);
  }

  async generate(messages: ChatMessage[], options: GenerateOptions = {}): Promise<GenerateResult> {
    if (this.#closer.signal.aborted) throw new CairnError('chat-model-closed', 'The chat model was closed');
    const signal = options.signal ? AbortSignal.any([options.signal, this.#closer.signal]) : this.#closer.signal;
    const splitter = new ThinkSplitter();
    let thought = '';
    let pieces = 0;
    let usageTokens: number | undefined;
    let finish: string | undefined;
    const passOn = (split: ReturnType<ThinkSplitter['push']>) => {
      for (const piece of split) {
        if (piece.kind === 'text') options.onText?.(piece.text);
        else options.onThought?.(piece.text);
      }
    };
    const finishWith = (stopReason: GenerateResult['stopReason']): GenerateResult => {
      passOn(splitter.flush());
      const split = splitter.result();
      // Servers that send no usage: most stream one token a chunk, so chunks approximate tokens.
      return { text: split.text, thought: thought + split.thought, stopReason, tokens: usageTokens ?? pieces };
    };

    // One timer for the whole exchange, restarted whenever the server sends something.
    const idle = new AbortController();
    let timer = setTimeout(() => idle.abort(), this.#timeoutMs);
    const stillTalking = () => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(), this.#timeoutMs);
    };
    const fetchSignal = AbortSignal.any([signal, idle.signal]);
    try {
      let response: Response;
      try {
        response = await fetch(`${this.#baseUrl}/chat/completions`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            ...(this.#apiKey ? { authorization: `Bearer ${this.#apiKey}` } : {}),
          },
          body: JSON.stringify({
            model: this.spec.model,
            messages: messages.map((m) => ({ role: m.role, content: m.content })),
            stream: true,
            ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
            ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
          }),
          signal: fetchSignal,
        });
      } catch (error) {
        if (signal.aborted) return finishWith('aborted');
        throw this.#connectionError(error, idle.signal.aborted);
      }
      if (!response.ok) {
        const body = await response.text().catch(() => '');
        throw this.#httpError(response, body);
      }
      stillTalking();

      try {
        for await (const data of serverSentEvents(response.body!, stillTalking)) {
          if (data === '[DONE]') break;
          const chunk = parseChunk(data);
          if (chunk === null) throw new CairnError('chat-bad-response', `The chat server at ${this.#baseUrl} sent something that is not JSON: ${truncateMessage(data)}`);
          if (chunk.error) {
            const message = typeof chunk.error === 'string' ? chunk.error : chunk.error.message;
            throw new CairnError('chat-server-error', `The chat server at ${this.#baseUrl} stopped with an error: ${truncateMessage(message)}`);
          }
          if (chunk.usage) usageTokens = chunk.usage.completion_tokens;
          const choice = chunk.choices?.[0];
          if (!choice) continue;
          const reasoning = choice.delta?.reasoning_content ?? choice.delta?.reasoning;
          const content = choice.delta?.content;
          if (reasoning) {
            thought += reasoning;
            options.onThought?.(reasoning);
          }
          if (content) passOn(splitter.push(content));
          if (reasoning || content) pieces++;
          if (choice.finish_reason) finish = choice.finish_reason;
        }
      } catch (error) {
        if (signal.aborted) return finishWith('aborted');
        if (error instanceof CairnError) throw error;
        throw this.#connectionError(error, idle.signal.aborted, true);
      }
      if (signal.aborted) return finishWith('aborted');
      if (finish === undefined) {
        // No finish_reason and no [DONE]: the stream was cut, not finished.
        throw new CairnError('chat-server-unreachable', `The chat server at ${this.#baseUrl} closed the connection before the answer was finished`);
      }
      return finishWith(finish === 'length' ? 'maxTokens' : 'end');
    } finally {
      clearTimeout(timer);
    }
  }

  #connectionError(error: unknown, timedOut: boolean, midAnswer = false): CairnError {
    if (timedOut) {
      return new CairnError(
        'chat-server-timeout',
        `The chat server at ${this.#baseUrl} sent nothing for ${this.#timeoutMs / 1000} s${midAnswer ? ' in the middle of the answer' : ''}`,
        { cause: error },
      );
    }
    const what = midAnswer ? 'lost the connection to' : 'cannot reach';
    return new CairnError('chat-server-unreachable', `Cairn ${what} the chat server at ${this.#baseUrl}: ${networkReason(error)}`, { cause: error });
  }

  #httpError(response: Response, body: string): CairnError {
    const { status } = response;
    const said = serverMessage(body);
    if (status === 401 || status === 403) {
      const hint = this.#apiKey ? 'rejected the API key' : 'needs an API key (none was given)';
      return new CairnError('chat-server-auth', `The chat server at ${this.#baseUrl} ${hint}: HTTP ${status}${said}`);
    }
    if (status === 404) {
      return new CairnError(
        'chat-model-unknown',
        `The chat server at ${this.#baseUrl} has no model "${this.spec.model}" or no /chat/completions endpoint (does the URL end in /v1?): HTTP 404${said}`,
      );
    }
    if (status === 429) {
      const wait = response.headers.get('retry-after');
      return new CairnError('chat-server-busy', `The chat server at ${this.#baseUrl} is busy or over its rate limit (HTTP 429${wait ? `, retry after ${wait} s` : ''})${said}`);
    }
    return new CairnError('chat-server-error', `The chat server at ${this.#baseUrl} answered HTTP ${status}${said}`);
  }

  async close(): Promise<void> {
    this.#closer.abort(new CairnError('chat-model-closed', 'The chat model was closed'));
  }
}

/** The data of each server-sent event (several data lines joined by newlines); comments and other fields are skipped. */
async function* serverSentEvents(body: ReadableStream<Uint8Array>, onBytes: () => void): AsyncGenerator<string> {
  let buffer = '';
  let data: string[] = [];
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value: bytes } = await reader.read();
      if (done) break;
      onBytes();
      buffer += decoder.decode(bytes, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        // A "\r" last in the buffer may be the first half of a "\r\n" still on its way.
        if (newline === buffer.length - 1 && buffer.endsWith('\r')) break;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) yield data.join('\n');
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
        }
      }
    }
    buffer += decoder.decode();
    if (buffer.startsWith('data:')) data.push(buffer.slice(buffer.startsWith('data: ') ? 6 : 5));
    if (data.length > 0) yield data.join('\n');
  } finally {
    // Stopping early ([DONE], an error, an abort) must not leave the connection open.
    reader.cancel().catch(() => {});
  }
}

function parseChunk(data: string): z.infer<typeof StreamChunk> | null {
  try {
    const parsed = StreamChunk.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
