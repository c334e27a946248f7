// What an error from the engine means, in the user's language: its code picks a plain sentence
// (and what to do); the engine's own message (the server's answer) is shown beside it as is.
import type { MessageKey } from '../../i18n/index.tsx';

const MAIL: Record<string, MessageKey> = {
  'mail-auth-failed': 'sources.mailError.auth',
  'mail-unknown-host': 'sources.mailError.host',
  'mail-refused': 'sources.mailError.refused',
  'mail-timeout': 'sources.mailError.timeout',
  'mail-tls-failed': 'sources.mailError.tls',
  'mail-plain-refused': 'sources.mailError.plain',
  'mail-folder-missing': 'sources.mailError.folder',
  'mail-disconnected': 'sources.mailError.disconnected',
};

const FOLDER: Record<string, MessageKey> = {
  'folder-missing': 'sources.folderError.missing',
  'folder-unreadable': 'sources.folderError.unreadable',
  'folder-not-found': 'sources.folderError.notFound',
  'not-a-folder': 'sources.folderError.notAFolder',
  'folder-overlap': 'sources.folderError.overlap',
};

/** The plain sentence for an error code, or null when the engine's message is all there is to say. */
export function explain(code: string | null | undefined): MessageKey | null {
  if (!code) return null;
  return MAIL[code] ?? FOLDER[code] ?? (code.startsWith('mail-') ? 'sources.mailError.other' : null);
}

export function codeOf(error: unknown): string | null {
  return error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' ? error.code : null;
}
