// The requests the OpenAI-compatible API accepts, read as OpenAI reads them: every parameter is
// either honoured or refused with a 400 that names it; an argument OpenAI does not know is refused
// as OpenAI refuses it. Messages become the model's messages (tool calls and their results
// included), and the parameters its generate/complete options.
import { z } from 'zod';
import { CairnError, SearchFilters } from '../contract/index.ts';
import type { ChatMessage, ChatModel, GenerateOptions, ResponseFormat, SamplingOptions, ToolChoice, ToolDefinition } from '../llm/index.ts';
import { HttpError } from './http.ts';

/** A name as OpenAI allows it for tools and schemas. */
const Name = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, underscores or dashes');

const TextPart = z.object({ type: z.string(), text: z.string().optional() });

const RequestToolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

// Messages as clients send them back, with the fields our own answers carry (refusal, reasoning): unknown keys are dropped.
const RequestMessage = z.object({
  role: z.string(),
  content: z.union([z.string(), z.array(TextPart), z.null()]).optional(),
  tool_calls: z.array(RequestToolCall).nullish(),
  tool_call_id: z.string().nullish(),
});

const Tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: Name,
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const RequestToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

const RequestResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({ name: Name, description: z.string().optional(), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullish() }),
  }),
]);

const Stop = z.union([z.string().min(1), z.array(z.string().min(1, 'a stop string must not be empty')).max(4, 'at most 4 stop strings')]).nullish();

/** Parameters that describe the request for OpenAI's own bookkeeping: accepted, and they change nothing here. */
const Bookkeeping = {
  user: z.string().optional(),
  metadata: z.record(z.string(), z.string()).nullish(),
  store: z.boolean().nullish(),
  service_tier: z.string().nullish(),
  safety_identifier: z.string().optional(),
  prompt_cache_key: z.string().optional(),
};

/** Parameters whose only value here is "off" (nothing to honour): any other value is refused. */
const offOnly = {
  logprobs: z.union([z.literal(false), z.null()], { message: 'log probabilities are not available here' }).optional(),
  logit_bias: z
    .record(z.string(), z.number())
    .nullish()
    .refine((bias) => !bias || Object.keys(bias).length === 0, 'token biases are not supported here'),
};

const Sampling = {
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  n: z.literal(1, { message: 'only n = 1 is supported' }).nullish(),
  stop: Stop,
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
};

/** Cairn's extension of a chat request. */
export const CairnChatOptions = z.strictObject({
  /** Answer from the library: search it, give the model the best passages, cite them. */
  retrieval: z.boolean().default(false),
  filters: SearchFilters.optional(),
  /** Search results considered. */
  k: z.number().int().min(1).max(50).optional(),
  /** Append the cited sources to the answer's text as a Markdown list (default: the local API setting). */
  appendSources: z.boolean().optional(),
});

export const ChatCompletionRequest = z.strictObject({
  model: z.string().min(1),
  messages: z.array(RequestMessage).min(1),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  ...Sampling,
  tools: z.array(Tool).max(128).nullish(),
  tool_choice: RequestToolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: RequestResponseFormat.nullish(),
  modalities: z.array(z.literal('text', { message: 'only text output is supported' })).nullish(),
  top_logprobs: z.literal(0, { message: 'log probabilities are not available here' }).nullish(),
  ...offOnly,
  ...Bookkeeping,
  cairn: CairnChatOptions.optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export const CompletionRequest = z.strictObject({
  model: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.unknown())]),
  suffix: z.string().nullish(),
  // OpenAI's default for completions.
  max_tokens: z.number().int().min(1).nullish().transform((n) => n ?? 16),
  ...Sampling,
  echo: z.union([z.literal(false), z.null()], { message: 'echoing the prompt is not supported' }).optional(),
  best_of: z.literal(1, { message: 'only best_of = 1 is supported' }).nullish(),
  logprobs: z.union([z.literal(0), z.null()], { message: 'log probabilities are not available here' }).optional(),
  logit_bias: offOnly.logit_bias,
  ...Bookkeeping,
});
export type CompletionRequest = z.infer<typeof CompletionRequest>;

/** 'messages[2].content' from a zod path. */
function paramPath(path: readonly PropertyKey[]): string | null {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || null;
}

/** The body read with `schema`, or a 400 in OpenAI's words that names the parameter at fault. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const param = paramPath([...issue.path, issue.keys[0]!]);
    throw new HttpError(400, 'unknown_parameter', `Unrecognized request argument supplied: ${param}.`, { param });
  }
  const param = paramPath(issue.path);
  throw new HttpError(400, 'invalid_request', `Invalid request${param ? ` at '${param}'` : ''}: ${issue.message}.`, { param });
}

function unsupported(param: string, message: string): HttpError {
  return new HttpError(400, 'unsupported_parameter', message, { param });
}

/** The text of a message's content: a string, text parts, or nothing. */
function textOf(content: z.infer<typeof RequestMessage>['content'], param: string): string {
  if (typeof content === 'string') return content;
  if (content == null) return '';
  const other = content.findIndex((part) => part.type !== 'text' || part.text === undefined);
  if (other >= 0) throw new HttpError(400, 'unsupported_content', `Only text content is supported (got a '${content[other]!.type}' part).`, { param: `${param}[${other}]` });
  return content.map((part) => part.text).join('');
}

/**
 * OpenAI messages as the model's: roles system (or developer), user, assistant (with tool calls)
 * and tool. As OpenAI has it, the results of an assistant's calls follow it, one tool message
 * for each call, before anything else.
 */
export function toChatMessages(messages: z.infer<typeof RequestMessage>[]): ChatMessage[] {
  const converted = messages.map(toChatMessage);
  let unanswered = new Set<string>();
  let callsAt = -1;
  converted.forEach((m, i) => {
    if (m.role === 'tool') {
      if (!unanswered.delete(m.toolCallId!)) {
        throw new HttpError(400, 'invalid_request', `A tool message must answer a call of the assistant message just before it ('${m.toolCallId}' is not one).`, { param: `messages[${i}].tool_call_id` });
      }
      return;
    }
    if (unanswered.size) {
      throw new HttpError(400, 'invalid_request', `The assistant's tool calls must be followed by a tool message for each (no result for '${[...unanswered][0]}').`, { param: `messages[${callsAt}].tool_calls` });
    }
    if (m.toolCalls?.length) {
      unanswered = new Set(m.toolCalls.map((c) => c.id));
      callsAt = i;
    }
  });
  if (unanswered.size) {
    throw new HttpError(400, 'invalid_request', `The assistant's tool calls must be followed by a tool message for each (no result for '${[...unanswered][0]}').`, { param: `messages[${callsAt}].tool_calls` });
  }
  return converted;
}

function toChatMessage(m: z.infer<typeof RequestMessage>, i: number): ChatMessage {
  const param = `messages[${i}]`;
  const content = textOf(m.content, `${param}.content`);
  switch (m.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content };
    case 'user':
      return { role: 'user', content };
    case 'assistant':
      return {
        role: 'assistant',
        content,
        ...(m.tool_calls?.length ? { toolCalls: m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) } : {}),
      };
    case 'tool':
      if (!m.tool_call_id) throw new HttpError(400, 'invalid_request', 'A tool message needs the tool_call_id of the call it answers.', { param: `${param}.tool_call_id` });
      return { role: 'tool', content, toolCallId: m.tool_call_id };
    default:
      throw new HttpError(400, 'unsupported_role', `Messages with role '${m.role}' are not supported (system, developer, user, assistant and tool are).`, { param: `${param}.role` });
  }
}

export function samplingOf(body: Pick<ChatCompletionRequest, 'temperature' | 'top_p' | 'seed' | 'frequency_penalty' | 'presence_penalty'>): SamplingOptions {
  return {
    ...(body.temperature == null ? {} : { temperature: body.temperature }),
    ...(body.top_p == null ? {} : { topP: body.top_p }),
    ...(body.seed == null ? {} : { seed: body.seed }),
    ...(body.frequency_penalty == null ? {} : { frequencyPenalty: body.frequency_penalty }),
    ...(body.presence_penalty == null ? {} : { presencePenalty: body.presence_penalty }),
  };
}

export function stopOf(stop: z.infer<typeof Stop>): string[] | undefined {
  if (stop == null) return undefined;
  return typeof stop === 'string' ? [stop] : stop.length ? stop : undefined;
}

/**
 * What the model is asked to do besides the messages, checked against what it can do: tools,
 * tool messages or a JSON format it cannot honour are refused here, before anything is sent.
 */
export function generateOptionsOf(body: ChatCompletionRequest, messages: ChatMessage[], model: ChatModel): Omit<GenerateOptions, 'signal' | 'onText' | 'onThought'> {
  const features = model.features ?? {};
  const tools: ToolDefinition[] = (body.tools ?? []).map((t) => ({
    name: t.function.name,
    ...(t.function.description ? { description: t.function.description } : {}),
    ...(t.function.parameters ? { parameters: t.function.parameters } : {}),
  }));
  const names = new Set(tools.map((t) => t.name));
  if (names.size < tools.length) throw new HttpError(400, 'invalid_request', 'Two tools have the same name.', { param: 'tools' });
  let toolChoice: ToolChoice | undefined;
  if (body.tool_choice != null) {
    if (tools.length === 0) throw new HttpError(400, 'invalid_request', "'tool_choice' is only allowed when 'tools' are given.", { param: 'tool_choice' });
    toolChoice = typeof body.tool_choice === 'string' ? body.tool_choice : { name: body.tool_choice.function.name };
    if (typeof toolChoice === 'object' && !names.has(toolChoice.name)) {
      throw new HttpError(400, 'invalid_request', `'tool_choice' names the tool '${toolChoice.name}', which is not among the tools.`, { param: 'tool_choice' });
    }
  }
  const toolMessage = messages.findIndex((m) => m.role === 'tool' || m.toolCalls?.length);
  if (!features.tools) {
    if (tools.length) throw unsupported('tools', `The chat model '${model.key}' cannot call tools: leave out 'tools', or choose a model that can.`);
    if (toolMessage >= 0) throw unsupported(`messages[${toolMessage}]`, `The chat model '${model.key}' cannot call tools, so a conversation with tool calls cannot go on with it.`);
  }
  let responseFormat: ResponseFormat | undefined;
  const format = body.response_format;
  if (format && format.type !== 'text') {
    if (!features.jsonOutput) throw unsupported('response_format', `The chat model '${model.key}' cannot hold its answer to JSON: leave out 'response_format', or choose a model that can.`);
    responseFormat =
      format.type === 'json_object'
        ? { type: 'json_object' }
        : {
            type: 'json_schema',
            name: format.json_schema.name,
            // No schema: any JSON object (OpenAI's own reading).
            schema: format.json_schema.schema ?? { type: 'object' },
            ...(format.json_schema.strict == null ? {} : { strict: format.json_schema.strict }),
          };
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const stop = stopOf(body.stop);
  const options = {
    ...samplingOf(body),
    ...(maxTokens === undefined ? {} : { maxTokens }),
    ...(stop ? { stop } : {}),
    ...(tools.length ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(body.parallel_tool_calls == null ? {} : { parallelToolCalls: body.parallel_tool_calls }),
    ...(responseFormat ? { responseFormat } : {}),
  };
  try {
    model.checkOptions?.(options);
  } catch (error) {
    if (error instanceof CairnError && error.code === 'bad-request') {
      throw new HttpError(400, 'invalid_request', error.message, { param: responseFormat ? 'response_format' : 'tools' });
    }
    throw error;
  }
  return options;
}
