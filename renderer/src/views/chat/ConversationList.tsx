// The conversations, newest first, under Chat in the sidebar: search by title, and for each one
// rename, export (Markdown, saved by the browser or the app) and delete.
import { Download, MoreHorizontal, Pencil, Trash2 } from 'lucide-react';
import { useMemo, useRef, useState } from 'react';
import type { ConversationSummary } from '../../../../app/contract/index.ts';
import { api } from '../../api/index.ts';
import { IconButton } from '../../components/Button.tsx';
import { ConfirmDialog, PromptDialog } from '../../components/Dialog.tsx';
import { SearchInput } from '../../components/Field.tsx';
import { Menu, MenuItem, MenuSeparator } from '../../components/Menu.tsx';
import { useT } from '../../i18n/index.tsx';
import { navigation, useNavigation } from '../../state/navigation.ts';
import { notify, notifyError } from '../../state/notices.ts';
import { invalidate, useQuery } from '../../state/query.ts';
import { useSearchTarget } from '../../shell/shortcuts.ts';

/** Saves text as a file the way a page can: a download (the desktop app asks where). */
export function saveText(fileName: string, text: string, type = 'text/markdown'): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function exportConversation(id: number, t: ReturnType<typeof useT>['t']): Promise<void> {
  try {
    const { fileName, markdown } = await api.conversations.export({ id });
    saveText(fileName, markdown);
    notify(t('chat.exported', { file: fileName }));
  } catch (error) {
    notifyError(t('chat.exportFailed'), error);
  }
}

function Row({ conversation, active, onRename, onDelete }: { conversation: ConversationSummary; active: boolean; onRename: () => void; onDelete: () => void }) {
  const tr = useT();
  const { t } = tr;
  return (
    <li className={`conversations__item${active ? ' conversations__item--active' : ''}`}>
      <button type="button" className="conversations__open" aria-current={active ? 'true' : undefined} onClick={() => navigation.openConversation(conversation.id)}>
        <span className="conversations__title">{conversation.title}</span>
        <span className="conversations__time">{tr.relative(conversation.updatedAt)}</span>
      </button>
      <Menu trigger={<IconButton size="sm" className="conversations__menu" label={t('chat.actionsFor', { title: conversation.title })} icon={<MoreHorizontal size={15} />} />}>
        <MenuItem icon={<Pencil size={14} />} onSelect={onRename}>
          {t('chat.rename')}
        </MenuItem>
        <MenuItem icon={<Download size={14} />} onSelect={() => void exportConversation(conversation.id, t)}>
          {t('chat.export')}
        </MenuItem>
        <MenuSeparator />
        <MenuItem icon={<Trash2 size={14} />} danger onSelect={onDelete}>
          {t('chat.delete')}
        </MenuItem>
      </Menu>
    </li>
  );
}

export function ConversationList() {
  const { t } = useT();
  const { conversationId, view } = useNavigation();
  const conversations = useQuery('conversations.list', {});
  const [filter, setFilter] = useState('');
  const [renaming, setRenaming] = useState<ConversationSummary | null>(null);
  const [deleting, setDeleting] = useState<ConversationSummary | null>(null);
  const search = useRef<HTMLInputElement>(null);
  useSearchTarget(search);

  const shown = useMemo(() => {
    const list = [...(conversations.data ?? [])].sort((a, b) => b.updatedAt - a.updatedAt);
    const words = filter.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    return words.length ? list.filter((c) => words.every((w) => c.title.toLocaleLowerCase().includes(w))) : list;
  }, [conversations.data, filter]);

  const rename = async (id: number, title: string) => {
    try {
      await api.conversations.rename({ id, title });
      invalidate(['conversations.list', 'conversations.get']);
    } catch (error) {
      notifyError(t('chat.renameFailed'), error);
    }
  };
  const remove = async (id: number) => {
    try {
      await api.conversations.delete({ id });
      if (conversationId === id) navigation.openConversation(null);
      invalidate(['conversations.list']);
    } catch (error) {
      notifyError(t('chat.deleteFailed'), error);
    }
  };

  return (
    <div className="conversations">
      <SearchInput ref={search} value={filter} onChange={(e) => setFilter(e.target.value)} placeholder={t('chat.searchConversations')} aria-label={t('chat.searchConversations')} />
      {conversations.error ? <p className="conversations__note conversations__note--error">{conversations.error.message}</p> : null}
      {conversations.data && shown.length === 0 ? <p className="conversations__note">{filter ? t('chat.noMatch') : t('chat.noConversations')}</p> : null}
      <ul className="conversations__list" aria-label={t('chat.conversations')}>
        {shown.map((c) => (
          <Row key={c.id} conversation={c} active={view === 'chat' && c.id === conversationId} onRename={() => setRenaming(c)} onDelete={() => setDeleting(c)} />
        ))}
      </ul>
      <PromptDialog
        open={renaming !== null}
        onOpenChange={(open) => !open && setRenaming(null)}
        title={t('chat.renameTitle')}
        label={t('chat.titleLabel')}
        initial={renaming?.title ?? ''}
        submitLabel={t('chat.rename')}
        onSubmit={(title) => renaming && void rename(renaming.id, title)}
      />
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={t('chat.deleteTitle')}
        description={t('chat.deleteText', { title: deleting?.title ?? '' })}
        confirmLabel={t('chat.delete')}
        danger
        onConfirm={() => deleting && void remove(deleting.id)}
      />
    </div>
  );
}
