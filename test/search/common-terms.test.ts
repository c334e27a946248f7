import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommonTermFilter } from '../../app/search/common-terms.ts';
import { Library } from '../../app/store/index.ts';
import { docInput } from '../support/documents.ts';

let documents = 0;
/** One document with a chunk per text. */
function addChunks(library: Library, texts: string[]): void {
  const source = library.sources.ensure('import', '/d', 'd');
  library.transaction(() => {
    const doc = library.documents.upsert(docInput(source.id, `/d/${documents++}.txt`));
    library.documents.insertChunks(doc, texts.map((text) => ({ text, start: 0, end: text.length, page: null, headingPath: [], tokenCount: 1, ftsTitle: '', ftsBody: text })));
  });
}

test('in a big library, words found in most chunks are left out of the keyword query while rarer ones remain', () => {
  const library = Library.open(':memory:');
  try {
    // 12,000 chunks: "cell" in all, "protein" in 30%, "zebrafish" and "kinase" in one each.
    addChunks(library, Array.from({ length: 12_000 }, (_, i) =>
      `cell ${i % 10 < 3 ? 'protein' : 'tissue'} ${i === 0 ? 'zebrafish' : ''} ${i === 1 ? 'kinase' : ''}`));
    const filter = new CommonTermFilter(library);
    assert.deepEqual(filter.selective(['cell', 'zebrafish', 'kinase']), ['zebrafish', 'kinase']);
    assert.deepEqual(filter.selective(['protein', 'cell', 'zebrafish', 'kinase']), ['zebrafish', 'kinase']);
    // Only one rare word: the two rarest are kept, in the query's order.
    assert.deepEqual(filter.selective(['cell', 'protein', 'zebrafish']), ['protein', 'zebrafish']);
    // Two-word queries are never touched; stemming is FTS5's ("cells" counts as "cell").
    assert.deepEqual(filter.selective(['cell', 'zebrafish']), ['cell', 'zebrafish']);
    assert.deepEqual(filter.selective(['cells', 'zebrafish', 'kinase']), ['zebrafish', 'kinase']);

    // The counts follow the library: with 60,000 more chunks without "protein", its 3,600
    // chunks are under 20% and it is kept.
    addChunks(library, Array.from({ length: 60_000 }, () => 'cell tissue'));
    assert.deepEqual(filter.selective(['protein', 'cell', 'zebrafish']), ['protein', 'zebrafish']);
  } finally {
    library.close();
  }
});

test('in a small library no word is left out, however common', () => {
  const library = Library.open(':memory:');
  try {
    addChunks(library, ['cell protein', 'cell protein kinase', 'cell tissue', 'cell', 'protein']);
    assert.deepEqual(new CommonTermFilter(library).selective(['cell', 'protein', 'kinase']), ['cell', 'protein', 'kinase']);
  } finally {
    library.close();
  }
});
