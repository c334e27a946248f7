// The source viewer's text cut at chunk boundaries: every piece knows its chunk (the first one
// where chunks overlap) and whether the cited chunk covers it, from the stored offsets alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChunkSpan } from '../../app/contract/api.ts';
import { segments } from '../../renderer/src/views/source/segments.ts';

const span = (ordinal: number, start: number, end: number): ChunkSpan => ({ id: 100 + ordinal, ordinal, start, end, page: null, headingPath: [], ocr: false });

test('pieces follow the chunks, mark the cited one, and keep what lies between chunks apart', () => {
  // Document offsets 50…: "aaaa bbbbbb\n\ncccc", chunk 1 overlapping chunk 0 by "bb".
  const text = 'aaaa bbbbbb\n\ncccc';
  const chunks = [span(0, 50, 59), span(1, 55, 61), span(2, 63, 67)];
  const pieces = segments(text, 50, chunks, 101);
  assert.deepEqual(
    pieces.map((p) => [text.slice(p.start, p.end), p.chunk, p.cited]),
    [
      ['aaaa ', 0, false],
      ['bbbb', 0, true], // chunk 0's part that chunk 1 (cited) also covers
      ['bb', 1, true],
      ['\n\n', null, false],
      ['cccc', 2, false],
    ],
  );
  // From an offset on (an email's body after its header lines): nothing before it.
  assert.deepEqual(
    segments(text, 50, chunks, null, 63).map((p) => [text.slice(p.start, p.end), p.chunk]),
    [['cccc', 2]],
  );
  assert.deepEqual(segments('', 0, [], null), []);
  // A cited chunk that is not in this part of the text marks nothing.
  assert.ok(segments(text, 50, chunks, 999).every((p) => !p.cited));
});
