// A document's file outside the window, for the source pane and the Library's detail: open it in
// the system's viewer (at the cited page where the viewer can be told one) or show it in the file
// manager, through the desktop app (`desktop.openDocument`, `desktop.revealDocument`); a saved web
// page opens in the browser. Nothing of the file actions shows in a browser, which cannot do them.
// What the desktop app did less than asked (the file it came in was opened, not at the page) and
// why it could not (the file was moved away) reach the user as notices.
import { ExternalLink, FolderOpen, Globe } from 'lucide-react';
import type { DocumentShown, DocumentSummary } from '../../../../app/contract/api.ts';
import { openExternal } from '../../api/desktop.ts';
import { api } from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { useT, type MessageKey } from '../../i18n/index.tsx';
import { useDesktop } from '../../state/desktop.ts';
import { notify } from '../../state/notices.ts';

type FileDocument = Pick<DocumentSummary, 'id' | 'kind' | 'uri' | 'path'> & { parentId: number | null };

/** The desktop app's errors said in the window's language; any other keeps its own words. */
const PLAIN: Record<string, MessageKey> = {
  'file-missing': 'source.fileMissing',
  'no-file': 'source.noFile',
};

export function FileActions({ doc, page = null }: { doc: FileDocument; page?: number | null }) {
  const { t } = useT();
  const desktop = useDesktop();
  const failed = (error: unknown) => {
    const key = PLAIN[(error as { code?: string } | null)?.code ?? ''];
    notify(`${t('source.openFailed')}: ${key ? t(key) : error instanceof Error ? error.message : String(error)}`, 'error');
  };
  const shown = (result: DocumentShown) => {
    if (result.note) notify(result.note);
  };
  // A saved web page has no file: its address opens in the browser (which a browser can do too).
  if (doc.kind === 'web' && !doc.path) {
    return (
      <Button size="sm" icon={<Globe size={13} />} onClick={() => openExternal(doc.uri).catch(failed)}>
        {t('source.openWeb')}
      </Button>
    );
  }
  // An email kept only in a mail account has no file (an attachment or a message of a mailbox
  // file has its parent's).
  if (!desktop || (!doc.path && doc.parentId === null)) return null;
  return (
    <>
      <Button size="sm" icon={<ExternalLink size={13} />} onClick={() => api.desktop.openDocument({ id: doc.id, ...(page ? { page } : {}) }).then(shown, failed)}>
        {t('source.openDefault')}
      </Button>
      <Button size="sm" icon={<FolderOpen size={13} />} onClick={() => api.desktop.revealDocument({ id: doc.id }).then(shown, failed)}>
        {t('source.reveal')}
      </Button>
    </>
  );
}
