// A document's text cut where its chunks begin and end, so that the viewer can show chunk
// boundaries and mark the cited chunk exactly by its stored offsets. Plain TypeScript (no React,
// no DOM): tests run it in Node.
import type { ChunkSpan } from '../../../../app/contract/api.ts';

export interface Segment {
  /** [start, end) in the text given (not in the document). */
  start: number;
  end: number;
  /** The ordinal of the chunk this piece belongs to (the first one, where chunks overlap); null between chunks. */
  chunk: number | null;
  /** Whether the cited chunk covers it. */
  cited: boolean;
}

/**
 * `text` starts at document offset `offset`; the part from document offset `from` on is cut at
 * every chunk boundary. Chunks come in order; a long paragraph's pieces may overlap.
 */
export function segments(text: string, offset: number, chunks: readonly ChunkSpan[], citedId: number | null, from = offset): Segment[] {
  const lo = Math.max(from, offset);
  const hi = offset + text.length;
  if (hi <= lo) return [];
  const cuts = new Set<number>([lo, hi]);
  for (const c of chunks) for (const at of [c.start, c.end]) if (at > lo && at < hi) cuts.add(at);
  const points = [...cuts].sort((a, b) => a - b);
  const cited = chunks.find((c) => c.id === citedId) ?? null;
  const out: Segment[] = [];
  let j = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    while (j < chunks.length && chunks[j]!.end <= a) j++;
    let owner: ChunkSpan | null = null;
    for (let k = j; k < chunks.length && chunks[k]!.start <= a; k++) {
      if (chunks[k]!.end >= b) {
        owner = chunks[k]!;
        break;
      }
    }
    const segment = { start: a - offset, end: b - offset, chunk: owner?.ordinal ?? null, cited: cited !== null && cited.start <= a && cited.end >= b };
    const last = out.at(-1);
    // Pieces of one chunk with the same marking are one segment.
    if (last && last.chunk === segment.chunk && last.cited === segment.cited && last.end === segment.start) last.end = segment.end;
    else out.push(segment);
  }
  return out;
}
