// What each engine event means for the cached server state (state/query.ts): which reads it
// makes stale, or what it replaces whole. The one place that knows; views never refetch by hand.
import type { EngineEvent } from '../../../app/contract/index.ts';
import { onEngineEvent } from './events.ts';
import { invalidate, invalidateAll, invalidateSoon, setQueryData } from './query.ts';
import { engineState } from './engine-state.ts';

export function applyEvent(event: EngineEvent): void {
  switch (event.type) {
    case 'progress':
      // Counts change as files are read; the end of a run (no current file) settles them at once.
      if (event.currentFile === null) invalidate(['library.status', 'documents.list', 'documents.problems']);
      else invalidateSoon(['library.status', 'documents.list', 'documents.problems'], 1500);
      break;
    case 'document-issue':
      invalidateSoon(['library.status', 'documents.problems', 'documents.list'], 1500);
      break;
    case 'reembed-progress':
      invalidateSoon(['library.status'], 1500);
      if (event.done >= event.total) invalidate(['models.list', 'library.status']);
      break;
    case 'sources':
      setQueryData('sources.list', {}, event.sources);
      invalidateSoon(['library.status', 'mail.list']);
      break;
    case 'source-state':
      invalidateSoon(['mail.list']);
      break;
    case 'model-download':
      if (event.phase === 'done') invalidate(['models.list']);
      break;
    case 'model-pull':
      invalidate(['models.list', 'models.catalog']);
      break;
    case 'answer':
      if (event.event.type === 'done' || event.event.type === 'failed') {
        invalidate(['conversations.list']);
        invalidate((method, params) => method === 'conversations.get' && (params as { id: number }).id === event.conversationId);
      } else if (event.event.type === 'start') {
        // A new conversation, or a question added to one: the list shows it at once.
        invalidate(['conversations.list']);
      }
      break;
    case 'engine':
      engineState.set(event);
      if (event.state === 'ready') invalidateAll();
      break;
  }
}

let started = false;

/** Starts following the engine (once, at startup). */
export function startSync(): void {
  if (started) return;
  started = true;
  onEngineEvent(applyEvent);
}
