// The ChatModel interface: what answering needs from a language model, local (node-llama-cpp)
// or remote (any OpenAI-compatible server). Stateless: every call gets the whole conversation,
// so conversations live in the store, not in a model session.
import { z } from 'zod';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface GenerateOptions {
  /** Most tokens to generate (default: what is left of the context, capped by the backend). */
  maxTokens?: number;
  /** 0 for deterministic output. Default: 0.7 for local GGUF models, the server's own default for remote ones. */
  temperature?: number;
  /** Aborting stops generation at once; the result then has stopReason 'aborted' and the text so far. */
  signal?: AbortSignal;
  /** Each piece of the answer as it is generated (never reasoning text). */
  onText?: (text: string) => void;
  /** Each piece of a reasoning model's thinking (e.g. DeepSeek-R1's <think> block), kept apart. */
  onThought?: (text: string) => void;
}

export interface GenerateResult {
  /** The answer, without any thinking. */
  text: string;
  /** The model's thinking, when it is a reasoning model; '' otherwise. */
  thought: string;
  stopReason: 'end' | 'maxTokens' | 'aborted';
  /** Tokens generated. */
  tokens: number;
}

export interface ChatModel {
  /** Stable identity stored with each answer, e.g. 'gguf:Qwen3-4B-Q4_K_M.gguf' or 'openai:http://…/v1:llama3'. */
  readonly key: string;
  /** Tokens the model can attend to: prompt and answer together. */
  readonly contextSize: number;
  /** Token count of a text with the model's tokenizer (approximate for remote models). */
  countTokens(text: string): number;
  /**
   * Tokens the model reads for these messages: their text in its chat template, with the start of
   * its answer (exact for a local model; for a remote one an estimate that errs high).
   */
  countPromptTokens(messages: ChatMessage[]): number;
  generate(messages: ChatMessage[], options?: GenerateOptions): Promise<GenerateResult>;
  close(): Promise<void>;
}

/** How to open a chat model; stored in the library's settings (never with a secret in it). */
export type ChatModelSpec =
  | { type: 'gguf'; modelPath: string; contextSize?: number; threads?: number; gpu?: 'auto' | false }
  | { type: 'openai'; baseUrl: string; model: string; contextSize?: number };

const GgufChatSpecSchema = z.object({
  type: z.literal('gguf'),
  modelPath: z.string().min(1),
  contextSize: z.number().int().min(16).optional(),
  threads: z.number().int().min(1).max(1024).optional(),
  gpu: z.union([z.literal('auto'), z.literal(false)]).optional(),
});

const OpenAiChatSpecSchema = z.object({
  type: z.literal('openai'),
  baseUrl: z.url({ protocol: /^https?$/ }),
  model: z.string().min(1),
  contextSize: z.number().int().min(16).optional(),
});

/** Validates specs read back from the settings. Unknown keys (an apiKey stored by mistake, say) are dropped. */
export const ChatModelSpecSchema: z.ZodType<ChatModelSpec> = z.discriminatedUnion('type', [GgufChatSpecSchema, OpenAiChatSpecSchema]);
