// A chat model run in this process by llama.cpp (through node-llama-cpp) from a GGUF file.
import { open as openFile, stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { basename } from 'node:path';
import { InsufficientMemoryError, LlamaChat, type ChatHistoryItem, type Llama, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { CairnError } from '../contract/index.ts';
import { defaultThreads, getLlamaRuntime } from '../../native/llama.ts';
import type { ChatMessage, ChatModel, ChatModelSpec, GenerateOptions, GenerateResult } from './chat-model.ts';
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

export class LocalChatModel implements ChatModel {
  readonly key: string;
  readonly spec: GgufChatModelSpec;
  readonly contextSize: number;
  /** Layers llama.cpp put on the GPU (0 on the CPU). */
  readonly gpuLayers: number;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #chat: LlamaChat;
  readonly #turnstile = new Turnstile();
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
    this.#chat = new LlamaChat({ contextSequence: context.getSequence() });
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

  /** The messages in the model's chat template, tokenized, as generate() will give them to llama.cpp. */
  countPromptTokens(messages: ChatMessage[]): number {
    return this.#promptTokens(toHistory(messages));
  }

  #promptTokens(history: ChatHistoryItem[]): number {
    return this.#chat.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(this.#model.tokenizer).length;
  }

  /** One generation at a time (the model has one sequence): later calls wait their turn. */
  async generate(messages: ChatMessage[], options: GenerateOptions = {}): Promise<GenerateResult> {
    if (this.#closing) throw new CairnError('chat-model-closed', 'The chat model was closed');
    const signal = options.signal ? AbortSignal.any([options.signal, this.#closer.signal]) : this.#closer.signal;
    const release = await this.#turnstile.enter(signal);
    if (!release) return { text: '', thought: '', stopReason: 'aborted', tokens: 0 };
    const answer = new AnswerCollector(options);
    this.#busy = true;
    const work = this.#generate(messages, options, signal, answer).finally(() => {
      this.#busy = false;
      release();
    });
    // llama.cpp does not stop reading a prompt under way (minutes for a long one on a CPU): an
    // abort then answers the caller at once, while the model stays busy (the next call waits its
    // turn) until llama.cpp is done and node-llama-cpp notices the signal.
    const aborted = new Promise<GenerateResult>((resolve) => {
      const onAbort = () => resolve(answer.finish('aborted'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      void work.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => {});
    });
    return Promise.race([work, aborted]);
  }

  async #generate(messages: ChatMessage[], options: GenerateOptions, signal: AbortSignal, answer: AnswerCollector): Promise<GenerateResult> {
    const history = toHistory(messages);
    const promptTokens = this.#promptTokens(history);
    const room = this.contextSize - promptTokens;
    if (room < 1) {
      throw new CairnError('chat-prompt-too-long', `The conversation is ${promptTokens} tokens, more than this model's context of ${this.contextSize} tokens`);
    }
    // Never more than fits: a longer answer would make llama.cpp shift the context, silently
    // dropping the start of the conversation.
    const maxTokens = Math.min(options.maxTokens ?? room, room);
    try {
      const response = await this.#chat.generateResponse(history, {
        maxTokens,
        temperature: options.temperature ?? DEFAULT_TEMPERATURE,
        ...(options.temperature === 0 ? {} : { minP: DEFAULT_MIN_P }),
        signal,
        stopOnAbortSignal: true,
        onResponseChunk: (chunk) => {
          // Thoughts (and "comment" segments, a model's asides) are never part of the answer.
          if (chunk.type === 'segment') answer.thought(chunk.text, chunk.tokens.length);
          else answer.text(chunk.text, chunk.tokens.length);
        },
      });
      const reason = response.metadata.stopReason;
      return answer.finish(reason === 'abort' || signal.aborted ? 'aborted' : reason === 'maxTokens' ? 'maxTokens' : 'end');
    } catch (error) {
      // Aborted before the first token (while reading the prompt): node-llama-cpp throws then.
      if (signal.aborted) return answer.finish('aborted');
      throw new CairnError('chat-generate-failed', `The chat model failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closer.abort(new CairnError('chat-model-closed', 'The chat model was closed'));
      // Wait for the generation under way to stop before freeing what it uses.
      const release = await this.#turnstile.enter();
      release?.();
      this.#chat.dispose();
      await this.#context.dispose();
      await this.#model.dispose();
    })();
    return this.#closing;
  }
}

/**
 * Gathers one answer as it streams and passes it on; finished once (by the end of generation or
 * by an abort, whichever comes first), after which nothing more reaches the caller.
 */
class AnswerCollector {
  readonly #options: GenerateOptions;
  readonly #splitter = new ThinkSplitter();
  #thought = '';
  #tokens = 0;
  #result: GenerateResult | undefined;

  constructor(options: GenerateOptions) {
    this.#options = options;
  }

  text(text: string, tokens: number): void {
    if (this.#result) return;
    this.#tokens += tokens;
    this.#passOn(this.#splitter.push(text));
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
      this.#passOn(this.#splitter.flush());
      const split = this.#splitter.result();
      this.#result = { text: split.text, thought: this.#thought + split.thought, stopReason, tokens: this.#tokens };
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

/** The conversation as node-llama-cpp's chat history, ending with the model's turn to answer. */
function toHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m): ChatHistoryItem => {
    if (m.role === 'system') return { type: 'system', text: m.content };
    if (m.role === 'user') return { type: 'user', text: m.content };
    return { type: 'model', response: [m.content] };
  });
  // A last assistant message is continued (a prefilled answer); otherwise a new answer starts.
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
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
