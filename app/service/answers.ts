// Answers served over the contract: a question starts at once and returns its ids, the answer
// streams as `answer` events keyed by them, and `chat.stop` stops it. One answer per conversation
// at a time: a second question to a conversation still answering is refused, not interleaved.
import { CairnError, type AnswerEvent, type ChatEvent, type EngineEvent, type StoredMessage } from '../contract/index.ts';
import type { AnswerStarted } from '../contract/api.ts';
import type { AnswerOptions, ChatService } from '../chat/index.ts';

type Start = (options: AnswerOptions) => Promise<StoredMessage>;

export class AnswerRunner {
  private readonly chat: ChatService;
  private readonly emit: (event: EngineEvent) => void;
  /** Answers under way by conversation id. */
  private readonly running = new Map<number, { controller: AbortController; done: Promise<unknown> }>();

  constructor(chat: ChatService, emit: (event: EngineEvent) => void) {
    this.chat = chat;
    this.emit = emit;
  }

  /**
   * Starts an answer and resolves with its ids as soon as the question is stored (the chat
   * service says 'start' before it searches); a question refused before that rejects.
   */
  start(conversationId: number | undefined, begin: Start): Promise<AnswerStarted> {
    if (conversationId !== undefined && this.running.has(conversationId)) {
      return Promise.reject(new CairnError('answer-in-progress', `Conversation ${conversationId} is still answering; stop it first (chat.stop).`));
    }
    const entry = { controller: new AbortController(), done: Promise.resolve() as Promise<unknown> };
    return new Promise<AnswerStarted>((resolve, reject) => {
      let ids: AnswerStarted | null = null;
      // Called synchronously from within begin() for 'start', before the question is searched.
      const onEvent = (event: ChatEvent) => {
        if (event.type === 'start' && !ids) {
          ids = { conversationId: event.conversationId, questionId: event.userMessageId };
          // Another client asked in the same conversation at the same moment: this one stops at once.
          if (this.running.has(ids.conversationId)) entry.controller.abort();
          else this.running.set(ids.conversationId, entry);
          resolve(ids);
        }
        if (ids) this.send(ids, event);
      };
      entry.done = begin({ signal: entry.controller.signal, onEvent })
        .then(
          () => {},
          (error: unknown) => {
            if (!ids) reject(error);
            else this.send(ids, { type: 'failed', error: { code: error instanceof CairnError ? error.code : 'answer-failed', message: (error as Error).message } });
          },
        )
        .finally(() => {
          if (ids && this.running.get(ids.conversationId) === entry) this.running.delete(ids.conversationId);
        });
    });
  }

  /** Stops the conversation's answer (the part written so far is kept, marked stopped). */
  stop(conversationId: number): boolean {
    const answer = this.running.get(conversationId);
    if (!answer) return false;
    answer.controller.abort();
    return true;
  }

  /** Stops every answer and waits until each is stored. */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    for (const answer of all) answer.controller.abort();
    await Promise.all(all.map((a) => a.done));
  }

  private send(ids: AnswerStarted, event: AnswerEvent['event']): void {
    this.emit({ type: 'answer', conversationId: ids.conversationId, questionId: ids.questionId, event });
  }
}

