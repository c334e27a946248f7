// Answers as they stream: one per conversation, built from `answer` events (query, sources,
// thought and text deltas, notices, then done or failed). Deltas are applied to a draft and
// published at most once per animation frame, so a fast model never re-renders the chat more
// often than the screen can show. What events tell but the stored message does not keep (the
// notices, how long the model thought) is remembered by message id for this session.
import type { AnswerEvent, ChatSource, ErrorBody, NoticeCode, StoredMessage } from '../../../../app/contract/index.ts';
import { onEngineEvent } from '../../state/events.ts';
import { createStore, useStore } from '../../state/store.ts';

export interface AnswerNotice {
  code: NoticeCode;
  message: string;
}

export interface LiveAnswer {
  conversationId: number;
  questionId: number;
  /** The question as asked (known when this window asked it), shown until the stored one arrives. */
  question: string | null;
  query: { text: string; rewritten: boolean } | null;
  sources: ChatSource[];
  thought: string;
  text: string;
  notices: AnswerNotice[];
  startedAt: number;
  thinkingFrom: number | null;
  thinkingTo: number | null;
  done: StoredMessage | null;
  failed: ErrorBody | null;
}

export interface AnswerDetails {
  notices: AnswerNotice[];
  thoughtSeconds: number | null;
}

const store = createStore<ReadonlyMap<number, LiveAnswer>>(new Map());
const details = new Map<number, AnswerDetails>();
const drafts = new Map<number, LiveAnswer>();
let frame: number | null = null;

function publish(): void {
  frame = null;
  if (!drafts.size) return;
  const next = new Map(store.get());
  for (const [id, draft] of drafts) next.set(id, { ...draft });
  drafts.clear();
  store.set(next);
}

function schedule(now: boolean): void {
  if (now) {
    if (frame !== null) cancelAnimationFrame(frame);
    publish();
  } else frame ??= requestAnimationFrame(publish);
}

function draftFor(conversationId: number, questionId: number): LiveAnswer {
  const existing = drafts.get(conversationId) ?? store.get().get(conversationId);
  if (existing && existing.questionId === questionId && !existing.done && !existing.failed) {
    const draft = drafts.get(conversationId) ?? { ...existing };
    drafts.set(conversationId, draft);
    return draft;
  }
  const fresh: LiveAnswer = {
    conversationId, questionId, question: existing?.questionId === questionId ? existing.question : null, query: null, sources: [], thought: '', text: '', notices: [],
    startedAt: Date.now(), thinkingFrom: null, thinkingTo: null, done: null, failed: null,
  };
  drafts.set(conversationId, fresh);
  return fresh;
}

export function applyAnswerEvent({ conversationId, questionId, event }: AnswerEvent): void {
  const draft = draftFor(conversationId, questionId);
  const now = Date.now();
  switch (event.type) {
    case 'start':
      break;
    case 'query':
      draft.query = { text: event.query, rewritten: event.rewritten };
      break;
    case 'sources':
      draft.sources = event.sources;
      break;
    case 'thought':
      draft.thinkingFrom ??= now;
      draft.thought += event.delta;
      break;
    case 'text':
      if (draft.thinkingFrom !== null) draft.thinkingTo ??= now;
      draft.text += event.delta;
      break;
    case 'notice':
      draft.notices = [...draft.notices, { code: event.code, message: event.message }];
      break;
    case 'done':
      if (draft.thinkingFrom !== null) draft.thinkingTo ??= now;
      draft.done = event.message;
      details.set(event.message.id, {
        notices: draft.notices,
        thoughtSeconds: draft.thinkingFrom !== null ? ((draft.thinkingTo ?? now) - draft.thinkingFrom) / 1000 : null,
      });
      break;
    case 'failed':
      draft.failed = event.error;
      break;
  }
  // Text and thought wait for the next frame; everything else shows at once.
  schedule(event.type !== 'text' && event.type !== 'thought');
}

let started = false;
export function startLiveAnswers(): void {
  if (started) return;
  started = true;
  onEngineEvent((event) => {
    if (event.type === 'answer') applyAnswerEvent(event);
    // The engine restarted (or failed for good): an answer under way is gone (it was stored as stopped, or not at all).
    if (event.type === 'engine' && event.state !== 'ready') {
      const next = new Map(store.get());
      for (const [id, live] of next) if (!live.done && !live.failed) next.set(id, { ...live, failed: { code: 'engine-gone', message: event.reason ?? '' } });
      store.set(next);
    }
  });
}

export const liveAnswers = {
  /** The question this window just asked, shown until the conversation's stored copy arrives. */
  setQuestion(conversationId: number, questionId: number, question: string): void {
    const draft = draftFor(conversationId, questionId);
    draft.question = question;
    schedule(true);
  },
  isStreaming(conversationId: number): boolean {
    const live = store.get().get(conversationId);
    return !!live && !live.done && !live.failed;
  },
  details: (messageId: number): AnswerDetails | undefined => details.get(messageId),
  /** Forgets a conversation's answer once its stored copy is shown. */
  clear(conversationId: number): void {
    if (!store.get().has(conversationId)) return;
    const next = new Map(store.get());
    next.delete(conversationId);
    store.set(next);
  },
};

export function useLiveAnswer(conversationId: number | null): LiveAnswer | null {
  return useStore(store, (all) => (conversationId === null ? null : (all.get(conversationId) ?? null)));
}
