// Sources and what they are doing: the state a UI shows beside each watched folder or mailbox.
import { z } from 'zod';

/**
 * What a source is doing. scanning/syncing carry progress (done of total); watching and idle wait
 * for changes; paused: the user paused it (not watched or synced until resumed); error stops the
 * source until the user acts (e.g. a refused password), with the reason.
 */
export const SourceState = z.object({
  state: z.enum(['idle', 'scanning', 'syncing', 'watching', 'reconnecting', 'paused', 'error']),
  done: z.number().nullable().optional(),
  total: z.number().nullable().optional(),
  reason: z.string().nullable().optional(),
  /** The error's code (e.g. mail-auth-failed, folder-missing), so that a window can say what to do. */
  code: z.string().nullable().optional(),
});
export type SourceState = z.infer<typeof SourceState>;

export const MailSecurity = z.enum(['tls', 'starttls', 'plain']);
export type MailSecurity = z.infer<typeof MailSecurity>;

/** An IMAP account as the engine stores it (the password or token lives in the secret store). */
export const MailAccountSettings = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  security: MailSecurity,
  user: z.string().min(1),
  auth: z.enum(['password', 'oauth2']),
  folders: z.array(z.string().min(1)).min(1),
});
export type MailAccountSettings = z.infer<typeof MailAccountSettings>;

export const MailAccountInfo = MailAccountSettings.extend({
  sourceId: z.number(),
  uri: z.string(),
  messages: z.number(),
  pending: z.number(),
  state: SourceState,
  /** When its last sync with the server completed (epoch ms); null before the first. */
  syncedAt: z.number().nullable(),
});
export type MailAccountInfo = z.infer<typeof MailAccountInfo>;

/** Emitted while a mailbox syncs and watches. */
export const SourceStateEvent = z.object({
  type: z.literal('source-state'),
  sourceId: z.number(),
  name: z.string(),
  folder: z.string().nullable(),
  state: SourceState,
});
export type SourceStateEvent = z.infer<typeof SourceStateEvent>;
