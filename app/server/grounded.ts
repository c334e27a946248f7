// Retrieval for an API request: the last user message is the question, earlier user/assistant
// pairs the history; app/chat rewrites a follow-up, retrieves with its relevance cut, and builds
// the grounded prompt. Nothing is stored: the client keeps its own conversation.
import type { ChatSource, SearchFilters } from '../contract/index.ts';
import {
  buildGroundedPrompt,
  DEFAULT_CHAT_SETTINGS,
  retrieve,
  rewriteQuery,
  type GroundedPrompt,
  type PromptModel,
  type SearchFunction,
  type Turn,
} from '../chat/index.ts';
import type { ChatMessage, ChatModel } from '../llm/index.ts';

export interface GroundedInput {
  question: string;
  /** Earlier question–answer pairs, oldest first. */
  history: Turn[];
  filters: SearchFilters;
  k?: number;
  minSimilarity?: number;
  maxAnswerTokens?: number;
  /** The model that rewrites a follow-up into a standalone search query (without it: a fallback query). */
  rewriter?: ChatModel | null;
  signal?: AbortSignal;
}

export type GroundedPreparation =
  | { found: true; query: string; rewritten: boolean; notice: string | null; prompt: GroundedPrompt }
  | { found: false; query: string; rewritten: boolean; notice: string | null };

/**
 * Search query, retrieval and prompt for a grounded answer: the work done before the model's first
 * token. `model` sets the token budget (its context and tokenizer).
 */
export async function prepareGroundedAnswer(
  search: SearchFunction,
  model: PromptModel,
  input: GroundedInput,
): Promise<GroundedPreparation> {
  const { query, rewritten } = await rewriteQuery(input.rewriter ?? null, input.history, input.question, input.signal);
  const found = await retrieve(search, {
    query,
    scope: { type: 'all' },
    filters: input.filters,
    k: input.k ?? DEFAULT_CHAT_SETTINGS.k,
    minSimilarity: input.minSimilarity ?? DEFAULT_CHAT_SETTINGS.minSimilarity,
  });
  input.signal?.throwIfAborted();
  if (found.hits.length === 0) return { found: false, query, rewritten, notice: found.notice };
  const prompt = buildGroundedPrompt({
    question: input.question,
    history: input.history,
    hits: found.hits,
    model,
    ...(input.maxAnswerTokens === undefined ? {} : { maxAnswerTokens: input.maxAnswerTokens }),
  });
  return { found: true, query, rewritten, notice: found.notice, prompt };
}

/**
 * The question and history in an OpenAI message list: the last message (a user's) is the
 * question; each user message answered by the next assistant message is a turn. System messages
 * are left out: Cairn's grounded system prompt is the same whatever the request says.
 */
export function questionAndHistory(messages: ChatMessage[]): { question: string; history: Turn[] } | null {
  const last = messages.at(-1);
  if (!last || last.role !== 'user' || !last.content.trim()) return null;
  const talk = messages.slice(0, -1).filter((m) => m.role !== 'system');
  const history: Turn[] = [];
  for (let i = 0; i + 1 < talk.length; i++) {
    const q = talk[i]!;
    const a = talk[i + 1]!;
    if (q.role === 'user' && a.role === 'assistant') {
      history.push({ question: q.content, answer: a.content });
      i++;
    }
  }
  return { question: last.content, history };
}

/** A source as the API reports it: where it is, and the passage the answer could use. */
export interface ApiCitation {
  n: number;
  title: string;
  uri: string;
  kind: ChatSource['kind'];
  page: number | null;
  headingPath: string[];
  snippet: string;
  documentId: number;
  chunkId: number;
  date: number | null;
  from: string | null;
}

export function toApiCitation(source: ChatSource): ApiCitation {
  return {
    n: source.n, title: source.title, uri: source.uri, kind: source.kind, page: source.page, headingPath: source.headingPath,
    snippet: source.snippet, documentId: source.documentId, chunkId: source.chunkId, date: source.date, from: source.from,
  };
}
