// The OpenAI-compatible routes of the local API: GET /v1/models, POST /v1/chat/completions (whole
// or streamed as chat.completion.chunk events; with `"cairn": {"retrieval": true}` answered from
// the library, with citations) and POST /v1/embeddings. Errors have OpenAI's shape.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { CairnError, SearchFilters, type ChatSource, type SearchRequest, type SearchResponse } from '../contract/index.ts';
import { CitationStreamFilter, DEFAULT_CHAT_SETTINGS, NOTHING_FOUND_MESSAGE, resolveCitations } from '../chat/index.ts';
import type { Embedder } from '../embed/index.ts';
import type { ChatMessage, ChatModel } from '../llm/index.ts';
import { prepareGroundedAnswer, questionAndHistory, toApiCitation, type ApiCitation } from './grounded.ts';
import { EventStream, HttpError, sendJson, type RequestContext, type Route } from './http.ts';
import { ModelQueue } from './queue.ts';

/** What the API needs from the engine. */
export interface ApiEngine {
  chatModel(): Promise<ChatModel | { unavailable: string }>;
  currentEmbedder(): Embedder | { unavailable: string };
  search(request: SearchRequest): Promise<SearchResponse>;
}

/** A model name every request may use for "the model this server has", whatever its id. */
export const MODEL_ALIAS = 'cairn';
/** Inputs one embeddings request may hold (OpenAI's limit). */
const MAX_EMBEDDING_INPUTS = 2048;

// ---- request schemas -------------------------------------------------------------------------

const ContentPart = z.object({ type: z.string(), text: z.string().optional() });
const RequestMessage = z.object({
  role: z.string(),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
});

/** Cairn's extension of a chat request. */
const CairnChatOptions = z.strictObject({
  /** Answer from the library: search it, give the model the best passages, cite them. */
  retrieval: z.boolean().default(false),
  filters: SearchFilters.optional(),
  /** Search results considered. */
  k: z.number().int().min(1).max(50).optional(),
});

const ChatCompletionRequest = z.object({
  model: z.string().min(1),
  messages: z.array(RequestMessage).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  n: z.literal(1, { message: 'only n = 1 is supported' }).nullish(),
  cairn: CairnChatOptions.optional(),
});
type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

const EmbeddingsRequest = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.unknown())]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.number().int().min(1).nullish(),
});

/** 'messages[2].content' from a zod path. */
function paramPath(path: readonly PropertyKey[]): string | null {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || null;
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = paramPath(issue.path);
  throw new HttpError(400, 'invalid_request', `Invalid request${param ? ` at '${param}'` : ''}: ${issue.message}.`, { param });
}

/** OpenAI messages as the model's messages: text only, roles system (or developer), user and assistant. */
function toChatMessages(messages: z.infer<typeof RequestMessage>[]): ChatMessage[] {
  return messages.map((m, i) => {
    const role = m.role === 'developer' ? 'system' : m.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant') {
      throw new HttpError(400, 'unsupported_role', `Messages with role '${m.role}' are not supported (system, developer, user and assistant are).`, { param: `messages[${i}].role` });
    }
    let content: string;
    if (typeof m.content === 'string') content = m.content;
    else if (m.content == null) content = '';
    else {
      const other = m.content.findIndex((part) => part.type !== 'text' || part.text === undefined);
      if (other >= 0) {
        throw new HttpError(400, 'unsupported_content', `Only text content is supported (got a '${m.content[other]!.type}' part).`, { param: `messages[${i}].content[${other}]` });
      }
      content = m.content.map((part) => part.text).join('');
    }
    return { role, content };
  });
}

// ---- errors ----------------------------------------------------------------------------------

/** OpenAI's error body. */
export function openAiErrorBody(error: HttpError): { error: { message: string; type: string; param: string | null; code: string } } {
  const type =
    error.status === 401 ? 'authentication_error'
    : error.status === 429 ? 'rate_limit_error'
    : error.status >= 500 ? 'server_error'
    : 'invalid_request_error';
  return { error: { message: error.message, type, param: error.param, code: error.code } };
}

/** A failure of the chat model as the client sees it: its message, never its stack. */
function modelFailure(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof CairnError && (error.code === 'chat-prompt-too-long' || error.code === 'prompt-too-long')) {
    return new HttpError(400, 'context_length_exceeded', error.message, { param: 'messages' });
  }
  if (error instanceof CairnError && error.code === 'bad-request') return new HttpError(400, 'invalid_request', error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new HttpError(500, 'model_error', error instanceof CairnError ? message : `The chat model failed: ${message}`, { cause: error });
}

function modelNotFound(asked: string, kind: 'chat' | 'embedding', id: string): HttpError {
  return new HttpError(404, 'model_not_found', `The ${kind} model '${asked}' does not exist here: this server's ${kind} model is '${id}' (or say '${MODEL_ALIAS}'). GET /v1/models lists them.`, {
    param: 'model',
  });
}

// ---- responses -------------------------------------------------------------------------------

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Cairn's extension of a response in retrieval mode. */
interface CairnAnswerInfo {
  /** The search query used (a follow-up is rewritten into a standalone one). */
  query: string;
  rewritten: boolean;
  /** The sources the answer cites, in order of first citation; [n] in the text is citations' n. */
  citations: ApiCitation[];
  /** Every source the model was given, numbered as it saw them. */
  sources: (ApiCitation & { cited: boolean })[];
  /** How the search ran (e.g. keyword-only), or why nothing was asked of the model. */
  notices: { code: string; message: string }[];
}

/** Writes one completion: streamed chunk by chunk, or whole at the end. */
class CompletionWriter {
  private readonly id = `chatcmpl-${randomBytes(12).toString('hex')}`;
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly model: string;
  private readonly stream: EventStream | null;
  private readonly res: ServerResponse;
  private readonly includeUsage: boolean;
  private roleSent = false;

  constructor(res: ServerResponse, model: string, options: { stream: boolean; includeUsage: boolean }) {
    this.res = res;
    this.model = model;
    this.stream = options.stream ? new EventStream(res) : null;
    this.includeUsage = options.includeUsage;
  }

  /** Whether anything has been sent (then an error can only be told inside the stream). */
  get started(): boolean {
    return this.res.headersSent;
  }

  private chunk(choices: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, system_fingerprint: null, choices, ...extra };
  }

  delta(delta: { content?: string; reasoning_content?: string }): void {
    if (!this.stream) return;
    const first = this.roleSent ? {} : { role: 'assistant' };
    this.roleSent = true;
    this.stream.send(this.chunk([{ index: 0, delta: { ...first, ...delta }, logprobs: null, finish_reason: null }]));
  }

  finish(answer: { content: string; thought: string; finishReason: 'stop' | 'length'; usage: Usage; cairn?: CairnAnswerInfo }): void {
    const cairn = answer.cairn ? { cairn: answer.cairn } : {};
    if (this.stream) {
      if (!this.roleSent) this.delta({ content: '' });
      this.stream.send(this.chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: answer.finishReason }], cairn));
      if (this.includeUsage) this.stream.send(this.chunk([], { usage: answer.usage }));
      this.stream.send('[DONE]');
      this.stream.end();
      return;
    }
    const message = { role: 'assistant', content: answer.content, ...(answer.thought ? { reasoning_content: answer.thought } : {}) };
    sendJson(this.res, 200, {
      id: this.id, object: 'chat.completion', created: this.created, model: this.model, system_fingerprint: null,
      choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
      usage: answer.usage,
      ...cairn,
    });
  }

  /** A failure after the stream started: an error event, then the end of the stream. */
  failInStream(error: HttpError): void {
    this.stream?.send(openAiErrorBody(error));
    this.stream?.send('[DONE]');
    this.stream?.end();
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }
}

// ---- routes ----------------------------------------------------------------------------------

export interface ApiRoutesOptions {
  engine: ApiEngine;
  /** Requests that may wait for a model while it serves another (then 429). Default 8. */
  maxWaiting?: number;
  /** Told about model failures (500s), for the server's log. */
  onError?(error: unknown): void;
}

export function apiRoutes(options: ApiRoutesOptions): Route[] {
  const { engine } = options;
  const maxWaiting = options.maxWaiting ?? 8;
  const chatQueue = new ModelQueue('chat model', { maxWaiting });
  const embedQueue = new ModelQueue('embedding model', { maxWaiting });
  const started = Math.floor(Date.now() / 1000);
  const modelObject = (id: string) => ({ id, object: 'model', created: started, owned_by: 'cairn' });

  async function listedModels(): Promise<string[]> {
    const chat = await engine.chatModel();
    const embedder = engine.currentEmbedder();
    return [...('unavailable' in chat ? [] : [chat.key]), ...('unavailable' in embedder ? [] : [embedder.key])];
  }

  async function openChat(): Promise<ChatModel> {
    const found = await engine.chatModel();
    if ('unavailable' in found) throw new HttpError(503, 'no_chat_model', found.unavailable);
    return found;
  }

  function openEmbedder(): Embedder {
    const found = engine.currentEmbedder();
    if ('unavailable' in found) {
      throw new HttpError(503, 'no_embedding_model', `${found.unavailable} Choose one with \`cairn embedder set --gguf FILE\` (or --url URL --model NAME).`);
    }
    return found;
  }

  async function chatCompletions(context: RequestContext): Promise<void> {
    const body = parseBody(ChatCompletionRequest, await context.readJson());
    const messages = toChatMessages(body.messages);
    const model = await openChat();
    if (body.model !== model.key && body.model !== MODEL_ALIAS) throw modelNotFound(body.model, 'chat', model.key);
    const writer = new CompletionWriter(context.res, model.key, { stream: body.stream === true, includeUsage: body.stream_options?.include_usage === true });
    await chatQueue.run(context.signal, async () => {
      if (body.cairn?.retrieval) await groundedAnswer(context, body, messages, model, writer);
      else await generateAnswer(context, model, writer, { messages, request: body, citable: null });
    });
  }

  async function groundedAnswer(context: RequestContext, body: ChatCompletionRequest, messages: ChatMessage[], model: ChatModel, writer: CompletionWriter): Promise<void> {
    const asked = questionAndHistory(messages);
    if (!asked) throw new HttpError(400, 'invalid_request', "In retrieval mode the last message must be the user's question.", { param: 'messages' });
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
    let prepared;
    try {
      prepared = await prepareGroundedAnswer((request) => engine.search(request), model, {
        ...asked,
        filters: body.cairn?.filters ?? {},
        ...(body.cairn?.k === undefined ? {} : { k: body.cairn.k }),
        ...(maxTokens === undefined ? {} : { maxAnswerTokens: maxTokens }),
        rewriter: model,
        signal: context.signal,
      });
    } catch (error) {
      if (context.signal.aborted) throw error;
      throw modelFailure(error);
    }
    const notices = prepared.notice ? [{ code: 'search', message: prepared.notice }] : [];
    if (!prepared.found) {
      // As in Cairn's own chat: nothing relevant, so the model is not asked (it could only guess).
      writer.delta({ content: NOTHING_FOUND_MESSAGE });
      writer.finish({
        content: NOTHING_FOUND_MESSAGE, thought: '', finishReason: 'stop', usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        cairn: { query: prepared.query, rewritten: prepared.rewritten, citations: [], sources: [], notices: [...notices, { code: 'nothing-found', message: NOTHING_FOUND_MESSAGE }] },
      });
      return;
    }
    const { prompt } = prepared;
    await generateAnswer(context, model, writer, {
      messages: prompt.messages,
      request: { ...body, max_tokens: prompt.maxAnswerTokens, max_completion_tokens: null, temperature: body.temperature ?? DEFAULT_CHAT_SETTINGS.temperature },
      promptTokens: prompt.promptTokens,
      citable: {
        sources: prompt.sources,
        info: (cited) => ({
          query: prepared.query,
          rewritten: prepared.rewritten,
          citations: cited.map((n) => toApiCitation(prompt.sources.find((s) => s.n === n)!)),
          sources: prompt.sources.map((s) => ({ ...toApiCitation(s), cited: cited.includes(s.n) })),
          notices,
        }),
      },
    });
  }

  async function generateAnswer(
    context: RequestContext,
    model: ChatModel,
    writer: CompletionWriter,
    job: {
      messages: ChatMessage[];
      request: Pick<ChatCompletionRequest, 'max_tokens' | 'max_completion_tokens' | 'temperature'>;
      promptTokens?: number;
      /** In retrieval mode: the numbered sources, and Cairn's part of the response given the numbers cited. */
      citable: { sources: ChatSource[]; info: (cited: number[]) => CairnAnswerInfo } | null;
    },
  ): Promise<void> {
    const given = job.citable?.sources.map((s) => s.n) ?? null;
    // In retrieval mode the answer is shown as Cairn's chat shows it: invented [n] removed, no leading space.
    let leading = given !== null;
    const emit = (piece: string) => {
      const text = leading ? piece.trimStart() : piece;
      if (!text) return;
      leading = false;
      writer.delta({ content: text });
    };
    const filter = given ? new CitationStreamFilter(given, emit) : null;
    let raw = '';
    let thought = '';
    const onText = (piece: string) => {
      raw += piece;
      if (filter) filter.push(piece);
      else emit(piece);
    };
    const maxTokens = job.request.max_completion_tokens ?? job.request.max_tokens ?? undefined;
    const temperature = job.request.temperature ?? undefined;
    let result;
    let failure: unknown;
    try {
      result = await model.generate(job.messages, {
        ...(maxTokens === undefined ? {} : { maxTokens }),
        ...(temperature === undefined ? {} : { temperature }),
        signal: context.signal,
        onText,
        onThought: (piece) => {
          thought += piece;
          writer.delta({ reasoning_content: piece });
        },
      });
    } catch (error) {
      failure = error;
    }
    if (context.signal.aborted) {
      if (!context.closing.aborted) {
        writer.end(); // the client left: no one to tell
        return;
      }
      // The server is closing (Ctrl-C, SIGTERM): a stream under way ends with an error event, so
      // that a client can tell a cut-short answer from a whole one.
      if (!writer.started) throw new HttpError(503, 'server_closing', 'The server is shutting down.');
      writer.failInStream(new HttpError(503, 'server_closing', 'The server is shutting down: the answer was cut short.'));
      return;
    }
    if (failure !== undefined) {
      const error = modelFailure(failure);
      if (error.status >= 500) options.onError?.(failure);
      if (!writer.started) throw error;
      writer.failInStream(error);
      return;
    }
    // A backend that does not stream gives the whole answer at the end.
    if (!raw && result!.text) onText(result!.text);
    filter?.flush();
    const resolved = given ? resolveCitations(raw, given) : { text: raw, cited: [] };
    const promptTokens = job.promptTokens ?? model.countPromptTokens(job.messages);
    const completionTokens = result!.tokens;
    writer.finish({
      content: given ? resolved.text.trim() : resolved.text,
      thought: result!.thought || thought,
      finishReason: result!.stopReason === 'maxTokens' ? 'length' : 'stop',
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      ...(job.citable ? { cairn: job.citable.info(resolved.cited) } : {}),
    });
  }

  async function embeddings(context: RequestContext): Promise<void> {
    const body = parseBody(EmbeddingsRequest, await context.readJson());
    const texts = typeof body.input === 'string' ? [body.input] : body.input;
    if (texts.length === 0) throw new HttpError(400, 'invalid_request', "'input' must not be an empty array.", { param: 'input' });
    if (texts.length > MAX_EMBEDDING_INPUTS) throw new HttpError(400, 'invalid_request', `'input' may hold at most ${MAX_EMBEDDING_INPUTS} texts.`, { param: 'input' });
    texts.forEach((text, i) => {
      const param = typeof body.input === 'string' ? 'input' : `input[${i}]`;
      if (typeof text !== 'string') {
        throw new HttpError(400, 'invalid_request', typeof text === 'number' || Array.isArray(text) ? 'Token arrays are not supported: send the text.' : `'${param}' must be a string.`, { param });
      }
      if (text === '') throw new HttpError(400, 'invalid_request', `'${param}' must not be empty.`, { param });
    });
    const strings = texts as string[];
    const embedder = openEmbedder();
    if (body.model !== embedder.key && body.model !== MODEL_ALIAS) throw modelNotFound(body.model, 'embedding', embedder.key);
    if (body.dimensions != null && body.dimensions !== embedder.dimensions) {
      throw new HttpError(400, 'invalid_request', `This embedding model gives ${embedder.dimensions} dimensions; it cannot give ${body.dimensions}.`, { param: 'dimensions' });
    }
    let vectors: Float32Array[];
    try {
      // The client's own text, as given: no query or document prefix is Cairn's to add here.
      vectors = await embedQueue.run(context.signal, () => embedder.embedRaw(strings, context.signal));
    } catch (error) {
      if (context.signal.aborted || error instanceof HttpError) throw error;
      options.onError?.(error);
      throw new HttpError(500, 'model_error', error instanceof CairnError ? error.message : `The embedding model failed: ${(error as Error).message}`);
    }
    const tokens = strings.reduce((sum, text) => sum + embedder.countTokens(text), 0);
    const base64 = body.encoding_format === 'base64';
    sendJson(context.res, 200, {
      object: 'list',
      data: vectors.map((v, index) => ({
        object: 'embedding',
        index,
        // base64: the little-endian float32 bytes, as OpenAI sends them.
        embedding: base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v),
      })),
      model: embedder.key,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  return [
    {
      method: 'GET',
      path: '/v1/models',
      handle: async ({ res }) => sendJson(res, 200, { object: 'list', data: (await listedModels()).map(modelObject) }),
    },
    {
      method: 'GET',
      path: '/v1/models/:id',
      handle: async ({ res, params }) => {
        const id = params.id!;
        const known = await listedModels();
        if (!known.includes(id)) throw new HttpError(404, 'model_not_found', `The model '${id}' does not exist here (GET /v1/models lists them).`, { param: 'model' });
        sendJson(res, 200, modelObject(id));
      },
    },
    { method: 'POST', path: '/v1/chat/completions', handle: chatCompletions },
    { method: 'POST', path: '/v1/embeddings', handle: embeddings },
  ];
}
