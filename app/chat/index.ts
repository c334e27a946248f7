// Retrieval-augmented answers: follow-up rewriting, retrieval with a relevance cut, context
// packing to the model's budget, a grounded prompt that fences sources as data, streaming,
// citations mapped back to chunks, and stored conversations.
export {
  ChatService,
  DEFAULT_CHAT_SETTINGS,
  NO_CHAT_MODEL_MESSAGE,
  NOTHING_FOUND_MESSAGE,
  titleFromQuestion,
  turnsBefore,
  type AnswerOptions,
  type ChatModelSource,
  type ChatServiceOptions,
  type WebSources,
} from './chat-service.ts';
export { CitationStreamFilter, citedNumbers, resolveCitations, stripCitations, type ResolvedCitations } from './citations.ts';
export { keyTerms } from './key-terms.ts';
export { questionFilters, type QuestionFilters } from './question-filters.ts';
export { conversationToMarkdown, describeSource, sourcesMarkdown } from './markdown.ts';
export { newestWithin, packSources, sourceTokens, TRIM_MARK, type CountTokens, type PackedSource, type PackOptions, type RenderSource } from './pack-context.ts';
export {
  buildGroundedPrompt,
  buildPlainPrompt,
  defaultAnswerTokens,
  GROUNDED_SYSTEM_PROMPT,
  groundedUserMessage,
  neutraliseDelimiters,
  PLAIN_SYSTEM_PROMPT,
  renderSource,
  sourceLocation,
  chatSource,
  toChatSource,
  type GroundedPrompt,
  type GroundedPromptInput,
  type PromptInput,
  type PromptModel,
} from './prompt.ts';
export { retrieve, scopedFilters, termCoverage, weightedSearch, type RetrievalInput, type Retrieved, type SearchFunction } from './retrieve.ts';
export { acceptRewrite, fallbackQuery, REWRITE_SYSTEM_PROMPT, rewriteMessages, rewriteQuery, type RewrittenQuery, type Turn } from './rewrite-query.ts';
