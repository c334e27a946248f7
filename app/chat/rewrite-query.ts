// Follow-up rewriting: "and the second one?" means nothing to a search engine, so with earlier
// turns the model is asked for a standalone search query; whatever it writes is checked, and
// the question (plus the previous question's key terms) is used when the output is unusable.
import type { ChatMessage, ChatModel } from '../llm/chat-model.ts';
import { keyTerms } from './key-terms.ts';

export interface Turn {
  question: string;
  answer: string;
}

export interface RewrittenQuery {
  query: string;
  /** True when the model's rewrite is used; false for the question as is or the fallback. */
  rewritten: boolean;
}

const MAX_QUERY_CHARS = 200;
const MAX_QUERY_WORDS = 24;
const REWRITE_MAX_TOKENS = 64;
/** Earlier turns shown to the rewriter, and how much of each. */
const TURNS_SHOWN = 3;
const TURN_CHARS = 400;

export const REWRITE_SYSTEM_PROMPT =
  'You rewrite a follow-up question from a conversation as one standalone search query for a ' +
  'document search engine. Resolve pronouns and references using the conversation. Reply with the ' +
  'query only: one line, at most 20 words, no explanation, no quotes, no answer.';

/** The rewriting prompt: the last few turns, shortened, then the follow-up question. */
export function rewriteMessages(turns: Turn[], question: string): ChatMessage[] {
  const clip = (text: string) => (text.length > TURN_CHARS ? `${text.slice(0, TURN_CHARS)}…` : text).replace(/\s+/g, ' ').trim();
  const lines = turns.slice(-TURNS_SHOWN).flatMap((t) => [`User: ${clip(t.question)}`, `Assistant: ${clip(t.answer)}`]);
  return [
    { role: 'system', content: REWRITE_SYSTEM_PROMPT },
    { role: 'user', content: `Conversation so far:\n${lines.join('\n')}\n\nFollow-up question: ${clip(question)}\n\nStandalone search query:` },
  ];
}

/** The model's output as a query, or null when it is empty, too long or not a query at all. */
export function acceptRewrite(output: string): string | null {
  const firstLine = output.trim().split(/\r?\n/, 1)[0] ?? '';
  const query = firstLine
    .replace(/^(?:standalone\s+)?(?:search\s+)?query\s*:\s*/i, '')
    .replace(/^["'“”‘’`]+|["'“”‘’`]+$/g, '')
    .trim();
  if (!query || query.length > MAX_QUERY_CHARS) return null;
  if (query.split(/\s+/).length > MAX_QUERY_WORDS) return null;
  // Mostly letters, digits and spaces: not punctuation soup, markup or a code block.
  const wordy = query.match(/[\p{L}\p{N}\p{M}\s]/gu)?.length ?? 0;
  if (wordy / query.length < 0.75) return null;
  if (keyTerms(query).length === 0) return null;
  return query;
}

/** Without a usable rewrite: the question, plus the previous question's key terms it lacks. */
export function fallbackQuery(question: string, previousQuestion?: string): string {
  if (!previousQuestion) return question;
  const have = new Set(keyTerms(question));
  const extra = keyTerms(previousQuestion).filter((t) => !have.has(t)).slice(0, 8);
  return extra.length ? `${question} ${extra.join(' ')}` : question;
}

/**
 * The search query for `question`. The first turn uses the question as is; a follow-up asks the
 * model (short prompt, temperature 0, few tokens) and falls back when its output is unusable or
 * the model fails. Aborting rejects with the signal's reason.
 */
export async function rewriteQuery(model: ChatModel | null, turns: Turn[], question: string, signal?: AbortSignal): Promise<RewrittenQuery> {
  if (turns.length === 0) return { query: question, rewritten: false };
  const fallback = { query: fallbackQuery(question, turns.at(-1)?.question), rewritten: false };
  if (!model) return fallback;
  try {
    const result = await model.generate(rewriteMessages(turns, question), {
      maxTokens: REWRITE_MAX_TOKENS,
      temperature: 0,
      ...(signal ? { signal } : {}),
    });
    signal?.throwIfAborted();
    // Cut off by the token limit: it was rambling, not writing a query.
    const query = result.stopReason === 'end' ? acceptRewrite(result.text) : null;
    return query ? { query, rewritten: true } : fallback;
  } catch {
    signal?.throwIfAborted();
    // A failing model must not stop the answer: search with the fallback.
    return fallback;
  }
}
