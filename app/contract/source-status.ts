// Every source's status in one list (engine.sources()): what it is, how many documents it holds,
// and what it is doing. The state object has the shape of sources.ts's SourceState plus
// 'indexing'; folder-only fields are optional so mailboxes fit the same schema.
import { z } from 'zod';

/** Something a source's scan could not take in (an unreadable folder, a link loop), with why. */
export const SourceProblem = z.object({ path: z.string(), reason: z.string() });
export type SourceProblem = z.infer<typeof SourceProblem>;

export const SourceStatus = z.object({
  id: z.number(),
  kind: z.enum(['folder', 'mailbox', 'import', 'web']),
  uri: z.string(),
  name: z.string(),
  /** Top-level documents from this source. */
  documents: z.number(),
  /**
   * idle: not watched by this process; scanning: comparing the folder with the library;
   * indexing: `done` of `total` files read; watching: waiting for changes; paused: by the user
   * (not watched or synced until resumed); error: `reason` says why.
   */
  state: z.object({
    state: z.enum(['idle', 'scanning', 'indexing', 'syncing', 'watching', 'reconnecting', 'paused', 'error']),
    done: z.number().nullable().optional(),
    total: z.number().nullable().optional(),
    reason: z.string().nullable().optional(),
    /** The error's code (e.g. mail-auth-failed, folder-missing), so that a window can say what to do. */
    code: z.string().nullable().optional(),
  }),
  /** Folders: glob patterns of files to index (none: all). */
  include: z.array(z.string()).optional(),
  /** Folders: the folder's own exclude patterns (the defaults apply too). */
  exclude: z.array(z.string()).optional(),
  maxFileBytes: z.number().optional(),
  /** Folders: what the last scan left out and why (the first few). */
  problems: z.array(SourceProblem).optional(),
  /** Folders: how many things the last scan left out (problems lists the first few). */
  problemCount: z.number().optional(),
  /**
   * When it was last in step with its folder or server (epoch ms): a folder's last catch-up by
   * this process (null when not watched here), a mailbox's last completed sync (kept in the library).
   */
  syncedAt: z.number().nullable().optional(),
});
export type SourceStatus = z.infer<typeof SourceStatus>;
