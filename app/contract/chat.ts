// The chat part of the contract: conversations, stored messages with the sources they used,
// questions, and the typed events an answer streams. No Node imports (the renderer uses it too).
import { z } from 'zod';
import { DocumentKind as DocumentKindSchema, SearchFilters as SearchFiltersSchema } from './index.ts';

// index.ts re-exports this module, so its schemas are not yet defined while this one loads: refer
// to them lazily.
const DocumentKind = z.lazy(() => DocumentKindSchema);
const SearchFilters = z.lazy(() => SearchFiltersSchema);

/** What a conversation searches: the whole library, chosen sources, or nothing (plain chat). */
export const ConversationScope = z.discriminatedUnion('type', [
  z.object({ type: z.literal('all') }),
  z.object({ type: z.literal('sources'), sourceIds: z.array(z.number().int()).min(1) }),
  z.object({ type: z.literal('none') }),
]);
export type ConversationScope = z.infer<typeof ConversationScope>;

/** Answering settings, per conversation (each field optional; defaults in app/chat). */
export const ChatSettings = z.object({
  /** Search results considered for the answer. */
  k: z.number().int().min(1).max(50).optional(),
  temperature: z.number().min(0).max(2).optional(),
  /** Tokens kept free for the answer. */
  maxAnswerTokens: z.number().int().min(16).optional(),
  /** Cosine similarity below which a hit found only by meaning (not by keywords) is dropped. */
  minSimilarity: z.number().min(-1).max(1).optional(),
  /** Search the web beside the library for every question of the conversation (off unless set). */
  web: z.boolean().optional(),
});
export type ChatSettings = z.infer<typeof ChatSettings>;

export const MessageRole = z.enum(['user', 'assistant']);
export type MessageRole = z.infer<typeof MessageRole>;

export const MessageStatus = z.enum(['complete', 'stopped', 'failed']);
export type MessageStatus = z.infer<typeof MessageStatus>;

/**
 * A source given to the model for an answer, numbered as the model saw it. A snapshot: it
 * survives the document being removed from the library later.
 */
export const ChatSource = z.object({
  n: z.number().int().min(1),
  chunkId: z.number(),
  documentId: z.number(),
  uri: z.string(),
  title: z.string(),
  kind: DocumentKind,
  page: z.number().nullable(),
  headingPath: z.array(z.string()),
  snippet: z.string(),
  /** Email date (epoch ms), when the source is an email. */
  date: z.number().nullable(),
  /** Email sender, when the source is an email. */
  from: z.string().nullable(),
  /** Whether the answer cites it. */
  cited: z.boolean(),
  /** True when the passage was read by OCR from an image of the page. */
  ocr: z.boolean().optional(),
});
export type ChatSource = z.infer<typeof ChatSource>;

export const StoredMessage = z.object({
  id: z.number(),
  conversationId: z.number(),
  role: MessageRole,
  content: z.string(),
  /** A reasoning model's thinking, kept apart from the answer ('' when none). */
  thought: z.string(),
  status: MessageStatus,
  /** The chat model that wrote an answer (null for questions and for answers no model wrote). */
  modelKey: z.string().nullable(),
  /** How an answer was made: the search query used, k, temperature… */
  settings: z.record(z.string(), z.unknown()),
  createdAt: z.number(),
  /** The sources an answer was given, numbered; empty for questions. */
  sources: z.array(ChatSource),
});
export type StoredMessage = z.infer<typeof StoredMessage>;

export const ConversationSummary = z.object({
  id: z.number(),
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  scope: ConversationScope,
  filters: SearchFilters,
  settings: ChatSettings,
  messageCount: z.number(),
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

export const ConversationDetail = ConversationSummary.extend({ messages: z.array(StoredMessage) });
export type ConversationDetail = z.infer<typeof ConversationDetail>;

export const NewConversation = z.object({
  title: z.string().max(200).optional(),
  scope: ConversationScope.default({ type: 'all' }),
  filters: SearchFilters.default({}),
  settings: ChatSettings.default({}),
});
export type NewConversation = z.input<typeof NewConversation>;

export const AskRequest = z.object({
  question: z.string().trim().min(1).max(20_000),
  /** Continue this conversation; without it a new one is started. */
  conversationId: z.number().int().optional(),
  /** For a new conversation: what it searches (default: the whole library). */
  scope: ConversationScope.optional(),
  /** Replace the conversation's filters from this question on. */
  filters: SearchFilters.optional(),
  /** Replace some of the conversation's settings from this question on. */
  settings: ChatSettings.optional(),
  /** Also search the web for this question (the library's web search provider); off unless asked. */
  web: z.boolean().optional(),
});
export type AskRequest = z.input<typeof AskRequest>;

export const NoticeCode = z.enum([
  /** Retrieval found nothing relevant: the answer says so and no model was asked. */
  'nothing-found',
  /** No chat model is configured or it could not be opened: the answer says what is missing. */
  'no-chat-model',
  /** How the search ran (e.g. keyword-only because there is no embedding model). */
  'search',
  /** The model failed while answering. */
  'model-error',
  /** The question (with the system prompt) does not fit the model's context. */
  'too-long',
  /** What happened to the web part of an answer (offline, bad key, rate limit, deadline…). */
  'web',
  /** Filters read from the question ("from Alice", "last week") and whether they found anything. */
  'filters',
]);
export type NoticeCode = z.infer<typeof NoticeCode>;

/** What an answer streams, in order: start, query, sources, thought/text deltas and notices, done. */
export const ChatEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), conversationId: z.number(), userMessageId: z.number() }),
  /** The search query used: the question, or a standalone rewrite of a follow-up. */
  z.object({ type: z.literal('query'), query: z.string(), rewritten: z.boolean() }),
  /** The sources given to the model (all `cited: false` until done). */
  z.object({ type: z.literal('sources'), sources: z.array(ChatSource) }),
  z.object({ type: z.literal('thought'), delta: z.string() }),
  /** A piece of the answer, with invented citation numbers already removed. */
  z.object({ type: z.literal('text'), delta: z.string() }),
  z.object({ type: z.literal('notice'), code: NoticeCode, message: z.string() }),
  /** The stored answer, with the sources it cites marked. */
  z.object({ type: z.literal('done'), conversationId: z.number(), message: StoredMessage }),
]);
export type ChatEvent = z.infer<typeof ChatEvent>;
