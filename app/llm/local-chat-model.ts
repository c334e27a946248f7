// A chat model run in this process by llama.cpp (through node-llama-cpp) from a GGUF file: chat
// with stop strings, tool calls (node-llama-cpp's function calling; a call the client requires is
// generated under a grammar instead), answers held to JSON or a JSON Schema by a grammar and then
// checked against the whole schema, and plain completion of a prompt (with fill in the middle
// where the model has the tokens for it).
import { randomBytes } from 'node:crypto';
import { open as openFile, stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { basename } from 'node:path';
import {
  InsufficientMemoryError,
  LlamaChat,
  LlamaCompletion,
  type ChatHistoryItem,
  type ChatModelFunctionCall,
  type ChatModelFunctions,
  type GbnfJsonSchema,
  type Llama,
  type LlamaContext,
  type LlamaGrammar,
  type LlamaModel,
} from 'node-llama-cpp';
import { CairnError } from '../contract/index.ts';
import { defaultThreads, getLlamaRuntime } from '../../native/llama.ts';
import type {
  ChatMessage,
  ChatModel,
  ChatModelSpec,
  CompleteOptions,
  GenerateOptions,
  GenerateResult,
  JsonSchema,
  ModelFeatures,
  SamplingOptions,
  ToolCall,
  ToolDefinition,
} from './chat-model.ts';
import { grammarSchema, JsonSchemaChecker } from './json-output.ts';
import { ThinkSplitter } from './think-splitter.ts';
import { Turnstile } from './turnstile.ts';

export type GgufChatModelSpec = Extract<ChatModelSpec, { type: 'gguf' }>;

/**
 * The context used when the spec names none, if memory allows (node-llama-cpp fits it to free
 * VRAM/RAM, and never beyond what the model was trained on): room for a question, retrieved
 * passages and an answer, while the KV cache of a 4–8B model stays near 1 GB.
 */
export const DEFAULT_CHAT_CONTEXT = 8192;
/** A context smaller than this is not worth loading the model for: an answer needs passages. */
const MIN_CHAT_CONTEXT = 1024;
/** Sampling when the caller gives no temperature: varied enough that small models do not loop. */
const DEFAULT_TEMPERATURE = 0.7;
const DEFAULT_MIN_P = 0.05;

/** How one generation runs: the functions the model may call, or the grammar its whole answer follows. */
interface GenerationPlan {
  functions?: ChatModelFunctions;
  /** 'json': any JSON object. */
  grammar?: GbnfJsonSchema | 'json';
  /** The client's schema, checked against the answer (the grammar cannot hold everything in it). */
  check?: { schema: JsonSchema; where: string };
  /** A tool call the client required: the answer is its arguments (one tool) or {name, arguments}. */
  forced?: { tools: ToolDefinition[]; named: boolean };
}

export class LocalChatModel implements ChatModel {
  readonly key: string;
  readonly spec: GgufChatModelSpec;
  readonly contextSize: number;
  readonly features: ModelFeatures;
  /** Layers llama.cpp put on the GPU (0 on the CPU). */
  readonly gpuLayers: number;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #chat: LlamaChat;
  /** Plain completion on the same sequence (one generation at a time, so they never overlap). */
  readonly #completion: LlamaCompletion;
  readonly #turnstile = new Turnstile();
  readonly #checker = new JsonSchemaChecker();
  readonly #grammars = new Map<string, Promise<LlamaGrammar>>();
  /** Aborts whatever is generating when the model is closed. */
  readonly #closer = new AbortController();
  #closing: Promise<void> | undefined;
  #busy = false;

  private constructor(spec: GgufChatModelSpec, model: LlamaModel, context: LlamaContext) {
    this.spec = spec;
    this.key = `gguf:${basename(spec.modelPath)}`;
    this.#model = model;
    this.#context = context;
    this.contextSize = context.contextSize;
    this.gpuLayers = model.gpuLayers;
    const sequence = context.getSequence();
    this.#chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
    this.#completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
    this.features = { tools: true, jsonOutput: true, infill: this.#completion.infillSupported };
  }

  static async open(spec: GgufChatModelSpec): Promise<LocalChatModel> {
    const fileSize = await checkGgufFile(spec.modelPath);
    const model = await loadModel(spec, fileSize);
    try {
      const trained = model.trainContextSize > 0 ? model.trainContextSize : Infinity;
      const wanted = Math.min(spec.contextSize ?? DEFAULT_CHAT_CONTEXT, trained);
      const context = await model.createContext({
        // {min, max}: as large as free memory allows up to `wanted`, or an InsufficientMemoryError.
        contextSize: { min: Math.min(MIN_CHAT_CONTEXT, wanted), max: wanted },
        // Always explicit: node-llama-cpp's default thread count spin-waits and was ~50x slower on a busy 2-core machine.
        threads: spec.threads ?? defaultThreads(),
      });
      return new LocalChatModel({ ...spec }, model, context);
    } catch (error) {
      await model.dispose();
      throw loadError(spec, error);
    }
  }

  /** Whether llama.cpp is working on a generation (it may still be, briefly, after an aborted one has returned). */
  get busy(): boolean {
    return this.#busy;
  }

  /** Text tokens only (no BOS or chat-template tokens). */
  countTokens(text: string): number {
    return this.#model.tokenize(text).length;
  }

  /** The messages (and tools' descriptions) in the model's chat template, tokenized, as generate() gives them to llama.cpp. */
  countPromptTokens(messages: ChatMessage[], options: { tools?: ToolDefinition[] } = {}): number {
    const tools = options.tools?.length ? this.#plan({ tools: options.tools }).functions : undefined;
    return this.#promptTokens(toHistory(messages), tools);
  }

  #promptTokens(history: ChatHistoryItem[], functions?: ChatModelFunctions): number {
    const state = this.#chat.chatWrapper.generateContextState({ chatHistory: history, ...(functions ? { availableFunctions: functions } : {}) });
    return state.contextText.tokenize(this.#model.tokenizer).length;
  }

  /** Refuses what cannot be done (a schema a grammar cannot follow, a tool that is not given) before anything runs. */
  checkOptions(options: GenerateOptions): void {
    this.#plan(options);
  }

  #plan(options: Pick<GenerateOptions, 'tools' | 'toolChoice' | 'responseFormat'>): GenerationPlan {
    const tools = options.tools ?? [];
    const choice = tools.length === 0 ? 'none' : (options.toolChoice ?? 'auto');
    const plan: GenerationPlan = {};
    for (const tool of tools) if (tool.parameters) this.#checker.prepare(tool.parameters, `The parameters of the tool '${tool.name}'`);
    if (choice !== 'none' && options.responseFormat) {
      throw new CairnError('bad-request', 'A local model cannot offer tools and hold its answer to a JSON format at once: send tools or response_format, not both.');
    }
    if (choice === 'auto') {
      plan.functions = Object.fromEntries(
        tools.map((tool) => [
          tool.name,
          { ...(tool.description ? { description: tool.description } : {}), ...(tool.parameters ? { params: grammarSchema(tool.parameters, `The parameters of the tool '${tool.name}'`) } : {}) },
        ]),
      );
    } else if (choice !== 'none') {
      const named = typeof choice === 'object';
      const chosen = named ? tools.filter((t) => t.name === choice.name) : tools;
      if (chosen.length === 0) throw new CairnError('bad-request', `The tool choice names '${(choice as { name: string }).name}', which is not among the tools.`);
      const argumentsOf = (tool: ToolDefinition): GbnfJsonSchema =>
        tool.parameters ? grammarSchema(tool.parameters, `The parameters of the tool '${tool.name}'`) : { type: 'object', properties: {}, additionalProperties: false };
      plan.forced = { tools: chosen, named };
      plan.grammar = named
        ? argumentsOf(chosen[0]!)
        : { oneOf: chosen.map((tool) => ({ type: 'object', properties: { name: { const: tool.name }, arguments: argumentsOf(tool) }, required: ['name', 'arguments'] })) } as GbnfJsonSchema;
    }
    const format = options.responseFormat;
    if (format?.type === 'json_object') plan.grammar = 'json';
    if (format?.type === 'json_schema') {
      const where = "The response format's schema";
      plan.grammar = grammarSchema(format.schema, where);
      this.#checker.prepare(format.schema, where);
      plan.check = { schema: format.schema, where };
    }
    return plan;
  }

  #grammar(schema: GbnfJsonSchema | 'json'): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.#grammars.get(key);
    if (!grammar) {
      grammar = schema === 'json' ? this.#model.llama.getGrammarFor('json') : this.#model.llama.createGrammarForJsonSchema<GbnfJsonSchema>(schema);
      // A schema that cannot be compiled is not kept: the next request gets the same clear error.
      grammar.catch(() => this.#grammars.delete(key));
      if (this.#grammars.size >= 32) this.#grammars.delete(this.#grammars.keys().next().value!);
      this.#grammars.set(key, grammar);
    }
    return grammar;
  }

  /** One generation at a time (the model has one sequence): later calls wait their turn. */
  async generate(messages: ChatMessage[], options: GenerateOptions = {}): Promise<GenerateResult> {
    const plan = this.#plan(options);
    // A forced call is not streamed as text: its JSON becomes the tool call at the end.
    const answer = new AnswerCollector(plan.forced ? { ...options, onText: undefined } : options, true);
    return this.#exclusive(options.signal, answer, (signal) => this.#generate(messages, options, plan, signal, answer));
  }

  /** Completes a prompt (no chat template); with a suffix, fills in the middle where the model can. */
  async complete(prompt: string, options: CompleteOptions = {}): Promise<GenerateResult> {
    if (options.suffix !== undefined && !this.features.infill) {
      throw new CairnError('bad-request', `${basename(this.spec.modelPath)} has no fill-in-the-middle tokens, so it cannot complete with a suffix: leave out the suffix or use a code model that has them.`);
    }
    const answer = new AnswerCollector(options, false);
    return this.#exclusive(options.signal, answer, (signal) => this.#complete(prompt, options, signal, answer));
  }

  /**
   * Runs `work` when it is this call's turn. llama.cpp does not stop reading a prompt under way
   * (minutes for a long one on a CPU): an abort then answers the caller at once, while the model
   * stays busy (the next call waits its turn) until llama.cpp is done and node-llama-cpp notices.
   */
  async #exclusive(callerSignal: AbortSignal | undefined, answer: AnswerCollector, work: (signal: AbortSignal) => Promise<GenerateResult>): Promise<GenerateResult> {
    if (this.#closing) throw new CairnError('chat-model-closed', 'The chat model was closed');
    const signal = callerSignal ? AbortSignal.any([callerSignal, this.#closer.signal]) : this.#closer.signal;
    const release = await this.#turnstile.enter(signal);
    if (!release) return { text: '', thought: '', stopReason: 'aborted', tokens: 0 };
    this.#busy = true;
    const running = work(signal).finally(() => {
      this.#busy = false;
      release();
    });
    const aborted = new Promise<GenerateResult>((resolve) => {
      const onAbort = () => resolve(answer.finish('aborted'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      void running.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => {});
    });
    return Promise.race([running, aborted]);
  }

  async #generate(messages: ChatMessage[], options: GenerateOptions, plan: GenerationPlan, signal: AbortSignal, answer: AnswerCollector): Promise<GenerateResult> {
    const history = toHistory(plan.forced ? withInstruction(messages, forcedCallInstruction(plan.forced)) : messages);
    const promptTokens = this.#promptTokens(history, plan.functions);
    answer.promptTokens = promptTokens;
    const room = this.contextSize - promptTokens;
    if (room < 1) {
      throw new CairnError('chat-prompt-too-long', `The conversation is ${promptTokens} tokens, more than this model's context of ${this.contextSize} tokens`);
    }
    // Never more than fits: a longer answer would make llama.cpp shift the context, silently
    // dropping the start of the conversation.
    const maxTokens = Math.min(options.maxTokens ?? room, room);
    try {
      const grammar = plan.grammar ? await this.#grammar(plan.grammar) : undefined;
      const common = {
        maxTokens,
        ...sampling(options),
        signal,
        stopOnAbortSignal: true,
        ...(options.stop?.length ? { customStopTriggers: options.stop } : {}),
        onResponseChunk: (chunk: { type?: string; text: string; tokens: readonly unknown[] }) => {
          // Thoughts (and "comment" segments, a model's asides) are never part of the answer.
          if (chunk.type === 'segment') answer.thought(chunk.text, chunk.tokens.length);
          else answer.text(chunk.text, chunk.tokens.length);
        },
      };
      const response = grammar
        ? await this.#chat.generateResponse(history, { ...common, grammar })
        : await this.#chat.generateResponse(history, {
            ...common,
            ...(plan.functions ? { functions: plan.functions, ...(options.parallelToolCalls === false ? { maxParallelFunctionCalls: 1 } : {}) } : {}),
          });
      const reason = response.metadata.stopReason;
      if (reason === 'abort' || signal.aborted) return answer.finish('aborted');
      if (reason === 'maxTokens') return answer.finish('maxTokens');
      // Typed by the functions given, which are only known at run time.
      const calls = (response.functionCalls ?? []) as { functionName: string; params: unknown }[];
      if (calls.length > 0) {
        const toolCalls = calls.map((call) => this.#toolCall(options.tools ?? [], call.functionName, call.params));
        return { ...answer.finish('end'), stopReason: 'toolCalls', toolCalls };
      }
      const result = answer.finish('end');
      if (plan.forced) return { ...result, text: '', stopReason: 'toolCalls', toolCalls: [this.#forcedCall(plan.forced, result.text)] };
      if (plan.check) this.#checkJson(plan.check, result.text);
      return result;
    } catch (error) {
      // Aborted before the first token (while reading the prompt): node-llama-cpp throws then.
      if (signal.aborted) return answer.finish('aborted');
      if (error instanceof CairnError) throw error;
      throw new CairnError('chat-generate-failed', `The chat model failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  async #complete(prompt: string, options: CompleteOptions, signal: AbortSignal, answer: AnswerCollector): Promise<GenerateResult> {
    const tokens = this.#model.tokens;
    const bos = tokens.shouldPrependBosToken && tokens.bos !== null ? 1 : 0;
    const promptTokens = bos + this.countTokens(prompt) + (options.suffix === undefined ? 0 : this.countTokens(options.suffix) + 3);
    answer.promptTokens = promptTokens;
    const room = this.contextSize - promptTokens;
    if (room < 1) {
      throw new CairnError('chat-prompt-too-long', `The prompt is ${promptTokens} tokens, more than this model's context of ${this.contextSize} tokens`);
    }
    const generation = {
      maxTokens: Math.min(options.maxTokens ?? room, room),
      ...sampling(options),
      signal,
      stopOnAbortSignal: true,
      // Never a silent shift that drops the start of the prompt.
      disableContextShift: true,
      ...(options.stop?.length ? { customStopTriggers: options.stop } : {}),
      onToken: (generated: readonly unknown[]) => answer.count(generated.length),
      onTextChunk: (text: string) => answer.text(text, 0),
    };
    try {
      const response =
        options.suffix === undefined
          ? await this.#completion.generateCompletionWithMeta(prompt, generation)
          : await this.#completion.generateInfillCompletionWithMeta(prompt, options.suffix, generation);
      const reason = response.metadata.stopReason;
      return answer.finish(reason === 'abort' || signal.aborted ? 'aborted' : reason === 'maxTokens' ? 'maxTokens' : 'end');
    } catch (error) {
      if (signal.aborted) return answer.finish('aborted');
      throw new CairnError('chat-generate-failed', `The chat model failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** A call the model made, its arguments checked against the tool's schema. */
  #toolCall(tools: ToolDefinition[], name: string, params: unknown): ToolCall {
    const tool = tools.find((t) => t.name === name);
    if (tool?.parameters) this.#checkValue({ schema: tool.parameters, where: `The arguments of the call of '${name}'` }, params ?? {});
    return { id: newToolCallId(), name, arguments: JSON.stringify(params ?? {}) };
  }

  /** The call in a forced answer: the grammar made it JSON of the right shape. */
  #forcedCall(forced: NonNullable<GenerationPlan['forced']>, text: string): ToolCall {
    const value = parseJson(text);
    if (forced.named) return this.#toolCall(forced.tools, forced.tools[0]!.name, value);
    const { name, arguments: args } = value as { name: string; arguments: unknown };
    return this.#toolCall(forced.tools, name, args);
  }

  #checkJson(check: NonNullable<GenerationPlan['check']>, text: string): void {
    this.#checkValue(check, parseJson(text));
  }

  #checkValue(check: NonNullable<GenerationPlan['check']>, value: unknown): void {
    const problem = this.#checker.problem(check.schema, value, check.where);
    if (problem) {
      throw new CairnError('chat-output-invalid', `The model's answer does not satisfy ${check.where.replace(/^The /, 'the ')} (${problem}): a grammar cannot hold a model to every rule of a schema (numeric bounds, patterns).`);
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closer.abort(new CairnError('chat-model-closed', 'The chat model was closed'));
      // Wait for the generation under way to stop before freeing what it uses.
      const release = await this.#turnstile.enter();
      release?.();
      this.#chat.dispose();
      this.#completion.dispose();
      await this.#context.dispose();
      await this.#model.dispose();
    })();
    return this.#closing;
  }
}

/** Sampling options as node-llama-cpp takes them. */
function sampling(options: SamplingOptions) {
  const penalties = {
    ...(options.frequencyPenalty === undefined ? {} : { frequencyPenalty: options.frequencyPenalty }),
    ...(options.presencePenalty === undefined ? {} : { presencePenalty: options.presencePenalty }),
  };
  return {
    temperature: options.temperature ?? DEFAULT_TEMPERATURE,
    ...(options.temperature === 0 ? {} : { minP: DEFAULT_MIN_P }),
    ...(options.topP === undefined ? {} : { topP: options.topP }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(Object.keys(penalties).length ? { repeatPenalty: penalties } : {}),
  };
}

function newToolCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CairnError('chat-output-invalid', `The model's answer is not the JSON its grammar should have made: ${text.slice(0, 200)}`);
  }
}

/** What a model is told when the client requires a tool call (its answer is then held to JSON by a grammar). */
function forcedCallInstruction(forced: NonNullable<GenerationPlan['forced']>): string {
  const list = forced.tools
    .map((tool) => `- ${tool.name}${tool.description ? `: ${tool.description}` : ''}\n  parameters: ${JSON.stringify(tool.parameters ?? { type: 'object', properties: {} })}`)
    .join('\n');
  return forced.named
    ? `Call the function ${forced.tools[0]!.name} now. Reply with only its arguments, as a JSON object.\n\n${list}`
    : `Call one of these functions now. Reply with only a JSON object {"name": <function name>, "arguments": <its arguments>}.\n\n${list}`;
}

/** The messages with an instruction added to the system message (or in a new one first). */
function withInstruction(messages: ChatMessage[], instruction: string): ChatMessage[] {
  const [first, ...rest] = messages;
  if (first?.role === 'system') return [{ ...first, content: `${first.content}\n\n${instruction}` }, ...rest];
  return [{ role: 'system', content: instruction }, ...messages];
}

/**
 * Gathers one answer as it streams and passes it on; finished once (by the end of generation or
 * by an abort, whichever comes first), after which nothing more reaches the caller.
 */
class AnswerCollector {
  readonly #options: Pick<GenerateOptions, 'onText' | 'onThought'>;
  /** Chat answers may carry <think> blocks in raw text; a plain completion is taken as it is. */
  readonly #splitter: ThinkSplitter | null;
  #text = '';
  #thought = '';
  #tokens = 0;
  #result: GenerateResult | undefined;
  /** Tokens of the prompt as llama.cpp reads it. */
  promptTokens: number | undefined;

  constructor(options: Pick<GenerateOptions, 'onText' | 'onThought'>, splitThoughts: boolean) {
    this.#options = options;
    this.#splitter = splitThoughts ? new ThinkSplitter() : null;
  }

  count(tokens: number): void {
    if (!this.#result) this.#tokens += tokens;
  }

  text(text: string, tokens: number): void {
    if (this.#result) return;
    this.#tokens += tokens;
    if (this.#splitter) this.#passOn(this.#splitter.push(text));
    else if (text) {
      this.#text += text;
      this.#options.onText?.(text);
    }
  }

  thought(text: string, tokens: number): void {
    if (this.#result) return;
    this.#tokens += tokens;
    if (text === '') return;
    this.#thought += text;
    this.#options.onThought?.(text);
  }

  finish(stopReason: GenerateResult['stopReason']): GenerateResult {
    if (!this.#result) {
      let split = { text: this.#text, thought: '' };
      if (this.#splitter) {
        this.#passOn(this.#splitter.flush());
        split = this.#splitter.result();
      }
      this.#result = {
        text: split.text,
        thought: this.#thought + split.thought,
        stopReason,
        tokens: this.#tokens,
        ...(this.promptTokens === undefined ? {} : { promptTokens: this.promptTokens }),
      };
    }
    return this.#result;
  }

  #passOn(pieces: ReturnType<ThinkSplitter['push']>): void {
    for (const piece of pieces) {
      if (piece.kind === 'text') this.#options.onText?.(piece.text);
      else this.#options.onThought?.(piece.text);
    }
  }
}

/**
 * The conversation as node-llama-cpp's chat history, ending with the model's turn to answer.
 * An assistant message's tool calls carry their results (from the tool messages that answer
 * them), and an answer that goes on after the results is the same turn of the model.
 */
function toHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  const results = new Map<string, string>();
  for (const m of messages) if (m.role === 'tool') results.set(m.toolCallId ?? '', m.content);
  const called = new Set<string>();
  const history: ChatHistoryItem[] = [];
  for (const m of messages) {
    if (m.role === 'system') history.push({ type: 'system', text: m.content });
    else if (m.role === 'user') history.push({ type: 'user', text: m.content });
    else if (m.role === 'tool') {
      if (!called.has(m.toolCallId ?? '')) throw new CairnError('bad-request', `A tool message answers the call '${m.toolCallId ?? ''}', which no assistant message before it made.`);
    } else {
      const calls = (m.toolCalls ?? []).map((call, i): ChatModelFunctionCall => {
        if (!results.has(call.id)) throw new CairnError('bad-request', `The tool call '${call.id}' (${call.name}) has no tool message with its result.`);
        called.add(call.id);
        return { type: 'functionCall', name: call.name, params: parseArguments(call), result: resultValue(results.get(call.id)!), ...(i === 0 ? { startsNewChunk: true } : {}) };
      });
      const response = [...(m.content ? [m.content] : []), ...calls];
      const last = history.at(-1);
      if (last?.type === 'model' && typeof last.response.at(-1) === 'object') last.response.push(...response);
      else history.push({ type: 'model', response });
    }
  }
  // A last assistant message (or tool results) is continued; otherwise a new answer starts.
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

function parseArguments(call: ToolCall): unknown {
  try {
    return JSON.parse(call.arguments || '{}');
  } catch {
    throw new CairnError('bad-request', `The arguments of the tool call '${call.id}' (${call.name}) are not JSON.`);
  }
}

/** A tool's result as the model sees it: JSON when it is JSON, else the text. */
function resultValue(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch {
    return content;
  }
}

/** A missing file or one that is not GGUF gets a clear error before llama.cpp sees it. */
async function checkGgufFile(path: string): Promise<number> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch (error) {
    throw new CairnError('chat-model-missing', `The chat model file ${path} cannot be read: ${errorMessage(error)}`, { cause: error });
  }
  if (!(await hasGgufMagic(path, size))) {
    throw new CairnError('chat-model-not-gguf', `${path} is not a GGUF model file (GGUF files start with the bytes "GGUF")`);
  }
  return size;
}

/**
 * Weights larger than all RAM and VRAM together can never be loaded. node-llama-cpp itself only
 * checks VRAM for the layers and RAM for the context: with mmap a model bigger than RAM would
 * "load" and then page from disk at a token a minute, so this is refused before trying.
 */
async function checkFits(spec: GgufChatModelSpec, fileSize: number, llama: Llama): Promise<void> {
  const vram = llama.gpu === false ? 0 : (await llama.getVramState()).total;
  const memory = totalmem() + vram;
  if (fileSize > memory) {
    throw new CairnError(
      'chat-model-too-big',
      `The chat model ${basename(spec.modelPath)} is ${gb(fileSize)} GB, more than this machine's ${gb(totalmem())} GB of RAM${vram ? ` and ${gb(vram)} GB of VRAM` : ''} together. Choose a smaller model (\`cairn models list\`).`,
    );
  }
}

function gb(bytes: number): string {
  return (bytes / 1e9).toFixed(1);
}

/** Whether the file starts with GGUF's magic bytes. */
export async function hasGgufMagic(path: string, size?: number): Promise<boolean> {
  if (size !== undefined && size < 4) return false;
  const handle = await openFile(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && buffer.toString('latin1') === 'GGUF';
  } finally {
    await handle.close();
  }
}

/**
 * With the GPU: as many layers on it as fit in free VRAM beside the context ('auto'), the rest on
 * the CPU. A model that fails to load on the GPU runtime for another reason is tried on the CPU.
 */
async function loadModel(spec: GgufChatModelSpec, fileSize: number): Promise<LlamaModel> {
  let llama: Llama;
  try {
    llama = await getLlamaRuntime({ gpu: spec.gpu ?? 'auto' });
  } catch (error) {
    throw new CairnError('chat-model-load-failed', `llama.cpp could not be loaded: ${errorMessage(error)}`, { cause: error });
  }
  await checkFits(spec, fileSize, llama);
  const load = (runtime: Llama) => runtime.loadModel({ modelPath: spec.modelPath, gpuLayers: runtime.gpu === false ? 0 : 'auto' });
  try {
    return await load(llama);
  } catch (error) {
    if (llama.gpu !== false && !(error instanceof InsufficientMemoryError)) {
      try {
        return await load(await getLlamaRuntime({ gpu: false }));
      } catch {
        // Report the first failure: the GPU attempt is what the user asked for.
      }
    }
    throw loadError(spec, error);
  }
}

function loadError(spec: GgufChatModelSpec, error: unknown): CairnError {
  if (error instanceof CairnError) return error;
  if (error instanceof InsufficientMemoryError) {
    return new CairnError(
      'chat-model-too-big',
      `The chat model ${basename(spec.modelPath)} does not fit in this machine's free memory (${errorMessage(error)}). Close other programs or choose a smaller model (\`cairn models list\`).`,
      { cause: error },
    );
  }
  return new CairnError('chat-model-load-failed', `Cannot load the chat model ${spec.modelPath}: ${errorMessage(error)}`, { cause: error });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
