import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CairnError } from '../../app/contract/index.ts';
import { Library } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';

test('only real damage marks a library damaged: a malformed JSON value or FTS query is a plain error', () => {
  const path = join(tempDir(), 'library.db');
  const library = Library.open(path);
  try {
    assert.throws(() => library.db.prepare('SELECT value FROM json_each(?)').all('{not json'), (e: unknown) => !(e instanceof CairnError) && /malformed JSON/.test(String(e)));
    assert.throws(() => library.retrieval.fullText('AND OR (', 5, 1), (e: unknown) => !(e instanceof CairnError));
    assert.equal(existsSync(`${path}-damaged`), false);
  } finally {
    library.close();
  }
  Library.open(path).close();
});

test('a damaged library is remembered: the next open says so until doctor deals with it', () => {
  const path = join(tempDir(), 'library.db');
  const library = Library.open(path);
  const corrupt = Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
  try {
    // Any statement's error goes through the same mapping as SQLite's own would.
    library.db.function('fail_corrupt', () => {
      throw corrupt;
    });
    assert.throws(() => library.db.prepare('SELECT fail_corrupt()').get(), (e: unknown) => e instanceof CairnError && e.code === 'library-damaged');
  } finally {
    library.close();
  }
  assert.throws(() => Library.open(path), (e: unknown) => e instanceof CairnError && e.code === 'library-damaged' && /cairn doctor --repair/.test(e.message));
});
