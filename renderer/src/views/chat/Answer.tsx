// One turn of a conversation: the question (editable and sent again) and the answer: Markdown
// with citation chips, the model's thinking folded ("Thought for 12 s"), the sources it cites,
// "what was searched" (the query as rewritten, filters understood, every passage retrieved and
// which were cited), quiet notices, and copy / regenerate / stop.
import * as Collapsible from '@radix-ui/react-collapsible';
import { Check, ChevronRight, Copy, Pencil, RotateCcw, Square } from 'lucide-react';
import { useEffect, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ChatSource } from '../../../../app/contract/index.ts';
import { Button, IconButton } from '../../components/Button.tsx';
import { SourceKindIcon, sourceLocation } from '../../components/CitationChip.tsx';
import { TextArea } from '../../components/Field.tsx';
import { Markdown } from '../../components/Markdown.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { useT } from '../../i18n/index.tsx';
import type { AnswerNotice } from './live-answers.ts';

export interface AnswerData {
  /** The stored message's id; null while it streams. */
  id: number | null;
  text: string;
  thought: string;
  state: 'streaming' | 'complete' | 'stopped' | 'failed';
  sources: ChatSource[];
  query: { text: string; rewritten: boolean } | null;
  notices: AnswerNotice[];
  /** How long the model thought; null when unknown (an answer from an earlier session). */
  thoughtSeconds: number | null;
  /** Still thinking: thought arrives and no text yet. */
  thinking: boolean;
  error: string | null;
}

export function Question({ text, onEdit, disabled }: { text: string; onEdit?: (text: string) => void; disabled?: boolean }) {
  const { t } = useT();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(text);
  useEffect(() => setDraft(text), [text]);
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!draft.trim() || !onEdit) return;
    onEdit(draft.trim());
    setEditing(false);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
    if (event.key === 'Escape') setEditing(false);
  };
  if (editing) {
    return (
      <form className="turn turn--question turn--editing" onSubmit={submit}>
        <TextArea value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKeyDown} aria-label={t('chat.editQuestion')} autoFocus rows={3} />
        <div className="turn__edit-actions">
          <Button size="sm" variant="ghost" onClick={() => setEditing(false)}>
            {t('common.cancel')}
          </Button>
          <Button size="sm" variant="primary" type="submit" disabled={!draft.trim()}>
            {t('chat.sendEdited')}
          </Button>
        </div>
      </form>
    );
  }
  return (
    <div className="turn turn--question">
      <div className="question">{text}</div>
      {onEdit ? (
        <div className="turn__actions turn__actions--question">
          <IconButton size="sm" label={t('chat.edit')} icon={<Pencil size={14} />} onClick={() => setEditing(true)} disabled={disabled} />
        </div>
      ) : null}
    </div>
  );
}

function Thinking({ answer }: { answer: AnswerData }) {
  const tr = useT();
  const { t } = tr;
  const [open, setOpen] = useState(false);
  if (!answer.thought) return null;
  const label = answer.thinking ? t('chat.thinking') : answer.thoughtSeconds !== null ? t('chat.thoughtFor', { time: tr.duration(Math.max(1, answer.thoughtSeconds)) }) : t('chat.thoughts');
  return (
    <Collapsible.Root open={open} onOpenChange={setOpen} className="fold">
      <Collapsible.Trigger className="fold__trigger">
        <ChevronRight size={14} className="fold__chevron" aria-hidden="true" />
        {answer.thinking ? <Spinner size={11} /> : null}
        {label}
      </Collapsible.Trigger>
      <Collapsible.Content className="fold__content fold__content--thought">{answer.thought}</Collapsible.Content>
    </Collapsible.Root>
  );
}

function SourceRow({ source, onOpen }: { source: ChatSource; onOpen: (source: ChatSource) => void }) {
  const { t } = useT();
  return (
    <li>
      <button type="button" className="source-row" onClick={() => onOpen(source)}>
        <span className={`source-row__n${source.cited ? ' source-row__n--cited' : ''}`}>{source.n}</span>
        <SourceKindIcon kind={source.kind} />
        <span className="source-row__title">{source.title}</span>
        <span className="source-row__where">
          {sourceLocation(source)}
          {source.page !== null ? ` · ${t('source.page', { page: source.page })}` : ''}
        </span>
      </button>
    </li>
  );
}

function WhatWasSearched({ answer, onOpen }: { answer: AnswerData; onOpen: (source: ChatSource) => void }) {
  const { t } = useT();
  const [open, setOpen] = useState(false);
  if (!answer.query && answer.sources.length === 0) return null;
  const cited = answer.sources.filter((s) => s.cited).length;
  const understood = answer.notices.filter((n) => n.code === 'filters' || n.code === 'search');
  return (
    <Collapsible.Root open={open} onOpenChange={setOpen} className="fold">
      <Collapsible.Trigger className="fold__trigger" data-testid="what-was-searched">
        <ChevronRight size={14} className="fold__chevron" aria-hidden="true" />
        {t('chat.searched')}
        <span className="fold__meta">{t('chat.passagesCited', { count: answer.sources.length, cited })}</span>
      </Collapsible.Trigger>
      <Collapsible.Content className="fold__content">
        <dl className="searched">
          {answer.query ? (
            <>
              <dt>{answer.query.rewritten ? t('chat.searchedRewritten') : t('chat.searchedFor')}</dt>
              <dd>{answer.query.text}</dd>
            </>
          ) : null}
          {understood.length ? (
            <>
              <dt>{t('chat.searchedUnderstood')}</dt>
              {understood.map((n, i) => (
                <dd key={i}>{n.message}</dd>
              ))}
            </>
          ) : null}
          <dt>{t('chat.searchedPassages')}</dt>
          <dd>
            <ol className="source-list source-list--all">
              {answer.sources.map((s) => (
                <SourceRow key={s.n} source={s} onOpen={onOpen} />
              ))}
            </ol>
          </dd>
        </dl>
      </Collapsible.Content>
    </Collapsible.Root>
  );
}

export function Answer({ answer, last, onOpenSource, onRegenerate, onStop }: { answer: AnswerData; last: boolean; onOpenSource: (source: ChatSource) => void; onRegenerate: () => void; onStop: () => void }) {
  const { t } = useT();
  const [copied, setCopied] = useState(false);
  const streaming = answer.state === 'streaming';
  const cited = answer.sources.filter((s) => s.cited);
  const quiet = answer.notices.filter((n) => n.code !== 'filters' && n.code !== 'search' && n.message.trim() !== answer.text.trim());
  const copy = async () => {
    await navigator.clipboard.writeText(answer.text);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <article className={`turn turn--answer turn--${answer.state}`} aria-busy={streaming} data-testid="answer">
      <Thinking answer={answer} />
      {answer.text ? (
        <Markdown text={answer.text} sources={answer.sources} onOpenSource={onOpenSource} className="answer" />
      ) : streaming && !answer.thinking ? (
        <div className="answer answer--waiting">
          <Spinner size={12} /> {answer.query ? t('chat.writing') : t('chat.searching')}
        </div>
      ) : null}
      {quiet.map((n, i) => (
        <p key={i} className="quiet-note">
          {n.message}
        </p>
      ))}
      {answer.error ? <p className="quiet-note quiet-note--error">{answer.error}</p> : null}
      {answer.state === 'stopped' ? <p className="quiet-note">{t('chat.stopped')}</p> : null}
      {cited.length ? (
        <ol className="source-list" aria-label={t('chat.sources')}>
          {cited.map((s) => (
            <SourceRow key={s.n} source={s} onOpen={onOpenSource} />
          ))}
        </ol>
      ) : null}
      <div className="turn__footer">
        <WhatWasSearched answer={answer} onOpen={onOpenSource} />
        <div className="turn__actions">
          {streaming ? (
            <Button size="sm" variant="ghost" icon={<Square size={12} />} onClick={onStop}>
              {t('chat.stop')}
            </Button>
          ) : (
            <>
              <IconButton size="sm" label={copied ? t('common.copied') : t('chat.copy')} icon={copied ? <Check size={14} /> : <Copy size={14} />} onClick={() => void copy()} disabled={!answer.text} />
              {last ? <IconButton size="sm" label={t('chat.regenerate')} icon={<RotateCcw size={14} />} onClick={onRegenerate} /> : null}
            </>
          )}
        </div>
      </div>
    </article>
  );
}
