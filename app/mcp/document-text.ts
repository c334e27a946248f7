// A document's text read back from its chunks: each chunk is an exact slice of the text with its
// offsets, so a range (or a page) is put together from the chunks that cover it, overlaps taken
// once and the gaps between them (the blank lines between sections) as a blank line.
import type { ChunkSpan } from '../store/index.ts';

export interface TextSlice {
  text: string;
  /** Offsets in the document's text: where the slice starts and ends. */
  start: number;
  end: number;
}

/** The text that `spans` (in order) hold from `start` up to `limit`, at most `maxChars` of it. */
export function assemble(spans: ChunkSpan[], start: number, maxChars: number, limit = Infinity): TextSlice {
  let text = '';
  let cursor = start;
  let begin: number | null = null;
  for (const span of spans) {
    if (span.end <= cursor) continue;
    const from = Math.max(cursor, span.start);
    const gap = begin !== null && from > cursor ? '\n\n' : '';
    const until = Math.min(span.end, limit, from + Math.max(maxChars - text.length - gap.length, 0));
    if (until <= from) break;
    begin ??= from;
    text += gap + span.text.slice(from - span.start, until - span.start);
    cursor = until;
  }
  return { text, start: begin ?? start, end: cursor };
}
