// The OpenAI-compatible routes of the local API: GET /v1/models (and /v1/models/{id}), POST
// /v1/chat/completions (whole or streamed; stop strings, tools, JSON formats; with `"cairn":
// {"retrieval": true}` answered from the library, with citations), POST /v1/completions (a
// prompt completed, with a suffix where the model can fill in the middle) and POST
// /v1/embeddings. Errors have OpenAI's shape; what cannot be honoured is refused, never ignored.
import { CairnError, type ChatSource, type SearchRequest, type SearchResponse } from '../contract/index.ts';
import { CitationStreamFilter, DEFAULT_CHAT_SETTINGS, NOTHING_FOUND_MESSAGE, resolveCitations, sourcesMarkdown } from '../chat/index.ts';
import type { Embedder } from '../embed/index.ts';
import type { ChatMessage, ChatModel, GenerateOptions, GenerateResult } from '../llm/index.ts';
import { CompletionWriter, type FinishReason } from './completion-writer.ts';
import { embeddingsHandler } from './embeddings.ts';
import { prepareGroundedAnswer, questionAndHistory, toApiCitation, type ApiCitation } from './grounded.ts';
import { HttpError, sendJson, type RequestContext, type Route } from './http.ts';
import { ChatCompletionRequest, CompletionRequest, generateOptionsOf, parseBody, samplingOf, stopOf, toChatMessages } from './openai-request.ts';
import { ModelQueue } from './queue.ts';

export { openAiErrorBody } from './completion-writer.ts';

/** What the API needs from the engine. */
export interface ApiEngine {
  chatModel(): Promise<ChatModel | { unavailable: string }>;
  currentEmbedder(): Embedder | { unavailable: string };
  search(request: SearchRequest): Promise<SearchResponse>;
}

/** The chat model's id for every request and every client, whichever model is configured (stable across switches). */
export const MODEL_ALIAS = 'cairn';
/** The embedding model's id, likewise; "embedding" in it keeps model pickers from offering it for chat. */
export const EMBEDDING_ALIAS = 'cairn-embedding';

/** A failure of the chat model as the client sees it: its message, never its stack. */
function modelFailure(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof CairnError) {
    if (error.code === 'chat-prompt-too-long' || error.code === 'prompt-too-long') return new HttpError(400, 'context_length_exceeded', error.message, { param: 'messages' });
    // The request asked for something this model cannot do, or the remote server refused it: the client's to change.
    if (error.code === 'bad-request' || error.code === 'chat-server-refused') return new HttpError(400, 'invalid_request', error.message);
    return new HttpError(500, 'model_error', error.message, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new HttpError(500, 'model_error', `The chat model failed: ${message}`, { cause: error });
}

function wrongModel(asked: string, kind: 'chat' | 'embedding'): HttpError {
  const alias = kind === 'chat' ? MODEL_ALIAS : EMBEDDING_ALIAS;
  const other = kind === 'chat' ? EMBEDDING_ALIAS : MODEL_ALIAS;
  const hint = asked === other ? ` '${other}' is the ${kind === 'chat' ? 'embedding' : 'chat'} model.` : '';
  return new HttpError(404, 'model_not_found', `The ${kind} model '${asked}' does not exist here: say '${alias}' for this server's ${kind} model.${hint} GET /v1/models lists them.`, {
    param: 'model',
  });
}

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

export interface ApiRoutesOptions {
  engine: ApiEngine;
  /** Requests that may wait for a model while it serves another (then 429). Default 8. */
  maxWaiting?: number;
  /** Whether a retrieval answer lists its sources in its text when the request does not say (the local API setting). Default: no. */
  appendSources?: () => boolean;
  /** How often a stream that has nothing to send yet says it is alive. Default 3 s. */
  keepAliveMs?: number;
  /** Told about model failures (500s), for the server's log. */
  onError?(error: unknown): void;
}

export function apiRoutes(options: ApiRoutesOptions): Route[] {
  const { engine } = options;
  const maxWaiting = options.maxWaiting ?? 8;
  const chatQueue = new ModelQueue('chat model', { maxWaiting });
  const started = Math.floor(Date.now() / 1000);

  async function modelObjects(): Promise<Record<string, unknown>[]> {
    const chat = await engine.chatModel();
    const embedder = engine.currentEmbedder();
    const object = (id: string, about: Record<string, unknown>) => ({ id, object: 'model', created: started, owned_by: 'cairn', cairn: about });
    return [
      ...('unavailable' in chat ? [] : [object(MODEL_ALIAS, { kind: 'chat', model: chat.key, contextSize: chat.contextSize })]),
      ...('unavailable' in embedder ? [] : [object(EMBEDDING_ALIAS, { kind: 'embedding', model: embedder.key, dimensions: embedder.dimensions })]),
    ];
  }

  async function openChat(asked: string): Promise<ChatModel> {
    const found = await engine.chatModel();
    if ('unavailable' in found) throw new HttpError(503, 'no_chat_model', found.unavailable);
    if (asked !== MODEL_ALIAS && asked !== found.key) throw wrongModel(asked, 'chat');
    return found;
  }

  function openEmbedder(): Embedder {
    const found = engine.currentEmbedder();
    if ('unavailable' in found) {
      throw new HttpError(503, 'no_embedding_model', `${found.unavailable} Choose one with \`cairn embedder set --gguf FILE\` (or --url URL --model NAME).`);
    }
    return found;
  }

  /**
   * Runs one generation for a request: null when it ended without a result (the client left, the
   * server is closing, the model failed), after the writer said what could still be said.
   */
  async function generation(context: RequestContext, writer: CompletionWriter, run: () => Promise<GenerateResult>): Promise<GenerateResult | null> {
    let result: GenerateResult | undefined;
    let failure: unknown;
    try {
      result = await run();
    } catch (error) {
      failure = error;
    }
    if (context.signal.aborted) {
      failAfterAbort(context, writer);
      return null;
    }
    if (failure !== undefined) {
      const error = modelFailure(failure);
      if (error.status >= 500) options.onError?.(failure);
      if (!writer.started) throw error;
      writer.failInStream(error);
      return null;
    }
    return result!;
  }

  function failAfterAbort(context: RequestContext, writer: CompletionWriter): void {
    if (!context.closing.aborted) {
      writer.end(); // the client left: no one to tell
      return;
    }
    // The server is closing (Ctrl-C, SIGTERM): a stream under way ends with an error event, so
    // that a client can tell a cut-short answer from a whole one.
    if (!writer.started) throw new HttpError(503, 'server_closing', 'The server is shutting down.');
    writer.failInStream(new HttpError(503, 'server_closing', 'The server is shutting down: the answer was cut short.'));
  }

  /** Waits for the model's turn with the stream already open; what fails meanwhile is told in it. */
  async function inTurn(context: RequestContext, writer: CompletionWriter, work: () => Promise<void>): Promise<void> {
    const place = chatQueue.join(context.signal);
    try {
      writer.open();
      await place.turn;
      await work();
    } catch (error) {
      if (context.signal.aborted) return failAfterAbort(context, writer);
      if (!writer.started) throw error instanceof HttpError ? error : modelFailure(error);
      const failure = modelFailure(error);
      if (failure.status >= 500) options.onError?.(error);
      writer.failInStream(failure);
    } finally {
      place.release();
    }
  }

  async function chatCompletions(context: RequestContext): Promise<void> {
    const body = parseBody(ChatCompletionRequest, await context.readJson());
    const messages = toChatMessages(body.messages);
    const model = await openChat(body.model);
    const retrieval = body.cairn?.retrieval === true;
    if (retrieval && (body.tools?.length || (body.response_format && body.response_format.type !== 'text'))) {
      throw new HttpError(400, 'invalid_request', 'A retrieval answer (cairn.retrieval) is prose that cites the library: it cannot call tools or be held to a JSON format.', {
        param: body.tools?.length ? 'tools' : 'response_format',
      });
    }
    const generate = generateOptionsOf(body, messages, model);
    const writer = new CompletionWriter(context.res, model.key, {
      kind: 'chat', stream: body.stream === true, includeUsage: body.stream_options?.include_usage === true,
      ...(options.keepAliveMs === undefined ? {} : { keepAliveMs: options.keepAliveMs }),
    });
    await inTurn(context, writer, async () => {
      if (retrieval) await groundedAnswer(context, body, messages, model, writer, generate);
      else await generateAnswer(context, model, writer, { messages, generate, citable: null });
    });
  }

  async function groundedAnswer(
    context: RequestContext,
    body: ChatCompletionRequest,
    messages: ChatMessage[],
    model: ChatModel,
    writer: CompletionWriter,
    generate: Omit<GenerateOptions, 'signal' | 'onText' | 'onThought'>,
  ): Promise<void> {
    const asked = questionAndHistory(messages);
    if (!asked) throw new HttpError(400, 'invalid_request', "In retrieval mode the last message must be the user's question.", { param: 'messages' });
    const prepared = await prepareGroundedAnswer((request) => engine.search(request), model, {
      ...asked,
      filters: body.cairn?.filters ?? {},
      ...(body.cairn?.k === undefined ? {} : { k: body.cairn.k }),
      ...(generate.maxTokens === undefined ? {} : { maxAnswerTokens: generate.maxTokens }),
      rewriter: model,
      signal: context.signal,
    });
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
      generate: { ...generate, maxTokens: prompt.maxAnswerTokens, temperature: generate.temperature ?? DEFAULT_CHAT_SETTINGS.temperature },
      promptTokens: prompt.promptTokens,
      citable: {
        sources: prompt.sources,
        appendSources: body.cairn?.appendSources ?? options.appendSources?.() ?? false,
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
      generate: Omit<GenerateOptions, 'signal' | 'onText' | 'onThought'>;
      promptTokens?: number;
      /** In retrieval mode: the numbered sources, whether to list the cited ones in the text, and Cairn's part of the response. */
      citable: { sources: ChatSource[]; appendSources: boolean; info: (cited: number[]) => CairnAnswerInfo } | null;
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
    const result = await generation(context, writer, () =>
      model.generate(job.messages, {
        ...job.generate,
        signal: context.signal,
        onText,
        onThought: (piece) => {
          thought += piece;
          writer.delta({ reasoning_content: piece });
        },
      }),
    );
    if (!result) return;
    // A backend that does not stream gives the whole answer at the end.
    if (!raw && result.text) onText(result.text);
    filter?.flush();
    const resolved = given ? resolveCitations(raw, given) : { text: raw, cited: [] };
    let content = given ? resolved.text.trim() : resolved.text;
    if (job.citable?.appendSources && resolved.cited.length) {
      const list = sourcesMarkdown(resolved.cited.map((n) => job.citable!.sources.find((s) => s.n === n)!));
      writer.delta({ content: list });
      content += list;
    }
    const promptTokens = result.promptTokens ?? job.promptTokens ?? model.countPromptTokens(job.messages, job.generate.tools ? { tools: job.generate.tools } : {});
    writer.finish({
      content,
      thought: result.thought || thought,
      finishReason: finishReasonOf(result),
      usage: usageOf(promptTokens, result.tokens),
      ...(result.toolCalls?.length ? { toolCalls: result.toolCalls } : {}),
      ...(job.citable ? { cairn: job.citable.info(resolved.cited) } : {}),
    });
  }

  async function completions(context: RequestContext): Promise<void> {
    const body = parseBody(CompletionRequest, await context.readJson());
    const prompt = Array.isArray(body.prompt) && body.prompt.length === 1 ? body.prompt[0] : body.prompt;
    if (typeof prompt !== 'string') {
      throw new HttpError(400, 'unsupported_value', "'prompt' must be one text (token arrays and several prompts at once are not supported).", { param: 'prompt' });
    }
    const model = await openChat(body.model);
    if (!model.complete) throw new HttpError(400, 'unsupported_parameter', `The chat model '${model.key}' only chats: it cannot complete a plain prompt (use /v1/chat/completions).`, { param: 'prompt' });
    if (body.suffix != null && !model.features?.infill) {
      throw new HttpError(400, 'unsupported_parameter', `The model '${model.key}' has no fill-in-the-middle tokens, so it cannot complete with a suffix: leave out 'suffix', or choose a code model that has them.`, {
        param: 'suffix',
      });
    }
    const writer = new CompletionWriter(context.res, model.key, {
      kind: 'text', stream: body.stream === true, includeUsage: body.stream_options?.include_usage === true,
      ...(options.keepAliveMs === undefined ? {} : { keepAliveMs: options.keepAliveMs }),
    });
    const stop = stopOf(body.stop);
    await inTurn(context, writer, async () => {
      let text = '';
      const result = await generation(context, writer, () =>
        model.complete!(prompt, {
          maxTokens: body.max_tokens,
          ...samplingOf(body),
          ...(stop ? { stop } : {}),
          ...(body.suffix == null ? {} : { suffix: body.suffix }),
          signal: context.signal,
          onText: (piece) => {
            text += piece;
            writer.delta({ content: piece });
          },
        }),
      );
      if (!result) return;
      if (!text && result.text) {
        text = result.text;
        writer.delta({ content: text });
      }
      writer.finish({
        content: text, thought: '', finishReason: finishReasonOf(result),
        usage: usageOf(result.promptTokens ?? model.countTokens(prompt), result.tokens),
      });
    });
  }

  const embeddings = embeddingsHandler({
    embedder: openEmbedder,
    accepts: (model, embedder) => model === EMBEDDING_ALIAS || model === MODEL_ALIAS || model === embedder.key,
    ...(options.onError ? { onError: options.onError } : {}),
  });

  const routes: Route[] = [
    {
      method: 'GET',
      path: '/v1/models',
      handle: async ({ res }) => sendJson(res, 200, { object: 'list', data: await modelObjects() }),
    },
    {
      method: 'GET',
      path: '/v1/models/:id',
      handle: async ({ res, params }) => {
        const id = params.id!;
        // The aliases, and the models' own names (which change when the model does).
        const found = (await modelObjects()).find((m) => m.id === id || (m.cairn as { model: string }).model === id);
        if (!found) throw new HttpError(404, 'model_not_found', `The model '${id}' does not exist here (GET /v1/models lists them).`, { param: 'model' });
        sendJson(res, 200, { ...found, id });
      },
    },
    { method: 'POST', path: '/v1/chat/completions', handle: chatCompletions },
    { method: 'POST', path: '/v1/completions', handle: completions },
    { method: 'POST', path: '/v1/embeddings', handle: embeddings },
  ];
  // Tools elsewhere (a container, a page on an allowed origin) may use the API, with its token.
  return routes.map((route) => ({ ...route, remote: true, cors: true }));
}

function finishReasonOf(result: GenerateResult): FinishReason {
  if (result.toolCalls?.length) return 'tool_calls';
  return result.stopReason === 'maxTokens' ? 'length' : 'stop';
}

function usageOf(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}
