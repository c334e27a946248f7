// Exactly one process watches a library (its folders and mailboxes): two watchers would queue
// every change twice and race each other. The lock is the store's named 'watch' lock, held by a
// live process (a dead holder's is taken over); other commands work beside the watcher.
import { hostname } from 'node:os';
import { CairnError } from '../contract/index.ts';
import type { Library } from '../store/index.ts';

/**
 * Takes the watch lock for this process (again: keeps it), or throws naming the process that
 * watches. The signal aborts if the lock is lost (this process was unresponsive for so long that
 * another took it for dead and took over).
 */
export function takeWatchLock(library: Library): AbortSignal {
  const result = library.presence.lock('watch');
  if (result.held) return result.lost;
  const { holder } = result;
  const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
  throw new CairnError('library-watched', `${holder.description} (pid ${holder.pid}${where}) is already watching this library; stop it to watch from here.`);
}

export function releaseWatchLock(library: Library): void {
  library.presence.unlock('watch');
}
