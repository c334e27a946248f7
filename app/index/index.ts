// Ingestion: a persistent job queue in SQLite, scanning, change detection, dedupe by content
// hash, extraction overlapped with batched embedding, progress events; resumable after a crash.
export { Ingestor, defaultIngestOptions, EMBEDDING_LOCK, type EmbeddingTarget, type IngestOptions, type IngestSummary, type ScanPayload } from './pipeline.ts';
export { walkFiles, isIgnoredName, type FileEntry } from './walk.ts';
