// The keyword thread's entry (see keyword-thread.ts): BM25 top-k on its own read-only connection
// to the library, one request at a time, each in one read transaction (a consistent snapshot
// taken when it begins, so a write the engine committed before asking is seen). Hits go back as
// two arrays whose memory is handed over, not copied.
import { parentPort, workerData } from 'node:worker_threads';
import { Library } from '../store/index.ts';
import { searchQuery } from './analyze.ts';
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

/** At most this many warm-up searches, for at most this long. */
const WARM_UP = { searches: 200, ms: 1_500 };

/**
 * Searches for a few words of the library's own chunks, spread over it, before the thread says
 * it is ready: V8 compiles the ranking's loops and this connection reads its first pages while
 * searches still rank on the engine's thread, instead of during a user's first couple of hundred
 * searches. At 1M chunks (200 SciFact questions, the first after opening) hybrid p95 was 15.0-17.4
 * ms without it and 9.2-13.8 ms with it, which costs ~0.4-0.7 s of the thread's time before it
 * takes searches (more searches, 500, were no better). Best effort: a failure here is left for
 * the real searches to meet and report. Returns how many it made.
 */
function warmUp(): number {
  let searches = 0;
  try {
    const last = library.retrieval.lastChunkId();
    const end = performance.now() + WARM_UP.ms;
    for (let i = 1; i <= WARM_UP.searches && last > 0 && performance.now() < end; i++) {
      // A low-discrepancy walk over the ids (golden ratio steps): spread, and the same every time.
      const text = library.retrieval.chunkTextFrom(1 + Math.floor(((i * 0.6180339887) % 1) * last));
      const words = text?.split(/\s+/) ?? [];
      const from = Math.floor(((i * 0.7548776662) % 1) * Math.max(1, words.length - 6));
      const terms = searchQuery(words.slice(from, from + 3 + (i % 5)).join(' ')).terms;
      if (terms.length === 0) continue;
      library.snapshot(() => ranking.hits(terms, 50, 2));
      searches++;
    }
  } catch {
    // Nothing to do: see above.
  }
  return searches;
}

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
port.postMessage({ ready: true, warmUps: warmUp() } satisfies KeywordReply);
