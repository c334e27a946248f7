import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CitationStreamFilter, citedNumbers, resolveCitations, stripCitations } from '../../app/chat/index.ts';

test('every citation form maps back to the given sources', () => {
  const given = [1, 2, 3];
  assert.deepEqual(resolveCitations('A [1]. B [1, 2]. C [1][3]. D [1-2]. E [2–3]. F [ 3 ].', given), {
    text: 'A [1]. B [1, 2]. C [1][3]. D [1-2]. E [2–3]. F [ 3 ].',
    cited: [1, 2, 3],
  });
  assert.deepEqual(resolveCitations('First [3], then [1].', given).cited, [3, 1], 'in order of first citation');
  assert.deepEqual(citedNumbers('x [2] [4-5] [2, 9]'), [2, 4, 5, 9]);
});

test('invented numbers are dropped from the text and from the citations', () => {
  const given = [1, 2];
  assert.deepEqual(resolveCitations('Paris is big [7]. It rains [1, 7]. See [1][9] and [2-4].', given), {
    text: 'Paris is big. It rains [1]. See [1] and [2].',
    cited: [1, 2],
  });
  assert.deepEqual(resolveCitations('Nothing given [1].', []), { text: 'Nothing given.', cited: [] });
  // Not citations: left alone.
  assert.equal(resolveCitations('an array a[i] and [note] and [x1]', given).text, 'an array a[i] and [note] and [x1]');
  // An absurd range is no citation at all.
  assert.deepEqual(resolveCitations('x [1-5000]', given), { text: 'x', cited: [] });
});

test('earlier answers lose their markers entirely', () => {
  assert.equal(stripCitations('Thirty days [1]. Either party [2, 3][4].'), 'Thirty days. Either party.');
});

test('streamed through the filter, any split of the text gives exactly the resolved text', () => {
  const given = [1, 2];
  const samples = [
    'Paris is big [7]. It rains [1, 7].\nSee [1][9] and [2-4]. End [',
    'Trailing spaces   [3]   and [1]  ',
    'No citations at all, only [brackets] and a[0].',
    '[9] at the start, [1] later, [10',
  ];
  for (const text of samples) {
    const expected = resolveCitations(text, given).text;
    // Every way of cutting the text in two and in single characters.
    const splits: string[][] = [[...text]];
    for (let i = 0; i <= text.length; i++) splits.push([text.slice(0, i), text.slice(i)]);
    for (const pieces of splits) {
      const out: string[] = [];
      const filter = new CitationStreamFilter(given, (t) => out.push(t));
      for (const p of pieces) filter.push(p);
      filter.flush();
      assert.equal(out.join(''), expected, JSON.stringify(pieces));
      assert.equal(filter.text, expected);
    }
  }
});

test('the filter holds back only what may still become a citation', () => {
  const out: string[] = [];
  const filter = new CitationStreamFilter([1], (t) => out.push(t));
  filter.push('Hello world');
  assert.deepEqual(out, ['Hello world']);
  filter.push(' [');
  assert.deepEqual(out, ['Hello world'], 'an open bracket (and the space before it) waits');
  filter.push('7]');
  filter.push(' next');
  assert.deepEqual(out.join(''), 'Hello world next');
});
