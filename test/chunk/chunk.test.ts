import assert from 'node:assert/strict';
import { test } from 'node:test';
import { approximateTokens, chunkSections, documentText, type ChunkOptions } from '../../app/chunk/index.ts';
import type { Section } from '../../app/extract/types.ts';

const options: ChunkOptions = { maxTokens: 60, overlapTokens: 12, minTokens: 8, countTokens: approximateTokens };

function sentences(n: number, tag: string): string {
  return Array.from({ length: n }, (_, i) => `The ${tag} sentence number ${i} says something.`).join(' ');
}

test('every chunk is an exact slice of the document text, within the budget', () => {
  const sections: Section[] = [
    { text: 'Intro paragraph about the report.\n\n' + sentences(40, 'long'), headingPath: ['Report'], page: 1 },
    { text: sentences(3, 'short') + '\n\n' + 'x'.repeat(2000), headingPath: ['Report', 'Method'], page: 2 },
  ];
  const text = documentText(sections);
  const chunks = chunkSections(sections, options);
  assert.ok(chunks.length > 5);
  for (const c of chunks) {
    assert.equal(text.slice(c.start, c.end), c.text);
    assert.ok(c.tokenCount <= options.maxTokens, `chunk of ${c.tokenCount} tokens`);
    assert.equal(c.tokenCount, approximateTokens(c.text));
  }
  // Nothing is lost: every non-space character of the document is inside some chunk.
  const covered = new Uint8Array(text.length);
  for (const c of chunks) covered.fill(1, c.start, c.end);
  for (let i = 0; i < text.length; i++) if (/\S/.test(text[i]!)) assert.equal(covered[i], 1, `character ${i} is in no chunk`);
});

test('pages and heading paths are kept, and chunks never straddle two pages', () => {
  const sections: Section[] = [
    { text: sentences(12, 'first'), headingPath: ['A'], page: 1 },
    { text: sentences(12, 'second'), headingPath: ['A', 'B'], page: 2 },
  ];
  const chunks = chunkSections(sections, options);
  const pages = new Set(chunks.map((c) => c.page));
  assert.deepEqual([...pages], [1, 2]);
  for (const c of chunks) {
    if (c.page === 1) assert.ok(!c.text.includes('second'));
    if (c.page === 2) assert.deepEqual(c.headingPath, ['A', 'B']);
  }
});

test('text cut inside a paragraph overlaps the previous piece', () => {
  const sections: Section[] = [{ text: sentences(60, 'overlap'), headingPath: [] }];
  const chunks = chunkSections(sections, options);
  assert.ok(chunks.length >= 3);
  for (let i = 1; i < chunks.length; i++) assert.ok(chunks[i]!.start < chunks[i - 1]!.end, `chunk ${i} overlaps the one before`);
});

test('paragraphs are packed together up to the budget rather than one chunk each', () => {
  const paragraphs = Array.from({ length: 10 }, (_, i) => `Paragraph ${i} is short but real.`).join('\n\n');
  const chunks = chunkSections([{ text: paragraphs, headingPath: [] }], options);
  assert.ok(chunks.length < 10 && chunks.length >= 2, `${chunks.length} chunks`);
});

test('tiny fragments are merged into a neighbour, but a tiny document is still one chunk', () => {
  const sections: Section[] = [
    { text: sentences(5, 'body'), headingPath: ['Main'], page: 1 },
    { text: 'Fin.', headingPath: ['End'], page: 1 },
  ];
  const chunks = chunkSections(sections, options);
  assert.ok(chunks.every((c) => c.tokenCount >= options.minTokens));
  assert.ok(chunks.at(-1)!.text.endsWith('Fin.'));
  assert.deepEqual(chunks.at(-1)!.headingPath, ['Main'], 'the larger part gives the heading');

  const tiny = chunkSections([{ text: 'Hi.', headingPath: [] }], options);
  assert.equal(tiny.length, 1);
  assert.equal(tiny[0]!.text, 'Hi.');
});

test('unbroken CJK text is cut to the budget and survives intact', () => {
  const text = '東京都は日本の首都であり'.repeat(40);
  const chunks = chunkSections([{ text, headingPath: [] }], options);
  assert.ok(chunks.length > 1);
  for (const c of chunks) assert.ok(c.tokenCount <= options.maxTokens);
  assert.equal(chunks.map((c) => c.text).join('').length >= text.length, true);
  assert.equal(approximateTokens('東京'), 2);
});

test('empty sections give no chunks', () => {
  assert.deepEqual(chunkSections([{ text: '  \n\n ', headingPath: [] }], options), []);
  assert.deepEqual(chunkSections([], options), []);
});

test('punctuation that starts a long paragraph or one of its lines is kept in a chunk, so a page starts where its first chunk does', () => {
  // A PDF page is often one long paragraph; one that starts with punctuation (a figure's label,
  // "...continued") lost it, and the page's first chunk started after it.
  const page = `..." he said.\n!? ${sentences(30, 'long')}\n... and then ${sentences(20, 'later')}\n。！？`;
  const sections: Section[] = [{ text: page, headingPath: [], page: 1 }];
  const text = documentText(sections);
  const chunks = chunkSections(sections, options);
  assert.ok(chunks.length > 3);
  assert.equal(chunks[0]!.start, 0, 'the first chunk starts where the page does');
  const covered = new Uint8Array(text.length);
  for (const c of chunks) {
    assert.equal(text.slice(c.start, c.end), c.text);
    covered.fill(1, c.start, c.end);
  }
  for (let i = 0; i < text.length; i++) if (/\S/.test(text[i]!)) assert.equal(covered[i], 1, `character ${i} (${JSON.stringify(text[i])}) is in no chunk`);
});
