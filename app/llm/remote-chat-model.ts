// The remote backend: any server that speaks OpenAI's POST /v1/chat/completions with streaming
// (llama-server, Ollama, LM Studio, vLLM, OpenAI itself). Tools, tool choice, response formats
// and stop strings are passed through as given; the server's refusal comes back as a refusal, and
// a stop string a server ignores is still never passed on.
import { z } from 'zod';
import { CairnError } from '../contract/index.ts';
import type { ChatMessage, ChatModel, ChatModelSpec, CompleteOptions, GenerateOptions, GenerateResult, SamplingOptions, ToolCall, ToolDefinition } from './chat-model.ts';
import { StopSequences } from './stop-sequences.ts';
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
            tool_calls: z
              .array(
                z.object({
                  index: z.number().int().nonnegative().optional(),
                  id: z.string().nullish(),
                  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        /** /completions sends text instead of a delta. */
        text: z.string().nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: z.object({ completion_tokens: z.number().int().nonnegative(), prompt_tokens: z.number().int().nonnegative().optional() }).nullish(),
  error: z.union([z.string(), z.object({ message: z.string() })]).nullish(),
});
type StreamChunk = z.infer<typeof StreamChunk>;

/** What a streamed exchange ended with. */
type Ending = { finish: string; usage: { completion: number; prompt?: number } | null } | 'aborted' | 'stopped';

export class RemoteChatModel implements ChatModel {
  readonly key: string;
  readonly spec: OpenAiChatModelSpec;
  readonly contextSize: number;
  /** Passed through: the server says whether it can (a refusal comes back as a refusal). */
  readonly features = { tools: true, jsonOutput: true, infill: true };
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
  countPromptTokens(messages: ChatMessage[], options: { tools?: ToolDefinition[] } = {}): number {
    const tools = options.tools?.length ? estimateServerTokens(JSON.stringify(options.tools)) + TEMPLATE_TOKENS_PER_MESSAGE : 0;
    return messages.reduce(
      (sum, m) => sum + estimateServerTokens(m.content) + (m.toolCalls ? estimateServerTokens(JSON.stringify(m.toolCalls)) : 0) + TEMPLATE_TOKENS_PER_MESSAGE,
      TEMPLATE_TOKENS_PER_PROMPT + tools,
    );
  }

  async generate(messages: ChatMessage[], options: GenerateOptions = {}): Promise<GenerateResult> {
    const splitter = new ThinkSplitter();
    const stops = new StopSequences(options.stop);
    const calls = new Map<number, ToolCall>();
    let thought = '';
    let pieces = 0;
    const passOn = (split: ReturnType<ThinkSplitter['push']>) => {
      for (const piece of split) {
        if (piece.kind === 'thought') options.onThought?.(piece.text);
        else {
          const text = stops.push(piece.text);
          if (text) options.onText?.(text);
        }
      }
    };
    const ending = await this.#exchange('/chat/completions', chatBody(this.spec.model, messages, options), options.signal, (choice) => {
      const reasoning = choice.delta?.reasoning_content ?? choice.delta?.reasoning;
      const content = choice.delta?.content;
      if (reasoning) {
        thought += reasoning;
        options.onThought?.(reasoning);
      }
      if (content) passOn(splitter.push(content));
      if (reasoning || content) pieces++;
      // A call arrives in pieces: the first with its id and name, then its arguments a bit at a time.
      for (const [i, delta] of (choice.delta?.tool_calls ?? []).entries()) {
        const index = delta.index ?? i;
        const call = calls.get(index) ?? { id: '', name: '', arguments: '' };
        call.id ||= delta.id ?? '';
        call.name ||= delta.function?.name ?? '';
        call.arguments += delta.function?.arguments ?? '';
        calls.set(index, call);
      }
      return stops.stopped;
    });
    passOn(splitter.flush());
    const tail = stops.flush();
    if (tail) options.onText?.(tail);
    const split = splitter.result();
    const toolCalls = [...calls.values()].map((call, i) => ({ ...call, id: call.id || `call_${i}` }));
    const usage = typeof ending === 'object' ? ending.usage : null;
    return {
      // The whole answer is cut at a stop too (the streamed one was cut as it came).
      text: cutAtStop(split.text, options.stop),
      thought: thought + split.thought,
      stopReason: stopReasonOf(ending, toolCalls.length > 0),
      ...(toolCalls.length ? { toolCalls } : {}),
      // Servers that send no usage: most stream one token a chunk, so chunks approximate tokens.
      tokens: usage?.completion ?? pieces,
      ...(usage?.prompt === undefined ? {} : { promptTokens: usage.prompt }),
    };
  }

  /** The server's /completions (llama-server, Ollama, vLLM have it; a server without it answers 404). */
  async complete(prompt: string, options: CompleteOptions = {}): Promise<GenerateResult> {
    const stops = new StopSequences(options.stop);
    let text = '';
    let pieces = 0;
    const ending = await this.#exchange(
      '/completions',
      {
        model: this.spec.model,
        prompt,
        ...(options.suffix === undefined ? {} : { suffix: options.suffix }),
        stream: true,
        ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
        ...(options.stop?.length ? { stop: options.stop } : {}),
        ...samplingBody(options),
      },
      options.signal,
      (choice) => {
        const piece = stops.push(choice.text ?? '');
        if (choice.text) pieces++;
        if (piece) {
          text += piece;
          options.onText?.(piece);
        }
        return stops.stopped;
      },
    );
    const tail = stops.flush();
    if (tail) {
      text += tail;
      options.onText?.(tail);
    }
    const usage = typeof ending === 'object' ? ending.usage : null;
    return {
      text, thought: '', stopReason: stopReasonOf(ending, false), tokens: usage?.completion ?? pieces,
      ...(usage?.prompt === undefined ? {} : { promptTokens: usage.prompt }),
    };
  }

  /**
   * One streamed request: each choice as it comes to `onChoice`, which returns true when it has
   * what it needs (a stop string was reached: the rest is not waited for).
   */
  async #exchange(path: string, body: unknown, callerSignal: AbortSignal | undefined, onChoice: (choice: NonNullable<StreamChunk['choices']>[number]) => boolean): Promise<Ending> {
    if (this.#closer.signal.aborted) throw new CairnError('chat-model-closed', 'The chat model was closed');
    const signal = callerSignal ? AbortSignal.any([callerSignal, this.#closer.signal]) : this.#closer.signal;
    let usage: { completion: number; prompt?: number } | null = null;
    let finish: string | undefined;
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
        response = await fetch(`${this.#baseUrl}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            ...(this.#apiKey ? { authorization: `Bearer ${this.#apiKey}` } : {}),
          },
          body: JSON.stringify(body),
          signal: fetchSignal,
        });
      } catch (error) {
        if (signal.aborted) return 'aborted';
        throw this.#connectionError(error, idle.signal.aborted);
      }
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        throw this.#httpError(response, text, path);
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
          if (chunk.usage) usage = { completion: chunk.usage.completion_tokens, ...(chunk.usage.prompt_tokens === undefined ? {} : { prompt: chunk.usage.prompt_tokens }) };
          const choice = chunk.choices?.[0];
          if (!choice) continue;
          if (choice.finish_reason) finish = choice.finish_reason;
          if (onChoice(choice)) return 'stopped';
        }
      } catch (error) {
        if (signal.aborted) return 'aborted';
        if (error instanceof CairnError) throw error;
        throw this.#connectionError(error, idle.signal.aborted, true);
      }
      if (signal.aborted) return 'aborted';
      if (finish === undefined) {
        // No finish_reason and no [DONE]: the stream was cut, not finished.
        throw new CairnError('chat-server-unreachable', `The chat server at ${this.#baseUrl} closed the connection before the answer was finished`);
      }
      return { finish, usage };
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

  #httpError(response: Response, body: string, path: string): CairnError {
    const { status } = response;
    const said = serverMessage(body);
    if (status === 401 || status === 403) {
      const hint = this.#apiKey ? 'rejected the API key' : 'needs an API key (none was given)';
      return new CairnError('chat-server-auth', `The chat server at ${this.#baseUrl} ${hint}: HTTP ${status}${said}`);
    }
    if (status === 404) {
      return new CairnError(
        'chat-model-unknown',
        `The chat server at ${this.#baseUrl} has no model "${this.spec.model}" or no ${path} endpoint (does the URL end in /v1?): HTTP 404${said}`,
      );
    }
    if (status === 429) {
      const wait = response.headers.get('retry-after');
      return new CairnError('chat-server-busy', `The chat server at ${this.#baseUrl} is busy or over its rate limit (HTTP 429${wait ? `, retry after ${wait} s` : ''})${said}`);
    }
    // The server refused the request itself (tools or a format it cannot do, a bad parameter): the client's to fix.
    if (status === 400 || status === 422) return new CairnError('chat-server-refused', `The chat server at ${this.#baseUrl} refused the request: HTTP ${status}${said}`);
    return new CairnError('chat-server-error', `The chat server at ${this.#baseUrl} answered HTTP ${status}${said}`);
  }

  async close(): Promise<void> {
    this.#closer.abort(new CairnError('chat-model-closed', 'The chat model was closed'));
  }
}

function stopReasonOf(ending: Ending, calledTools: boolean): GenerateResult['stopReason'] {
  if (ending === 'aborted') return 'aborted';
  if (ending === 'stopped') return 'end';
  if (calledTools || ending.finish === 'tool_calls') return 'toolCalls';
  return ending.finish === 'length' ? 'maxTokens' : 'end';
}

/** The text up to the first stop string. */
function cutAtStop(text: string, stops: readonly string[] | undefined): string {
  let end = text.length;
  for (const stop of stops ?? []) {
    const at = stop ? text.indexOf(stop) : -1;
    if (at >= 0 && at < end) end = at;
  }
  return text.slice(0, end);
}

function samplingBody(options: SamplingOptions): Record<string, number> {
  return {
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.topP === undefined ? {} : { top_p: options.topP }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.frequencyPenalty === undefined ? {} : { frequency_penalty: options.frequencyPenalty }),
    ...(options.presencePenalty === undefined ? {} : { presence_penalty: options.presencePenalty }),
  };
}

/** A chat request as OpenAI's API has it: tools, tool choice, format and stop passed through as given. */
function chatBody(model: string, messages: ChatMessage[], options: GenerateOptions): Record<string, unknown> {
  const tools = options.tools ?? [];
  const choice = options.toolChoice;
  const format = options.responseFormat;
  return {
    model,
    messages: messages.map((m) => ({
      role: m.role,
      content: m.content,
      ...(m.toolCalls?.length ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
      ...(m.role === 'tool' ? { tool_call_id: m.toolCallId } : {}),
    })),
    stream: true,
    ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
    ...samplingBody(options),
    ...(options.stop?.length ? { stop: options.stop } : {}),
    ...(tools.length
      ? {
          tools: tools.map((t) => ({ type: 'function', function: { name: t.name, ...(t.description ? { description: t.description } : {}), ...(t.parameters ? { parameters: t.parameters } : {}) } })),
          ...(choice === undefined ? {} : { tool_choice: typeof choice === 'object' ? { type: 'function', function: { name: choice.name } } : choice }),
          ...(options.parallelToolCalls === undefined ? {} : { parallel_tool_calls: options.parallelToolCalls }),
        }
      : {}),
    ...(format?.type === 'json_object' ? { response_format: { type: 'json_object' } } : {}),
    ...(format?.type === 'json_schema'
      ? { response_format: { type: 'json_schema', json_schema: { name: format.name, schema: format.schema, ...(format.strict === undefined ? {} : { strict: format.strict }) } } }
      : {}),
  };
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
