// Where documents come from: watched folders (chokidar) and mailboxes. Each source queues work in
// the store's job queue; app/index does the reading, chunking and embedding.
export { FolderSources, defaultFolderWatchOptions, type FolderHost, type FolderWatchOptions } from './folder-source.ts';
export { DEFAULT_EXCLUDES, DEFAULT_MAX_FILE_BYTES, FolderFilter, folderRules, type FolderRules } from './folder-rules.ts';
export { walkFolder, type FolderFile, type FolderProblem } from './folder-walk.ts';
export { MailService, type MailServiceOptions, type SyncSummary } from './mail-service.ts';
export { accountUri, defaultPort, mailError, testAccount, validateSettings, type MailAccountInput } from './mail-account.ts';
export { releaseWatchLock, takeWatchLock } from './watch-lock.ts';
export { FileSecretStore, MemorySecretStore, openSecretStore, type SecretStore } from './secrets.ts';
