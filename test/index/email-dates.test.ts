// An email's date is when it was written or received, never when its file was made or imported:
// a message with no date of its own is undated, and any date bound leaves it out.
import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Engine } from '../../app/engine.ts';
import { tempDir } from '../support/corpus.ts';

async function openEngine(t: TestContext) {
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null });
  t.after(() => engine.close());
  return engine;
}

test('an email without a Date or Received header is undated, not dated by its file, and date filters leave it out', async (t) => {
  const dir = tempDir();
  const mbox = join(dir, 'archive.mbox');
  writeFileSync(mbox, [
    'From alice@example.com Mon Mar  3 10:00:00 1997',
    'From: alice@example.com',
    'Subject: Dated message',
    'Date: Mon, 3 Mar 1997 10:00:00 +0000',
    '',
    'The dated note about lemurs.',
    '',
    'From bob@example.com Tue Mar  4 10:00:00 1997',
    'From: bob@example.com',
    'Subject: Undated message',
    '',
    'The undated note about lemurs.',
    '',
  ].join('\n'));
  const single = join(dir, 'loose.eml');
  writeFileSync(single, 'From: carol@example.com\nSubject: Loose undated message\n\nA loose note about lemurs.\n');
  // Files copied or exported today: their modification time says nothing about the messages.
  const today = new Date();
  utimesSync(mbox, today, today);
  utimesSync(single, today, today);

  const engine = await openEngine(t);
  engine.add([dir]);
  await engine.index();

  const dates = new Map((engine.library.db.prepare(`SELECT title, date FROM documents WHERE kind = 'email'`).all() as { title: string; date: number | null }[]).map((r) => [r.title, r.date]));
  assert.equal(dates.get('Dated message'), Date.parse('1997-03-03T10:00:00Z'));
  assert.equal(dates.get('Undated message'), null, 'not the mbox file\'s modification time');
  assert.equal(dates.get('Loose undated message'), null, 'not the .eml file\'s modification time');

  const titles = async (filters = {}) => {
    const { hits } = await engine.search({ query: 'lemurs', mode: 'bm25', filters });
    return hits.map((h) => [h.title, h.date]).sort();
  };
  assert.deepEqual(await titles(), [['Dated message', Date.parse('1997-03-03T10:00:00Z')], ['Loose undated message', null], ['Undated message', null]]);
  const lastWeek = { dateFrom: Date.now() - 7 * 86_400_000 };
  assert.deepEqual(await titles(lastWeek), [], 'an undated email is not "last week"');
  assert.deepEqual(await titles({ dateTo: '2030-01-01' }), [['Dated message', Date.parse('1997-03-03T10:00:00Z')]]);
});
