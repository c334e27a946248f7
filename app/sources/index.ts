// Where documents come from: watched folders (chokidar) and mailboxes. Each source queues work in
// the store's job queue; app/index does the reading, chunking and embedding.
export { MailService, type MailServiceOptions, type SyncSummary } from './mail-service.ts';
export { accountUri, defaultPort, mailError, testAccount, validateSettings, type MailAccountInput } from './mail-account.ts';
export { FileSecretStore, MemorySecretStore, openSecretStore, type SecretStore } from './secrets.ts';
