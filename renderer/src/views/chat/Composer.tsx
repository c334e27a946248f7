// The composer: a multi-line box (Enter sends, Shift+Enter starts a new line, and nothing is
// sent while an input method is composing Chinese), what the question searches (the whole
// library, chosen sources, or no library), web search when a provider is set, the chat model in
// use, and Send or Stop.
import * as RadixMenu from '@radix-ui/react-dropdown-menu';
import * as Toggle from '@radix-ui/react-toggle';
import { ArrowUp, Check, ChevronDown, Globe, Library, Square } from 'lucide-react';
import { forwardRef, useState, type KeyboardEvent } from 'react';
import type { ConversationScope } from '../../../../app/contract/index.ts';
import { IconButton } from '../../components/Button.tsx';
import { useT } from '../../i18n/index.tsx';
import { navigation } from '../../state/navigation.ts';
import { useQuery } from '../../state/query.ts';
import { shortcutLabel } from '../../shell/shortcuts.ts';

export interface ComposerProps {
  scope: ConversationScope;
  onScopeChange: (scope: ConversationScope) => void;
  web: boolean;
  onWebChange: (web: boolean) => void;
  streaming: boolean;
  onSend: (text: string) => boolean | Promise<boolean>;
  onStop: () => void;
}

function ScopePicker({ scope, onChange }: { scope: ConversationScope; onChange: (scope: ConversationScope) => void }) {
  const { t } = useT();
  const sources = useQuery('sources.list', {});
  const chosen = scope.type === 'sources' ? scope.sourceIds : [];
  const label = scope.type === 'all' ? t('scope.all') : scope.type === 'none' ? t('scope.none') : t('scope.some', { count: chosen.length });
  const toggle = (id: number) => {
    const next = chosen.includes(id) ? chosen.filter((x) => x !== id) : [...chosen, id];
    onChange(next.length ? { type: 'sources', sourceIds: next } : { type: 'all' });
  };
  return (
    <RadixMenu.Root>
      <RadixMenu.Trigger asChild>
        <button type="button" className="composer__chip" aria-label={t('scope.label', { scope: label })}>
          <Library size={14} aria-hidden="true" />
          {label}
          <ChevronDown size={13} aria-hidden="true" />
        </button>
      </RadixMenu.Trigger>
      <RadixMenu.Portal>
        <RadixMenu.Content className="c-menu" side="top" align="start" sideOffset={6} collisionPadding={8}>
          <RadixMenu.Label className="c-menu__label">{t('scope.title')}</RadixMenu.Label>
          <RadixMenu.RadioGroup value={scope.type === 'sources' ? 'sources' : scope.type} onValueChange={(v) => v !== 'sources' && onChange({ type: v as 'all' | 'none' })}>
            <RadixMenu.RadioItem value="all" className="c-menu__item c-menu__item--radio">
              <RadixMenu.ItemIndicator className="c-menu__indicator">
                <Check size={13} />
              </RadixMenu.ItemIndicator>
              {t('scope.all')}
            </RadixMenu.RadioItem>
            <RadixMenu.RadioItem value="none" className="c-menu__item c-menu__item--radio">
              <RadixMenu.ItemIndicator className="c-menu__indicator">
                <Check size={13} />
              </RadixMenu.ItemIndicator>
              {t('scope.none')}
            </RadixMenu.RadioItem>
          </RadixMenu.RadioGroup>
          {sources.data?.length ? (
            <>
              <RadixMenu.Separator className="c-menu__separator" />
              <RadixMenu.Label className="c-menu__label">{t('scope.chosen')}</RadixMenu.Label>
              {sources.data.map((source) => (
                <RadixMenu.CheckboxItem
                  key={source.id}
                  className="c-menu__item c-menu__item--radio"
                  checked={chosen.includes(source.id)}
                  onSelect={(event) => event.preventDefault()}
                  onCheckedChange={() => toggle(source.id)}
                >
                  <RadixMenu.ItemIndicator className="c-menu__indicator">
                    <Check size={13} />
                  </RadixMenu.ItemIndicator>
                  <span className="c-menu__text">{source.name}</span>
                </RadixMenu.CheckboxItem>
              ))}
            </>
          ) : null}
        </RadixMenu.Content>
      </RadixMenu.Portal>
    </RadixMenu.Root>
  );
}

function ModelInUse() {
  const { t } = useT();
  const models = useQuery('models.list', {});
  if (!models.data) return null;
  const chat = models.data.chat;
  return (
    <button type="button" className={`composer__model${chat ? '' : ' composer__model--missing'}`} onClick={() => navigation.showView('models')} title={chat?.location}>
      {chat ? chat.name : t('composer.noModel')}
    </button>
  );
}

export const Composer = forwardRef<HTMLTextAreaElement, ComposerProps>(function Composer({ scope, onScopeChange, web, onWebChange, streaming, onSend, onStop }, ref) {
  const { t } = useT();
  const settings = useQuery('settings.get', {});
  const [text, setText] = useState('');
  const send = async () => {
    if (!text.trim() || streaming) return;
    const question = text;
    setText('');
    // Put the text back if it could not be sent.
    if (!(await onSend(question))) setText(question);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };
  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <textarea
        ref={ref}
        className="composer__input"
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        placeholder={t('composer.placeholder')}
        aria-label={t('composer.label')}
        rows={1}
        data-testid="composer"
      />
      <div className="composer__bar">
        <ScopePicker scope={scope} onChange={onScopeChange} />
        {settings.data?.web.provider ? (
          <Toggle.Root className="composer__chip composer__toggle" pressed={web} onPressedChange={onWebChange} aria-label={t('composer.web')}>
            <Globe size={14} aria-hidden="true" />
            {t('composer.webShort')}
          </Toggle.Root>
        ) : null}
        <span className="composer__spacer" />
        <ModelInUse />
        {streaming ? (
          <IconButton className="composer__send composer__send--stop" label={t('chat.stop')} hint={shortcutLabel('Escape')} icon={<Square size={13} />} onClick={onStop} />
        ) : (
          <IconButton className="composer__send" type="submit" label={t('composer.send')} hint={shortcutLabel('Enter')} icon={<ArrowUp size={16} />} disabled={!text.trim()} />
        )}
      </div>
    </form>
  );
});
