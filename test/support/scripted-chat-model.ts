// A ChatModel for tests only: replays given replies token by token (a token is a word with the
// spaces before it), records every conversation it was given, honours abort, maxTokens and stop
// strings, "calls tools" when a reply says so, and counts tokens by a simple rule (one per
// whitespace-separated word), so budgets can be exact.
import type { ChatMessage, ChatModel, GenerateOptions, GenerateResult, ToolDefinition } from '../../app/llm/chat-model.ts';
import { StopSequences } from '../../app/llm/stop-sequences.ts';

export interface ScriptedReply {
  text: string;
  /** Thinking streamed before the answer, as a reasoning model does. */
  thought?: string;
  /** Throw this after streaming the text (a model failing mid-answer). */
  error?: string;
  /** Tools called after the text (the answer then ends with stopReason 'toolCalls'). */
  toolCalls?: { name: string; arguments: string }[];
}

/** A reply, or a function of the conversation that returns one. */
export type Script = string | ScriptedReply | ((messages: ChatMessage[]) => string | ScriptedReply);

export interface ScriptedCall {
  messages: ChatMessage[];
  options: Omit<GenerateOptions, 'onText' | 'onThought' | 'signal'>;
}

/** One token a word (with the whitespace before it): the rule countTokens uses too. */
export function scriptedTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

export class ScriptedChatModel implements ChatModel {
  readonly key: string;
  readonly contextSize: number;
  readonly calls: ScriptedCall[] = [];
  /** It can "call tools": a reply says which. */
  readonly features = { tools: true };
  /** Called after each token is handed out (e.g. to abort at a chosen point). */
  onToken: ((index: number) => void) | undefined;
  closed = false;
  private readonly script: Script[];

  constructor(script: Script[], options: { contextSize?: number; key?: string } = {}) {
    this.script = [...script];
    this.contextSize = options.contextSize ?? 4096;
    this.key = options.key ?? 'test:scripted';
  }

  /** Replies not yet used. */
  get remaining(): number {
    return this.script.length;
  }

  countTokens(text: string): number {
    return text.match(/\S+/g)?.length ?? 0;
  }

  /** A made-up chat template: TEMPLATE_TOKENS around each message. */
  countPromptTokens(messages: ChatMessage[], options: { tools?: ToolDefinition[] } = {}): number {
    const tools = (options.tools ?? []).reduce((sum, t) => sum + this.countTokens(JSON.stringify(t)), 0);
    return messages.reduce((sum, m) => sum + this.countTokens(m.content) + ScriptedChatModel.TEMPLATE_TOKENS, tools);
  }

  static readonly TEMPLATE_TOKENS = 8;

  async generate(messages: ChatMessage[], options: GenerateOptions = {}): Promise<GenerateResult> {
    const { onText, onThought, signal, ...rest } = options;
    this.calls.push({ messages: messages.map((m) => ({ ...m })), options: rest });
    const next = this.script.shift();
    if (next === undefined) throw new Error('ScriptedChatModel: no reply left in the script');
    const found = typeof next === 'function' ? next(messages) : next;
    const reply: ScriptedReply = typeof found === 'string' ? { text: found } : found;
    let thought = '';
    let text = '';
    let tokens = 0;
    const step = async (piece: string, sink: ((t: string) => void) | undefined): Promise<'aborted' | 'maxTokens' | null> => {
      // Yield between tokens, as a real backend does, so that aborts from outside land mid-stream.
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) return 'aborted';
      if (rest.maxTokens !== undefined && tokens >= rest.maxTokens) return 'maxTokens';
      tokens++;
      sink?.(piece);
      this.onToken?.(tokens);
      return null;
    };
    for (const piece of scriptedTokens(reply.thought ?? '')) {
      const stop = await step(piece, onThought);
      if (stop) return { text, thought, stopReason: stop, tokens };
      thought += piece;
    }
    const stops = new StopSequences(rest.stop);
    for (const piece of scriptedTokens(reply.text)) {
      const stop = await step(piece, (t) => {
        const passed = stops.push(t);
        text += passed;
        if (passed) onText?.(passed);
      });
      if (stop) return { text, thought, stopReason: stop, tokens };
      if (stops.stopped) return { text, thought, stopReason: 'end', tokens };
    }
    const tail = stops.flush();
    text += tail;
    if (tail) onText?.(tail);
    if (reply.error) throw new Error(reply.error);
    if (signal?.aborted) return { text, thought, stopReason: 'aborted', tokens };
    if (reply.toolCalls?.length) {
      const toolCalls = reply.toolCalls.map((call, i) => ({ id: `call_scripted_${this.calls.length}_${i}`, ...call }));
      return { text, thought, stopReason: 'toolCalls', toolCalls, tokens: tokens + reply.toolCalls.length };
    }
    return { text, thought, stopReason: 'end', tokens };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
