// Answers and conversations: a question is stored, rewritten into a search query when it follows
// earlier turns, answered from retrieved sources (or plainly, or not at all when nothing is
// found), streamed as typed events, and stored with the sources it cites. Stopping keeps the
// partial answer; regenerate and edit-and-resend replace what followed.
import {
  AskRequest,
  CairnError,
  NewConversation,
  type ChatSettings,
  type ChatEvent,
  type ChatSource,
  type ConversationDetail,
  type ConversationScope,
  type ConversationSummary,
  type MessageStatus,
  type SearchFilters,
  type SearchHit,
  type StoredMessage,
} from '../contract/index.ts';
import type { ChatModel, GenerateResult } from '../llm/chat-model.ts';
import type { Library } from '../store/index.ts';
import { CitationStreamFilter, resolveCitations } from './citations.ts';
import { conversationToMarkdown } from './markdown.ts';
import { buildGroundedPrompt, buildPlainPrompt, chatSource, type GroundedPrompt } from './prompt.ts';
import { questionFilters } from './question-filters.ts';
import { retrieve, type Retrieved, type SearchFunction } from './retrieve.ts';
import { rewriteQuery, type Turn } from './rewrite-query.ts';

/**
 * Web sources for a question (kind 'web', best first) and one line on what went wrong with the web
 * part, if anything. Expected never to throw and to keep its own deadline (see app/web).
 */
export type WebSources = (query: string, signal?: AbortSignal) => Promise<{ hits: SearchHit[]; notice: string | null }>;

/** The chat model, opened on first use, or why there is none (shown to the user as the answer). */
export type ChatModelSource = () => Promise<ChatModel | { unavailable: string }>;

export interface ChatServiceOptions {
  library: Library;
  search: SearchFunction;
  model: ChatModelSource;
  /** Web search for questions asked with `web: true`; without it such questions get a notice. */
  web?: WebSources;
  /** Defaults under every conversation's own settings (a function: read at each question, so a change applies at once). */
  defaults?: ChatSettings | (() => ChatSettings);
  /** The clock for dates in questions ("last week"); tests set it. */
  now?: () => Date;
}

export interface AnswerOptions {
  signal?: AbortSignal;
  onEvent?: (event: ChatEvent) => void;
  /** Search the web too, beside the library (AskRequest.web). */
  web?: boolean;
}

export const DEFAULT_CHAT_SETTINGS: Required<Pick<ChatSettings, 'k' | 'temperature' | 'minSimilarity'>> = { k: 8, temperature: 0.2, minSimilarity: 0.45 };

export const NO_CHAT_MODEL_MESSAGE =
  'No chat model. `cairn models list` names the one recommended for this machine and `cairn models pull <id>` downloads it; `cairn models use <file.gguf>` uses a model file you have. Search works without one.';

export const NOTHING_FOUND_MESSAGE = 'Your library has nothing on this: no document or email I searched matches the question, so I cannot answer it from your sources.';

const TITLE_CHARS = 60;

/** A conversation title from its first question: one line, cut at a word. */
export function titleFromQuestion(question: string): string {
  const line = question.replace(/\s+/g, ' ').trim();
  if (line.length <= TITLE_CHARS) return line;
  const cut = line.slice(0, TITLE_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Earlier complete question–answer pairs before message `beforeId`, oldest first. */
export function turnsBefore(messages: StoredMessage[], beforeId: number): Turn[] {
  const turns: Turn[] = [];
  for (let i = 0; i + 1 < messages.length; i++) {
    const q = messages[i]!;
    const a = messages[i + 1]!;
    if (a.id >= beforeId) break;
    if (q.role === 'user' && a.role === 'assistant' && a.status !== 'failed' && a.content) turns.push({ question: q.content, answer: a.content });
  }
  return turns;
}

export class ChatService {
  private readonly library: Library;
  private readonly search: SearchFunction;
  private readonly model: ChatModelSource;
  private readonly web: WebSources | undefined;
  private readonly userDefaults: () => ChatSettings;
  private readonly now: () => Date;

  constructor(options: ChatServiceOptions) {
    this.library = options.library;
    this.search = options.search;
    this.model = options.model;
    this.web = options.web;
    const defaults = options.defaults ?? {};
    this.userDefaults = typeof defaults === 'function' ? defaults : () => defaults;
    this.now = options.now ?? (() => new Date());
  }

  createConversation(input: NewConversation = {}, title = 'New conversation'): ConversationSummary {
    const parsed = NewConversation.safeParse(input);
    if (!parsed.success) throw new CairnError('bad-request', `Invalid conversation: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    return this.library.conversations.create({ ...parsed.data, title: parsed.data.title ?? title });
  }

  listConversations(): ConversationSummary[] {
    return this.library.conversations.list();
  }

  getConversation(id: number): ConversationDetail {
    return { ...this.summary(id), messages: this.library.conversations.messages(id) };
  }

  renameConversation(id: number, title: string): ConversationSummary {
    const clean = title.replace(/\s+/g, ' ').trim();
    if (!clean) throw new CairnError('bad-request', 'A conversation title cannot be empty.');
    if (!this.library.conversations.rename(id, clean.slice(0, 200))) throw notFound(id);
    return this.summary(id);
  }

  deleteConversation(id: number): void {
    if (!this.library.conversations.delete(id)) throw notFound(id);
  }

  exportMarkdown(id: number): string {
    return conversationToMarkdown(this.getConversation(id));
  }

  /** Asks a question in a conversation (a new one without conversationId) and resolves to the stored answer. */
  async ask(request: AskRequest, options: AnswerOptions = {}): Promise<StoredMessage> {
    const parsed = AskRequest.safeParse(request);
    if (!parsed.success) throw new CairnError('bad-request', `Invalid question: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const { question, conversationId, scope, filters, settings } = parsed.data;
    const { conversations } = this.library;
    const asked = this.library.transaction(() => {
      let conversation: ConversationSummary;
      if (conversationId === undefined) {
        conversation = this.createConversation({ scope, filters, settings }, titleFromQuestion(question));
      } else {
        conversation = this.summary(conversationId);
        if (filters || settings) {
          conversations.update(conversation.id, { ...(filters ? { filters } : {}), ...(settings ? { settings: { ...conversation.settings, ...settings } } : {}) });
        }
      }
      return conversations.addMessage({ conversationId: conversation.id, role: 'user', content: question, status: 'complete' });
    });
    return this.answer(asked, parsed.data.web === undefined ? options : { ...options, web: parsed.data.web });
  }

  /** Answers the conversation's last question again, replacing the answer it had. */
  async regenerate(conversationId: number, options: AnswerOptions = {}): Promise<StoredMessage> {
    const messages = this.getConversation(conversationId).messages;
    const question = messages.findLast((m) => m.role === 'user');
    if (!question) throw new CairnError('bad-request', 'This conversation has no question to answer again.');
    this.library.conversations.deleteAfter(question.id);
    return this.answer(question, options);
  }

  /** Replaces a question's text, drops every turn after it, and answers it again. */
  async editAndResend(messageId: number, question: string, options: AnswerOptions = {}): Promise<StoredMessage> {
    const message = this.library.conversations.message(messageId);
    if (!message || message.role !== 'user') throw new CairnError('not-found', `No question with id ${messageId}.`);
    const text = question.trim();
    if (!text) throw new CairnError('bad-request', 'The question cannot be empty.');
    const edited = this.library.transaction(() => {
      this.library.conversations.setContent(messageId, text);
      this.library.conversations.deleteAfter(messageId);
      return { ...message, content: text };
    });
    return this.answer(edited, options);
  }

  private summary(id: number): ConversationSummary {
    const conversation = this.library.conversations.get(id);
    if (!conversation) throw notFound(id);
    return conversation;
  }

  /** Answers a stored question, streaming events, and resolves to the stored answer. */
  private async answer(question: StoredMessage, options: AnswerOptions): Promise<StoredMessage> {
    const emit = options.onEvent ?? (() => {});
    const { signal } = options;
    const conversation = this.summary(question.conversationId);
    const settings = { ...DEFAULT_CHAT_SETTINGS, ...this.userDefaults(), ...conversation.settings };
    // Per question (AskRequest.web) or for the whole conversation (its settings).
    const useWeb = options.web ?? settings.web ?? false;
    const history = turnsBefore(this.library.conversations.messages(conversation.id), question.id);
    emit({ type: 'start', conversationId: conversation.id, userMessageId: question.id });

    const store = (content: string, status: MessageStatus, extra: { thought?: string; modelKey?: string | null; sources?: ChatSource[]; settings?: Record<string, unknown> } = {}) => {
      const message = this.library.transaction(() => {
        const stored = this.library.conversations.addMessage({
          conversationId: conversation.id, role: 'assistant', content, status, thought: extra.thought ?? '', modelKey: extra.modelKey ?? null,
          settings: extra.settings ?? {},
        });
        if (extra.sources?.length) this.library.conversations.addSources(stored.id, extra.sources);
        return this.library.conversations.message(stored.id)!;
      });
      emit({ type: 'done', conversationId: conversation.id, message });
      return message;
    };
    const sayInstead = (content: string, status: MessageStatus, sources: ChatSource[] = [], used: Record<string, unknown> = {}) => {
      emit({ type: 'text', delta: content });
      return store(content, status, { sources, settings: used });
    };
    let opened: ChatModel | { unavailable: string } | undefined;
    const model = async () => (opened ??= await this.model());

    try {
      let prompt: GroundedPrompt;
      let used: Record<string, unknown> = { k: settings.k, temperature: settings.temperature };
      if (conversation.scope.type === 'none') {
        if (useWeb) emit({ type: 'notice', code: 'web', message: 'Web search is not used in plain chat (a conversation without the library).' });
        const m = await model();
        if ('unavailable' in m) {
          emit({ type: 'notice', code: 'no-chat-model', message: m.unavailable });
          return sayInstead(m.unavailable, 'failed');
        }
        prompt = buildPlainPrompt({ question: question.content, history, model: m, ...answerTokens(settings) });
      } else {
        const m = history.length ? await model() : null;
        const found = await this.find(question.content, history, m && !('unavailable' in m) ? m : null, conversation, settings, useWeb, emit, signal);
        const { hits } = found;
        used = { ...used, ...found.used };
        if (hits.length === 0) {
          emit({ type: 'notice', code: 'nothing-found', message: NOTHING_FOUND_MESSAGE });
          return sayInstead(NOTHING_FOUND_MESSAGE, 'complete', [], used);
        }
        const chosen = await model();
        if ('unavailable' in chosen) {
          // Search still works: show what was found, and what is missing to answer from it.
          const sources = hits.map((hit, i) => chatSource(i + 1, hit));
          emit({ type: 'sources', sources });
          emit({ type: 'notice', code: 'no-chat-model', message: chosen.unavailable });
          return sayInstead(chosen.unavailable, 'failed', sources, used);
        }
        prompt = buildGroundedPrompt({ question: question.content, history, hits, model: chosen, ...answerTokens(settings) });
        emit({ type: 'sources', sources: prompt.sources });
      }
      const chosen = (await model()) as ChatModel;
      signal?.throwIfAborted();
      return await this.generate(chosen, prompt, { ...used, maxAnswerTokens: prompt.maxAnswerTokens, promptTokens: prompt.promptTokens }, settings.temperature, emit, signal, store);
    } catch (error) {
      // Stopped before the model started (while rewriting or searching): an empty, stopped answer.
      if (signal?.aborted) return store('', 'stopped');
      if (error instanceof CairnError && error.code === 'prompt-too-long') {
        emit({ type: 'notice', code: 'too-long', message: error.message });
        return sayInstead(error.message, 'failed');
      }
      throw error;
    }
  }

  /**
   * What a question would be answered from, without asking a model and without storing anything:
   * the sources found, numbered as a model would get them, with the same notices (as events).
   * For a client with no chat model, which shows what search found instead of an answer. Null
   * when the conversation searches nothing (plain chat).
   */
  async lookup(request: AskRequest, options: AnswerOptions = {}): Promise<ChatSource[] | null> {
    const parsed = AskRequest.safeParse(request);
    if (!parsed.success) throw new CairnError('bad-request', `Invalid question: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    const { question, conversationId, scope, filters, settings: asked, web } = parsed.data;
    const emit = options.onEvent ?? (() => {});
    const known = conversationId === undefined ? null : this.summary(conversationId);
    const conversation = { scope: known?.scope ?? scope ?? { type: 'all' as const }, filters: filters ?? known?.filters ?? {} };
    if (conversation.scope.type === 'none') return null;
    const settings = { ...DEFAULT_CHAT_SETTINGS, ...this.userDefaults(), ...known?.settings, ...asked };
    const history = known ? turnsBefore(this.library.conversations.messages(known.id), Infinity) : [];
    const { hits } = await this.find(question, history, null, conversation, settings, web ?? options.web ?? settings.web ?? false, emit, options.signal);
    const sources = hits.map((hit, i) => chatSource(i + 1, hit));
    if (sources.length) emit({ type: 'sources', sources });
    return sources;
  }

  /**
   * The search for a question (a follow-up rewritten into a standalone query when there is a
   * model), in the library and, when asked, on the web: the hits, best first, and how they were found.
   */
  private async find(
    question: string,
    history: Turn[],
    model: ChatModel | null,
    conversation: { scope: ConversationScope; filters: SearchFilters },
    settings: { k: number; minSimilarity: number; meaningWeight?: number },
    useWeb: boolean,
    emit: (event: ChatEvent) => void,
    signal: AbortSignal | undefined,
  ): Promise<{ hits: SearchHit[]; used: Record<string, unknown> }> {
    const { query, rewritten } = await rewriteQuery(model, history, question, signal);
    emit({ type: 'query', query, rewritten });
    // The web step runs beside local retrieval; it keeps its own deadline and never throws.
    const webLookup = useWeb ? this.webSources(query, signal) : null;
    const found = await this.retrieveFor(query, conversation.scope, conversation.filters, settings, emit);
    const web = await webLookup;
    signal?.throwIfAborted();
    if (found.notice) emit({ type: 'notice', code: 'search', message: found.notice });
    if (web?.notice) emit({ type: 'notice', code: 'web', message: web.notice });
    return {
      hits: web?.hits.length ? interleave(found.hits, web.hits) : found.hits,
      used: { query, rewritten, ...(web ? { web: true } : {}) },
    };
  }

  private async webSources(query: string, signal: AbortSignal | undefined): Promise<{ hits: SearchHit[]; notice: string | null }> {
    if (!this.web) return { hits: [], notice: 'Web search is not available here; answered from your library only.' };
    try {
      return await this.web(query, signal);
    } catch (error) {
      return { hits: [], notice: `Web search failed (${error instanceof Error ? error.message : String(error)}); answered from your library only.` };
    }
  }

  /**
   * Retrieval for a question, with the sender and dates it implies ("what did Alice say last
   * week") as filters beside the user's own (theirs win). When those find nothing, the plain
   * search answers instead, and a notice says so.
   */
  private async retrieveFor(query: string, scope: ConversationScope, filters: SearchFilters, settings: { k: number; minSimilarity: number; meaningWeight?: number }, emit: (event: ChatEvent) => void): Promise<Retrieved> {
    const base = { scope, k: settings.k, minSimilarity: settings.minSimilarity, ...(settings.meaningWeight === undefined ? {} : { meaningWeight: settings.meaningWeight }) };
    const implied = questionFilters(query, this.now());
    if (!implied.description) return retrieve(this.search, { ...base, query, filters });
    const found = await retrieve(this.search, { ...base, query: implied.query, filters: { ...implied.filters, ...filters } });
    if (found.hits.length > 0) {
      emit({ type: 'notice', code: 'filters', message: `Searched ${implied.description}.` });
      return found;
    }
    emit({ type: 'notice', code: 'filters', message: `Nothing ${implied.description}; searched everything instead.` });
    return retrieve(this.search, { ...base, query, filters });
  }

  private async generate(
    model: ChatModel,
    prompt: GroundedPrompt,
    used: Record<string, unknown>,
    temperature: number,
    emit: (event: ChatEvent) => void,
    signal: AbortSignal | undefined,
    store: (content: string, status: MessageStatus, extra: { thought?: string; modelKey?: string | null; sources?: ChatSource[]; settings?: Record<string, unknown> }) => StoredMessage,
  ): Promise<StoredMessage> {
    const given = prompt.sources.map((s) => s.n);
    // Leading whitespace is not streamed (nor stored): the answer shown is the answer kept.
    let started = false;
    const filter = new CitationStreamFilter(given, (delta) => {
      const piece = started ? delta : delta.trimStart();
      if (!piece) return;
      started = true;
      emit({ type: 'text', delta: piece });
    });
    let raw = '';
    let thought = '';
    let result: GenerateResult | undefined;
    let failure: unknown;
    try {
      result = await model.generate(prompt.messages, {
        maxTokens: prompt.maxAnswerTokens,
        temperature,
        ...(signal ? { signal } : {}),
        onText: (piece) => {
          raw += piece;
          filter.push(piece);
        },
        onThought: (piece) => {
          thought += piece;
          emit({ type: 'thought', delta: piece });
        },
      });
    } catch (error) {
      failure = error;
    }
    // A backend that does not stream gives the whole answer at the end.
    if (!raw && result?.text) {
      raw = result.text;
      filter.push(raw);
    }
    filter.flush();
    const { text, cited } = resolveCitations(raw, given);
    const sources = prompt.sources.map((s) => ({ ...s, cited: cited.includes(s.n) }));
    let status: MessageStatus = 'complete';
    if (signal?.aborted || result?.stopReason === 'aborted') {
      status = 'stopped';
    } else if (failure !== undefined) {
      status = 'failed';
      emit({ type: 'notice', code: 'model-error', message: `The chat model failed: ${failure instanceof Error ? failure.message : String(failure)}` });
    }
    return store(text.trim(), status, {
      thought: (result?.thought || thought).trim(),
      modelKey: model.key,
      sources,
      settings: { ...used, ...(result ? { stopReason: result.stopReason, tokens: result.tokens } : {}) },
    });
  }
}

/** Library and web hits alternately (each list keeps its order), so both get room in the prompt. */
function interleave(local: SearchHit[], web: SearchHit[]): SearchHit[] {
  const out: SearchHit[] = [];
  for (let i = 0; i < Math.max(local.length, web.length); i++) {
    if (i < local.length) out.push(local[i]!);
    if (i < web.length) out.push(web[i]!);
  }
  return out;
}

function answerTokens(settings: ChatSettings): { maxAnswerTokens?: number } {
  return settings.maxAnswerTokens === undefined ? {} : { maxAnswerTokens: settings.maxAnswerTokens };
}

function notFound(id: number): CairnError {
  return new CairnError('not-found', `No conversation with id ${id}.`);
}
