// Entry point of an ExtractorPool worker thread: serves jobs with the real readers.
import { extractBytes } from './extract-bytes.ts';
import { serveExtractJobs } from './worker-jobs.ts';

serveExtractJobs(extractBytes);
