// The chat view: the open conversation's turns (stored, plus the answer streaming now), the
// composer, and for a new conversation either a calm start or, while Cairn cannot answer yet, the
// first-run steps. Citations open in the right-hand pane (navigation.openCitation), or with
// Alt+1…9 for the last answer's sources.
import { MessagesSquare } from 'lucide-react';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ChatSource, ConversationScope, StoredMessage } from '../../../../app/contract/index.ts';
import { api } from '../../api/index.ts';
import { EmptyState } from '../../components/EmptyState.tsx';
import { useT } from '../../i18n/index.tsx';
import { navigation, parseHash, useNavigation } from '../../state/navigation.ts';
import { notifyError } from '../../state/notices.ts';
import { invalidate, useQuery } from '../../state/query.ts';
import { useShortcuts } from '../../shell/shortcuts.ts';
import { Answer, Question, type AnswerData } from './Answer.tsx';
import { Composer } from './Composer.tsx';
import { FirstRun } from './FirstRun.tsx';
import { liveAnswers, useLiveAnswer, type LiveAnswer } from './live-answers.ts';

/** At start, with no conversation named in the address, the most recent one opens again. */
let reopenLast = parseHash(location.hash).view === 'chat' && parseHash(location.hash).conversationId === null;

function storedAnswer(message: StoredMessage): AnswerData {
  const details = liveAnswers.details(message.id);
  const query = typeof message.settings.query === 'string' ? { text: message.settings.query, rewritten: message.settings.rewritten === true } : null;
  return {
    id: message.id, text: message.content, thought: message.thought, state: message.status, sources: message.sources, query,
    notices: details?.notices ?? [], thoughtSeconds: details?.thoughtSeconds ?? null, thinking: false, error: null,
  };
}

function liveAnswer(live: LiveAnswer): AnswerData {
  return {
    id: null, text: live.text, thought: live.thought, state: live.failed ? 'failed' : 'streaming', sources: live.sources, query: live.query ? { text: live.query.text, rewritten: live.query.rewritten } : null,
    notices: live.notices, thoughtSeconds: live.thinkingFrom !== null ? ((live.thinkingTo ?? Date.now()) - live.thinkingFrom) / 1000 : null,
    thinking: live.thought.length > 0 && live.text.length === 0 && !live.failed, error: live.failed?.message || null,
  };
}

type Turn = { kind: 'question'; id: number | null; text: string } | { kind: 'answer'; key: string; data: AnswerData };

/** Stored turns up to the question being answered, then the live answer (which replaces what followed). */
function turnsOf(messages: StoredMessage[], live: LiveAnswer | null): Turn[] {
  const turns: Turn[] = [];
  const showLive = live && !(live.done && messages.some((m) => m.id === live.done!.id));
  const cut = showLive ? messages.findIndex((m) => m.id === live.questionId) : -1;
  const kept = showLive && cut >= 0 ? messages.slice(0, cut + 1) : messages;
  for (const m of kept) {
    if (m.role === 'user') turns.push({ kind: 'question', id: m.id, text: showLive && m.id === live.questionId && live.question ? live.question : m.content });
    else turns.push({ kind: 'answer', key: `m${m.id}`, data: storedAnswer(m) });
  }
  if (showLive) {
    if (cut < 0) turns.push({ kind: 'question', id: live.questionId, text: live.question ?? '' });
    turns.push({ kind: 'answer', key: `live${live.questionId}`, data: live.done ? storedAnswer(live.done) : liveAnswer(live) });
  }
  return turns;
}

/** Keeps the newest text in view while it streams, unless the reader scrolled up. */
function useStickToBottom(dependency: unknown) {
  const ref = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const onScroll = () => {
      stuck.current = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
    };
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => element.removeEventListener('scroll', onScroll);
  }, []);
  useLayoutEffect(() => {
    const element = ref.current;
    if (element && stuck.current) element.scrollTop = element.scrollHeight;
  }, [dependency]);
  return { ref, stick: () => (stuck.current = true) };
}

export function ChatView() {
  const { t } = useT();
  const { conversationId } = useNavigation();
  const list = useQuery('conversations.list', {});
  const conversation = useQuery('conversations.get', conversationId === null ? null : { id: conversationId });
  const status = useQuery('library.status', {});
  const models = useQuery('models.list', {});
  const live = useLiveAnswer(conversationId);
  const composer = useRef<HTMLTextAreaElement>(null);
  const [newScope, setNewScope] = useState<ConversationScope>({ type: 'all' });
  const [web, setWeb] = useState(false);

  useEffect(() => {
    if (!reopenLast || !list.data) return;
    reopenLast = false;
    const latest = [...list.data].sort((a, b) => b.updatedAt - a.updatedAt)[0];
    if (latest && conversationId === null) navigation.openConversation(latest.id);
  }, [list.data, conversationId]);

  useEffect(() => composer.current?.focus(), [conversationId]);

  const messages = conversation.data && conversation.data.id === conversationId ? conversation.data.messages : [];
  const turns = useMemo(() => turnsOf(messages, live), [messages, live]);
  const streaming = !!live && !live.done && !live.failed;
  const { ref: scroller, stick } = useStickToBottom(turns);

  // Once the stored copy of a finished answer is shown, the live one is no longer needed.
  useEffect(() => {
    if (conversationId !== null && live?.done && messages.some((m) => m.id === live.done!.id)) liveAnswers.clear(conversationId);
  }, [conversationId, live, messages]);

  const scope = conversationId === null ? newScope : (conversation.data?.scope ?? { type: 'all' });
  const changeScope = async (next: ConversationScope) => {
    if (conversationId === null) return setNewScope(next);
    try {
      await api.conversations.update({ id: conversationId, scope: next });
      invalidate((method, params) => method === 'conversations.list' || (method === 'conversations.get' && (params as { id: number }).id === conversationId));
    } catch (error) {
      notifyError(t('chat.scopeFailed'), error);
    }
  };

  const openSource = useCallback((source: ChatSource) => navigation.openCitation(source, { conversationId }), [conversationId]);

  const ask = async (question: string): Promise<boolean> => {
    stick();
    try {
      const started = await api.chat.ask({ question, ...(conversationId === null ? { scope: newScope } : { conversationId }), ...(web ? { web: true } : {}) });
      liveAnswers.setQuestion(started.conversationId, started.questionId, question);
      if (conversationId !== started.conversationId) navigation.openConversation(started.conversationId);
      return true;
    } catch (error) {
      notifyError(t('chat.askFailed'), error);
      return false;
    }
  };
  const stop = () => conversationId !== null && void api.chat.stop({ conversationId }).catch((e: unknown) => notifyError(t('chat.stopFailed'), e));
  const regenerate = () =>
    conversationId !== null && void api.chat.regenerate({ conversationId, ...(web ? { web: true } : {}) }).catch((e: unknown) => notifyError(t('chat.askFailed'), e));
  const edit = (messageId: number, question: string) => {
    stick();
    void api.chat.edit({ messageId, question, ...(web ? { web: true } : {}) }).then(
      (started) => liveAnswers.setQuestion(started.conversationId, started.questionId, question),
      (e: unknown) => notifyError(t('chat.askFailed'), e),
    );
  };

  // Alt+1…9: the last answer's sources, as numbered.
  const lastAnswer = [...turns].reverse().find((turn) => turn.kind === 'answer');
  useShortcuts(
    Array.from({ length: 9 }, (_, i) => ({
      keys: `Alt+${i + 1}`,
      inFields: true,
      handler: () => {
        const source = lastAnswer?.kind === 'answer' ? lastAnswer.data.sources.find((s) => s.n === i + 1) : undefined;
        if (source) openSource(source);
      },
    })),
  );

  const documents = status.data ? (status.data.documents.indexed ?? 0) + (status.data.documents.pending ?? 0) : null;
  const firstRun = conversationId === null && models.data && documents !== null && (!models.data.chat || documents === 0);
  const title = conversationId === null ? t('chat.newTitle') : (conversation.data?.title ?? '');

  return (
    <div className="view chat" data-testid="chat-view">
      <header className="view__header">
        <h1 className="view__title">{title}</h1>
      </header>
      <div className="chat__scroller" ref={scroller}>
        <div className="chat__column">
          {conversation.error && conversationId !== null ? <p className="quiet-note quiet-note--error">{conversation.error.message}</p> : null}
          {conversationId === null && turns.length === 0 ? (
            firstRun ? (
              <FirstRun hasDocuments={(documents ?? 0) > 0} />
            ) : (
              <EmptyState icon={<MessagesSquare size={28} />} title={t('chat.emptyTitle')}>
                <p>{t('chat.emptyText')}</p>
              </EmptyState>
            )
          ) : (
            turns.map((turn, i) =>
              turn.kind === 'question' ? (
                <Question key={`q${turn.id ?? i}`} text={turn.text} disabled={streaming} onEdit={turn.id !== null ? (text) => edit(turn.id!, text) : undefined} />
              ) : (
                <Answer key={turn.key} answer={turn.data} last={turn === lastAnswer} onOpenSource={openSource} onRegenerate={regenerate} onStop={stop} />
              ),
            )
          )}
        </div>
      </div>
      <div className="chat__composer">
        <Composer ref={composer} scope={scope} onScopeChange={(s) => void changeScope(s)} web={web} onWebChange={setWeb} streaming={streaming} onSend={ask} onStop={stop} />
      </div>
    </div>
  );
}
