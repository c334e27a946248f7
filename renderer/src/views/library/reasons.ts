// Why a document was skipped or failed, in plain words for the window's language: the engine's
// code picks the sentence (what happened, what to do); the engine's own reason, exact and in
// English, goes beside it for the details. Used by the Library's detail and the activity panel.
import type { MessageKey, Translator } from '../../i18n/index.tsx';

const CODES = ['empty', 'too-large', 'unsupported', 'damaged', 'encrypted', 'no-text', 'ocr-off', 'timeout', 'unreadable', 'outside', 'vanished'] as const;

/** A sentence for the code, or for the status when the code is not one the window knows. */
export function plainReason(tr: Translator, status: string, code: string | null): string {
  if (code && (CODES as readonly string[]).includes(code)) return tr.t(`reason.${code}` as MessageKey);
  if (status === 'pending') return tr.t('reason.pending');
  return status === 'skipped' ? tr.t('reason.skipped') : tr.t('reason.failed');
}
