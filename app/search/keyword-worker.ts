// The keyword thread's entry (see keyword-thread.ts): BM25 top-k on its own read-only connection
// to the library, one request at a time, each in one read transaction (a consistent snapshot
// taken when it begins, so a write the engine committed before asking is seen). Hits go back as
// two arrays whose memory is handed over, not copied.
import { parentPort, workerData } from 'node:worker_threads';
import { Library } from '../store/index.ts';
import { KeywordRanking } from './keyword-ranking.ts';
import type { KeywordReply, KeywordRequest, KeywordWorkerData } from './keyword-thread.ts';

const port = parentPort!;
const { path } = workerData as KeywordWorkerData;
let library: Library;
try {
  library = Library.openReader(path);
} catch (error) {
  port.postMessage({ failed: (error as Error).message } satisfies KeywordReply);
  process.exit(1);
}
const ranking = new KeywordRanking(library);

port.on('message', ({ id, terms, k, titleWeight, where }: KeywordRequest) => {
  try {
    const hits = library.snapshot(() => ranking.hits(terms, k, titleWeight, where));
    const ids = new Float64Array(hits.length);
    const scores = new Float64Array(hits.length);
    hits.forEach((hit, i) => {
      ids[i] = hit.chunkId;
      scores[i] = hit.score;
    });
    port.postMessage({ id, ids, scores } satisfies KeywordReply, [ids.buffer, scores.buffer]);
  } catch (error) {
    port.postMessage({ id, error: (error as Error).message } satisfies KeywordReply);
  }
});
port.postMessage({ ready: true } satisfies KeywordReply);
