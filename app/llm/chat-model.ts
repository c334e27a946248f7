// The ChatModel interface: what answering needs from a language model, local (node-llama-cpp)
// or remote (any OpenAI-compatible server). Stateless: every call gets the whole conversation,
// so conversations live in the store, not in a model session.
import { z } from 'zod';

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/** A model's call of a tool; its arguments are JSON text, as OpenAI's API carries them. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** An assistant message: the tools it called (each result follows as a 'tool' message). */
  toolCalls?: ToolCall[];
  /** A tool message: the id of the call this is the result of. */
  toolCallId?: string;
}

/** A JSON Schema, as a client wrote it. */
export type JsonSchema = Record<string, unknown>;

/** A tool the model may call: what it does, and its parameters as a JSON Schema. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters?: JsonSchema;
}

/** 'auto': the model decides; 'none': no call; 'required': some call; { name }: a call of that tool. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** The shape the answer must have: any JSON object, or JSON valid against a schema. */
export type ResponseFormat = { type: 'json_object' } | { type: 'json_schema'; name: string; schema: JsonSchema; strict?: boolean };

/** How tokens are chosen; what is not given is the backend's default. */
export interface SamplingOptions {
  /** 0 for deterministic output. Default: 0.7 for local GGUF models, the server's own default for remote ones. */
  temperature?: number;
  topP?: number;
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
}

export interface GenerateOptions extends SamplingOptions {
  /** Most tokens to generate (default: what is left of the context, capped by the backend). */
  maxTokens?: number;
  /** Generation ends before any of these strings, and none of them is part of the answer. */
  stop?: string[];
  /** Tools the model may call (see features.tools); calls end the answer with stopReason 'toolCalls'. */
  tools?: ToolDefinition[];
  /** Default 'auto' when tools are given. */
  toolChoice?: ToolChoice;
  /** false: at most one call per answer. */
  parallelToolCalls?: boolean;
  /** Constrain the answer to JSON (see features.jsonOutput). */
  responseFormat?: ResponseFormat;
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
  stopReason: 'end' | 'maxTokens' | 'aborted' | 'toolCalls';
  /** The tools the model called (stopReason 'toolCalls'). */
  toolCalls?: ToolCall[];
  /** Tokens generated. */
  tokens: number;
  /** Tokens the model read, when the backend reports them (a remote server's own count). */
  promptTokens?: number;
}

/** Completing a plain prompt: no chat template, the text goes on where the prompt ends. */
export interface CompleteOptions extends SamplingOptions {
  maxTokens?: number;
  stop?: string[];
  /** Text that comes after the completion (fill in the middle; see features.infill). */
  suffix?: string;
  signal?: AbortSignal;
  onText?: (text: string) => void;
}

/** What a model can do besides chatting in plain text; a request for something else is refused, never ignored. */
export interface ModelFeatures {
  /** Calling tools (tools, tool choice, tool messages). */
  tools?: boolean;
  /** Answers constrained to JSON (responseFormat). */
  jsonOutput?: boolean;
  /** Fill in the middle: complete() with a suffix. */
  infill?: boolean;
}

export interface ChatModel {
  /** Stable identity stored with each answer, e.g. 'gguf:Qwen3-4B-Q4_K_M.gguf' or 'openai:http://…/v1:llama3'. */
  readonly key: string;
  /** Tokens the model can attend to: prompt and answer together. */
  readonly contextSize: number;
  /** Absent: plain text chat only. */
  readonly features?: ModelFeatures;
  /** Token count of a text with the model's tokenizer (approximate for remote models). */
  countTokens(text: string): number;
  /**
   * Tokens the model reads for these messages (and the tools' descriptions): their text in its
   * chat template, with the start of its answer (exact for a local model; for a remote one an
   * estimate that errs high).
   */
  countPromptTokens(messages: ChatMessage[], options?: { tools?: ToolDefinition[] }): number;
  /**
   * Throws CairnError 'bad-request' for options this model cannot honour (a schema its grammar
   * cannot enforce), so that a request is refused before any of the answer is sent.
   */
  checkOptions?(options: GenerateOptions): void;
  generate(messages: ChatMessage[], options?: GenerateOptions): Promise<GenerateResult>;
  /** Plain completion of a prompt; absent when the model only chats. */
  complete?(prompt: string, options?: CompleteOptions): Promise<GenerateResult>;
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
