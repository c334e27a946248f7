import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Library } from '../../app/store/index.ts';
import { WebCache } from '../../app/web/index.ts';
import { tempDir } from '../support/corpus.ts';

test('cache entries live for their time-to-live; expired ones are ignored, then pruned; transient failures are not kept', () => {
  const library = Library.open(join(tempDir(), 'library.db'));
  try {
    let now = 1_000_000;
    const cache = new WebCache(library, { searchMs: 1_000, pageMs: 5_000 }, () => now);
    const results = [{ title: 'T', url: 'https://example.org/', snippet: 's' }];
    cache.putSearch('searxng:http://x', 'Lisbon  Trams', results);
    assert.deepEqual(cache.search('searxng:http://x', 'lisbon trams'), results, 'spacing and case do not matter');
    assert.equal(cache.search('brave:http://x', 'lisbon trams'), null, 'per provider');
    const page = { ok: true as const, url: 'https://example.org/', title: 'T', sections: [{ text: 'x', headingPath: [] }], truncated: false };
    assert.equal(cache.putPage('https://example.org/', page), true);
    assert.equal(cache.putPage('https://example.org/slow', { ok: false, url: 'https://example.org/slow', code: 'timeout', reason: 'late' }), false);
    assert.equal(cache.putPage('https://example.org/a.zip', { ok: false, url: 'https://example.org/a.zip', code: 'unsupported', reason: 'zip' }), true);
    assert.equal(cache.page('https://example.org/slow'), null);

    now += 1_500; // the search expired, the pages not yet
    assert.equal(cache.search('searxng:http://x', 'lisbon trams'), null);
    assert.deepEqual(cache.page('https://example.org/'), page);
    assert.equal(cache.prune(), 1);
    assert.deepEqual(library.webCache.counts(), { searches: 0, pages: 2 });

    now += 5_000;
    assert.equal(cache.page('https://example.org/'), null);
    assert.equal(cache.prune(), 2);
    assert.deepEqual(library.webCache.counts(), { searches: 0, pages: 0 });
  } finally {
    library.close();
  }
});

test('secrets: the first source that has a key wins; a key-value store (the keychain) can be one', async () => {
  const { chainSecrets, envSecrets, storeSecrets } = await import('../../app/web/index.ts');
  const store = { get: async (key: string) => (key === 'web-search.brave' ? 'from-store' : null) };
  assert.equal(await chainSecrets(envSecrets(''), storeSecrets(store)).getSecret('web-search.brave'), 'from-store');
  assert.equal(await chainSecrets(envSecrets('from-env'), storeSecrets(store)).getSecret('web-search.brave'), 'from-env');
  assert.equal(await chainSecrets(envSecrets(''), storeSecrets(store)).getSecret('web-search.tavily'), undefined);
});
