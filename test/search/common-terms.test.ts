import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommonTermFilter } from '../../app/search/common-terms.ts';
import { Library } from '../../app/store/index.ts';
import { docInput } from '../support/documents.ts';

function libraryOf(texts: string[]): Library {
  const library = Library.open(':memory:');
  const source = library.sources.ensure('import', '/d', 'd');
  texts.forEach((text, i) => {
    const doc = library.documents.upsert(docInput(source.id, `/d/${i}.txt`));
    library.documents.insertChunks(doc, [{ text, start: 0, end: text.length, page: null, headingPath: [], tokenCount: 1, ftsTitle: '', ftsBody: text }]);
  });
  return library;
}

test('words found in most chunks are left out of the keyword query while rarer ones remain', () => {
  // "cell" is in every chunk, "protein" in 3 of 10, "zebrafish" and "kinase" in one each.
  const texts = Array.from({ length: 10 }, (_, i) => `cell ${i < 3 ? 'protein' : 'tissue'} ${i === 0 ? 'zebrafish' : ''} ${i === 1 ? 'kinase' : ''}`);
  const library = libraryOf(texts);
  try {
    const filter = new CommonTermFilter(library);
    assert.deepEqual(filter.selective(['cell', 'zebrafish', 'kinase']), ['zebrafish', 'kinase']);
    // Above the 20% share too ("protein" is in 30%): dropped while two rarer words remain.
    assert.deepEqual(filter.selective(['protein', 'cell', 'zebrafish', 'kinase']), ['zebrafish', 'kinase']);
    // Only one rare word: the two rarest are kept, in the query's order.
    assert.deepEqual(filter.selective(['cell', 'protein', 'zebrafish']), ['protein', 'zebrafish']);
    // Short queries are never touched; stemming is FTS5's ("cells" counts as "cell").
    assert.deepEqual(filter.selective(['cell', 'zebrafish']), ['cell', 'zebrafish']);
    assert.deepEqual(filter.selective(['cells', 'zebrafish', 'kinase']), ['zebrafish', 'kinase']);

    // The counts follow changes to the library: once "cell" is rare, it is kept.
    library.db.exec('DELETE FROM chunks');
    const source = library.sources.ensure('import', '/d', 'd');
    for (const [i, text] of ['cell zebrafish', 'kinase', 'x', 'y', 'z', 'w'].entries()) {
      const doc = library.documents.upsert(docInput(source.id, `/d/new${i}.txt`));
      library.documents.insertChunks(doc, [{ text, start: 0, end: text.length, page: null, headingPath: [], tokenCount: 1, ftsTitle: '', ftsBody: text }]);
    }
    assert.deepEqual(filter.selective(['cell', 'zebrafish', 'kinase']), ['cell', 'zebrafish', 'kinase']);
  } finally {
    library.close();
  }
});
