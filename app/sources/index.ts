// Where documents come from: watched folders (chokidar) and mailboxes. Each source queues work in
// the store's job queue; app/index does the reading, chunking and embedding.
export { FolderSources, defaultFolderWatchOptions, type FolderHost, type FolderWatchOptions } from './folder-source.ts';
export { DEFAULT_EXCLUDES, DEFAULT_MAX_FILE_BYTES, FolderFilter, folderRules, type FolderRules } from './folder-rules.ts';
export { walkFolder, type FolderFile, type FolderProblem } from './folder-walk.ts';
