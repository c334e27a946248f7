// The keyword index commits with the chunks or not at all: a process killed at any moment while
// writing leaves it exactly what a rebuild from the chunks makes, and ranking as FTS5 does.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { orExpression } from '../../app/search/analyze.ts';
import { CommonTermFilter } from '../../app/search/common-terms.ts';
import { KeywordSearch } from '../../app/search/keyword-search.ts';
import { Library } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';
import { dump } from '../support/keyword-dump.ts';

/** Runs the writer until it has committed `after` transactions (and a random bit more), then SIGKILLs it. */
function writeAndKill(dbPath: string, seed: number, after: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'keyword-writer.ts'), dbPath, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let committed = 0;
    child.stdout.setEncoding('utf8').on('data', (data: string) => {
      for (const m of data.matchAll(/committed (\d+)/g)) committed = Number(m[1]);
      // Killed at once or a moment later: inside a transaction or between two.
      if (committed >= after) setTimeout(() => child.kill('SIGKILL'), seed % 7);
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(committed) : reject(new Error(`writer exited without being killed (${signal})`))));
  });
}

test('killed while writing, the keyword index holds exactly the committed chunks', async () => {
  const dbPath = join(tempDir(), 'library.db');
  for (const [seed, after] of [[1, 20], [2, 35], [3, 50]] as const) {
    const committed = await writeAndKill(dbPath, seed, after);
    assert.ok(committed >= after);
    const library = Library.open(dbPath);
    try {
      assert.ok(library.keywords.current(), 'nothing left queued');
      const search = new KeywordSearch(library);
      for (const terms of [['zebrafish'], ['kinase', 'protein', 'river'], ['invoice', 'october', 'noise', 'signal']]) {
        const mine = search.search(terms, 20, 2)!.map((h) => h.score);
        const fts = library.retrieval.fullText(orExpression(terms)!, 20, 2).map((r) => -r.score);
        assert.equal(mine.length, fts.length);
        mine.forEach((score, i) => assert.ok(Math.abs(score - fts[i]!) <= 1e-12 * score, `${terms.join(' ')}: ${score} vs ${fts[i]}`));
      }
      const before = dump(library);
      library.keywords.rebuild();
      assert.deepEqual(dump(library), before, `seed ${seed}: as a rebuild makes it`);
    } finally {
      library.close();
    }
  }
});

test('migration 10 builds the keyword index of an existing library', async () => {
  const { migrate, migrations } = await import('../../app/store/index.ts');
  const { openSqlite } = await import('../../native/sqlite.ts');
  const { analyze } = await import('../../app/search/analyze.ts');
  const dbPath = join(tempDir(), 'library.db');
  const old = openSqlite(dbPath);
  migrate(old, migrations.filter((m) => m.version < 10));
  old.prepare(`INSERT INTO sources (kind, uri, name, created_at) VALUES ('import', '/d', 'd', 0)`).run();
  const doc = old.prepare(`INSERT INTO documents (source_id, uri, path, kind, title, status, sender) VALUES (1, ?, ?, 'file', ?, 'indexed', ?) RETURNING id`).pluck();
  const chunk = old.prepare('INSERT INTO chunks (document_id, ordinal, text, start_offset, end_offset, token_count) VALUES (?, ?, ?, 0, 0, 1) RETURNING id').pluck();
  const fts = old.prepare('INSERT INTO chunk_fts (rowid, title, body) VALUES (?, ?, ?)');
  for (let i = 0; i < 3_000; i++) {
    const title = `report ${i % 17}`;
    const sender = i % 5 ? null : 'Zoë <zoe@example.com>';
    const id = doc.get(`/d/${i}`, `/d/${i}`, title, sender) as number;
    const text = `river ${i % 3 ? 'mountain' : 'zebrafish'} signal ${i}`;
    fts.run(chunk.get(id, 0, text), analyze(`${title} ${sender ?? ''}`), analyze(text));
  }
  old.close();
  const library = Library.open(dbPath);
  try {
    assert.ok(library.keywords.current());
    assert.equal(library.keywords.totals().chunks, 3_000);
    const search = new KeywordSearch(library);
    for (const terms of [['zebrafish', 'report'], ['zoe', 'river', '17'], ['mountain', 'signal', '2999']]) {
      const mine = search.search(terms, 50, 2)!.map((h) => h.score);
      const want = library.retrieval.fullText(orExpression(new CommonTermFilter(library).selective(terms))!, 50, 2).map((r) => -r.score);
      assert.deepEqual(mine.map((s) => s.toPrecision(12)), want.map((s) => s.toPrecision(12)), terms.join(' '));
    }
  } finally {
    library.close();
  }
});

test('migration 16 rewrites postings kept in blocks of 256 into blocks of 1,024, the index unchanged', async () => {
  const { analyze } = await import('../../app/search/analyze.ts');
  const { docInput } = await import('../support/documents.ts');
  const dbPath = join(tempDir(), 'library.db');
  let library = Library.open(dbPath);
  const blockCounts = () => library.db.prepare('SELECT count(*) FROM keyword_blocks WHERE key >= ? * 134217728 AND key < (? + 1) * 134217728').pluck();
  try {
    const source = library.sources.ensure('import', '/d', 'd');
    library.transaction(() => {
      for (let d = 0; d < 120; d++) {
        const id = library.documents.upsert(docInput(source.id, `/d/${d}`, { title: `Report ${d % 9}` }));
        const chunks = Array.from({ length: 25 }, (_, c) => `river ${(d * 25 + c) % 3 ? 'mountain' : 'zebrafish'} signal ${d * 25 + c}`);
        library.documents.insertChunks(id, chunks.map((text) => ({ text, start: 0, end: text.length, page: null, headingPath: [], tokenCount: 1, ftsTitle: analyze(`Report ${d % 9}`), ftsBody: analyze(text) })));
      }
    });
    // As a library written before migration 16 holds them.
    library.transaction(() => library.keywords.reblock(256));
    const [river] = library.keywords.terms(['river']);
    assert.equal(blockCounts().get(river!.id, river!.id), Math.ceil(3_000 / 256));
    const before = dump(library);
    library.db.pragma('user_version = 15');
    library.close();
    library = Library.open(dbPath);
    assert.equal(blockCounts().get(river!.id, river!.id), Math.ceil(3_000 / 1_024));
    assert.deepEqual(dump(library), before);
    assert.ok(library.keywords.current());
  } finally {
    library.close();
  }
});
