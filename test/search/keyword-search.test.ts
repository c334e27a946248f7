// The keyword index ranks exactly as FTS5's bm25() does: the same chunks in the same order with
// the same scores (ties aside, whose order FTS5 does not define), on SciFact and on text that
// tests the tokenizer (accents, full width, CJK, marks, mail senders), as the library changes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { analyze, orExpression, searchQuery } from '../../app/search/analyze.ts';
import { CommonTermFilter } from '../../app/search/common-terms.ts';
import { KeywordSearch, type KeywordHit } from '../../app/search/keyword-search.ts';
import { Library } from '../../app/store/index.ts';
import { tempDir } from '../support/corpus.ts';
import { docInput } from '../support/documents.ts';
import { dump } from '../support/keyword-dump.ts';
import { evalDir, requireShared } from '../support/shared.ts';

interface Doc {
  path: string;
  title: string;
  sender?: string;
  chunks: string[];
}

function write(library: Library, sourceId: number, docs: Doc[]): void {
  library.transaction(() => {
    for (const doc of docs) {
      const id = library.documents.upsert(docInput(sourceId, doc.path, { title: doc.title, sender: doc.sender ?? null }));
      const ftsTitle = analyze(`${doc.title} ${doc.sender ?? ''}`);
      library.documents.insertChunks(id, doc.chunks.map((text) => ({ text, start: 0, end: text.length, page: null, headingPath: [], tokenCount: 1, ftsTitle, ftsBody: analyze(text) })));
    }
  });
}

/** FTS5's answer, as search asked it before the keyword index: the common-word cut, then bm25(). */
function fts5(library: Library, terms: string[], k: number, titleWeight: number): KeywordHit[] {
  const match = orExpression(new CommonTermFilter(library).selective(terms));
  return match ? library.retrieval.fullText(match, k, titleWeight).map((r) => ({ chunkId: r.chunkId, score: -r.score })) : [];
}

/**
 * Same hits, same order and scores. Scores may differ in their last bit (the C library's log()
 * and V8's differ by an ulp at times), so chunks whose scores are that close count as tied; the
 * order of tied chunks is not defined (FTS5's sorter), nor which of those tied with the last
 * hit make the cut.
 */
function assertSameRanking(got: KeywordHit[], want: KeywordHit[], query: string): void {
  assert.equal(got.length, want.length, `${query}: number of hits`);
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  got.forEach((hit, i) => assert.ok(close(hit.score, want[i]!.score), `${query}: score at ${i + 1}: ${hit.score} vs ${want[i]!.score}`));
  const last = want.at(-1)?.score ?? 0;
  // Each hit as the rank of its group of tied scores (in FTS5's order) and its chunk.
  const keyed = (hits: KeywordHit[]) => {
    let group = 0;
    return hits
      .map((h, i) => ({ h, group: i > 0 && close(h.score, want[i - 1]!.score) ? group : (group = i) }))
      .filter(({ h }) => !close(h.score, last))
      .map(({ h, group }) => `${String(group).padStart(4, '0')}:${h.chunkId}`)
      .sort();
  };
  assert.deepEqual(keyed(got), keyed(want), `${query}: chunks`);
}

function compareAll(library: Library, queries: string[], k = 50, titleWeight = 2): { indexed: number } {
  const search = new KeywordSearch(library);
  let indexed = 0;
  for (const query of queries) {
    const { terms } = searchQuery(query);
    const mine = search.search(terms, k, titleWeight);
    if (mine === null) continue; // a phrase: FTS5 ranks it
    indexed++;
    assertSameRanking(mine, fts5(library, terms, k, titleWeight), query);
  }
  return { indexed };
}

/** Among some chunks only: FTS5's ranking of every match, those chunks kept, against the index's. */
function compareAllowed(library: Library, queries: string[], allowed: Set<number>, k: number): void {
  const search = new KeywordSearch(library);
  for (const query of queries) {
    const { terms } = searchQuery(query);
    const mine = search.search(terms, k, 2, allowed);
    if (mine === null) continue;
    const want = fts5(library, terms, 1_000_000, 2).filter((hit) => allowed.has(hit.chunkId));
    assertSameRanking(mine, want.slice(0, k), `${query} (among ${allowed.size})`);
  }
}

function scifact(t: TestContext): { docs: Doc[]; queries: string[] } | null {
  const dir = requireShared(t, join(evalDir, 'scifact'));
  if (!dir) return null;
  const lines = (file: string) => readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => l.trim());
  const docs = lines('corpus.jsonl').slice(0, 2_500).map((l) => {
    const d = JSON.parse(l) as { _id: string; title: string; text: string };
    const words = d.text.split(/\s+/);
    const chunks: string[] = [];
    for (let i = 0; i < words.length; i += 100) chunks.push(words.slice(i, i + 100).join(' '));
    return { path: `/scifact/${d._id}`, title: d.title, chunks };
  });
  const queries = lines('queries.jsonl').slice(0, 300).map((l) => (JSON.parse(l) as { text: string }).text);
  return { docs, queries };
}

/** Text where tokenizers disagree easily. */
const tricky: Doc[] = [
  { path: '/t/accents', title: 'Café crème', chunks: ['The naïve café served crème brûlée; CAFÉ and cafe and Cafe.', 'Ångström, Œuvre, straße, İstanbul, ﬁnal ﬁgures.'] },
  { path: '/t/width', title: 'ＧＰＴ４ notes', chunks: ['我们测试了ＧＰＴ４模型，２２号交报告。', '㈱東洋商事 and ①②③ and Ⅻ.'] },
  { path: '/t/cjk', title: '学习笔记', chunks: ['我们正在学习中文。机器学习是人工智能的一个分支。', '東京都に住んでいます。京都へ旅行に行きました。2022年3月'] },
  { path: '/t/marks', title: 'Marks', chunks: ['e\u0301te\u0301 and hindi हिन्दी भाषा and Ελληνικά γλώσσα and עִבְרִית.', "don't won't O'Brien e-mail co-operate 3.14 1,000 x86_64"] },
  { path: '/t/mail', title: 'Invoice for October', sender: 'Alice Smith <alice@example.com>', chunks: ['Please pay the invoice for the October consulting work.'] },
  { path: '/t/mail2', title: 'Lunch', sender: 'Dave <dave@example.com>', chunks: ['Lunch on Friday? Also, the invoice question. Running runners ran.'] },
];
const trickyQueries = [
  'cafe creme', 'CAFÉ', 'naive brulee', 'angstrom oeuvre strasse istanbul', 'final figures', 'gpt4', 'ＧＰＴ４ 模型', '22号',
  '株 東洋', '学习 人工智能', '京都 旅行', 'ete hindi', 'हिन्दी', 'ελληνικά', "don't o'brien", 'e-mail co-operate', '3.14 1,000 x86_64',
  'alice invoice', 'example.com dave', 'running runner', 'invoice october consulting lunch friday', '2022年',
];

test('keyword top-k is FTS5 bm25() exactly: SciFact and tokenizer edge cases, title weights', (t) => {
  const data = scifact(t);
  if (!data) return;
  const library = Library.open(join(tempDir(), 'library.db'));
  try {
    const source = library.sources.ensure('import', '/d', 'd');
    write(library, source.id, [...data.docs, ...tricky]);
    assert.ok(library.keywords.current());
    const { indexed } = compareAll(library, [...data.queries, ...trickyQueries]);
    assert.ok(indexed >= data.queries.length, `the index ranked ${indexed} queries`);
    compareAll(library, data.queries.slice(0, 50), 10, 1);
    compareAll(library, data.queries.slice(0, 50), 300, 3.5);
    // Among a third of the chunks, and among a few hundred: the postings of the others are passed over.
    const ids = library.db.prepare('SELECT id FROM chunks ORDER BY id').pluck().all() as number[];
    compareAllowed(library, data.queries.slice(0, 100), new Set(ids.filter((id) => id % 3 === 0)), 50);
    compareAllowed(library, data.queries.slice(100, 150), new Set(ids.filter((id) => id % 29 === 0)), 10);
    // A phrase (a character after a number) is left to FTS5.
    assert.equal(new KeywordSearch(library).search(searchQuery('2022年').terms, 10, 2), null);
  } finally {
    library.close();
  }
});

test('common terms looked up block by block for a few candidates rank as FTS5 does', () => {
  // 12,000 chunks: a word in one chunk of eight (2 blocks of postings), another in one of
  // eleven, a rare one in a handful. A search for the rare word with the common ones keeps only a
  // few candidates after the rare word, and looks them up in just the blocks they fall in.
  const library = Library.open(join(tempDir(), 'library.db'));
  try {
    const source = library.sources.ensure('import', '/d', 'd');
    const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor'.split(' ');
    const docs: Doc[] = [];
    for (let d = 0; d < 400; d++) {
      const chunks: string[] = [];
      for (let c = 0; c < 30; c++) {
        const n = d * 30 + c;
        const words = Array.from({ length: 8 + (n % 23) }, (_, i) => filler[(n * 7 + i) % filler.length]!);
        if (n % 8 === 0) words.splice(n % 5, 0, ...Array(1 + (n % 3)).fill('kinase'));
        if (n % 11 === 0) words.push('protein');
        if (n % 2_000 === 7) words.push('zebrafish', 'protein', 'kinase');
        chunks.push(words.join(' '));
      }
      docs.push({ path: `/d/${d}`, title: d % 50 === 0 ? 'Kinase notes' : `Notes ${d}`, chunks });
    }
    write(library, source.id, docs);
    const { indexed } = compareAll(library, ['zebrafish kinase protein', 'zebrafish kinase', 'kinase protein zebrafish lorem'], 3);
    assert.equal(indexed, 3);
    compareAll(library, ['zebrafish kinase protein'], 5, 3.5);
  } finally {
    library.close();
  }
});

test('the keyword index follows changes: removed, replaced, renamed and re-added documents, another connection', (t) => {
  const data = scifact(t);
  if (!data) return;
  const path = join(tempDir(), 'library.db');
  const library = Library.open(path);
  try {
    const source = library.sources.ensure('import', '/d', 'd');
    const docs = data.docs.slice(0, 600);
    write(library, source.id, [...docs, ...tricky]);
    // Remove a third, replace some (new text, same ids reused at the end), retitle others.
    library.transaction(() => {
      for (const doc of docs.slice(0, 200)) library.documents.removeByPath(doc.path);
    });
    write(library, source.id, docs.slice(200, 260).map((d) => ({ ...d, chunks: d.chunks.map((c) => c.split(' ').reverse().join(' ')).concat(['an extra chunk about zebrafish']) })));
    library.transaction(() => {
      const [doc] = docs.slice(300, 301);
      const id = library.db.prepare('SELECT id FROM documents WHERE path = ?').pluck().get(doc!.path) as number;
      library.documents.relabel(id, { sourceId: source.id, uri: '/d/renamed', path: '/d/renamed', title: 'Zebrafish kinase atlas', size: 1, mtime: 1 }, { title: analyze('Zebrafish kinase atlas '), analyse: analyze });
    });
    // The last document removed, and its chunk ids taken again by a new one.
    library.transaction(() => library.documents.removeByPath(docs[599]!.path));
    write(library, source.id, [{ path: '/d/new', title: 'New', chunks: ['zebrafish kinase in new text', 'more new text'] }]);
    assert.ok(library.keywords.current());
    compareAll(library, [...data.queries.slice(0, 100), ...trickyQueries, 'zebrafish kinase atlas']);

    // Written by another connection (another process): this one sees it at once.
    const other = Library.open(path);
    try {
      write(other, source.id, [{ path: '/d/other', title: 'Other', chunks: ['zebrafish from another process'] }]);
    } finally {
      other.close();
    }
    compareAll(library, ['zebrafish process', 'zebrafish kinase']);

    // What the changes left is what a rebuild from the chunks makes.
    const before = dump(library);
    library.keywords.rebuild();
    assert.deepEqual(dump(library), before);
  } finally {
    library.close();
  }
});

test('postings appended over many commits fill the last block and start new ones; a chunk id taken again lands inside a block', () => {
  // A word in every other chunk, written 300 chunks a commit: its last block is appended to on
  // each commit (without being decoded) until it is full, then new blocks start, thousands of
  // postings in all. Then a document in the middle is retitled (its chunks leave the index and
  // come back with the same ids, inside the blocks), and the last one removed, its ids taken
  // again by a new document.
  const library = Library.open(join(tempDir(), 'library.db'));
  try {
    const source = library.sources.ensure('import', '/d', 'd');
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa'.split(' ');
    for (let commit = 0; commit < 20; commit++) {
      const docs: Doc[] = [];
      for (let d = 0; d < 10; d++) {
        const n = commit * 10 + d;
        const chunks = Array.from({ length: 30 }, (_, c) => {
          const i = n * 30 + c;
          const text = Array.from({ length: 5 + (i % 7) }, (_, w) => words[(i + w * 3) % words.length]!);
          if (i % 2 === 0) text.push('common');
          if (i % 97 === 0) text.push('rare');
          return text.join(' ');
        });
        docs.push({ path: `/d/${n}`, title: `Note ${n}`, chunks });
      }
      write(library, source.id, docs);
    }
    const common = library.keywords.terms(['common'])[0]!;
    assert.equal(common.chunks, 3_000);
    assert.ok((library.db.prepare('SELECT count(*) FROM keyword_blocks WHERE key >= ? * 134217728 AND key < (? + 1) * 134217728').pluck().get(common.id, common.id) as number) >= 3);
    library.transaction(() => {
      const id = library.db.prepare('SELECT id FROM documents WHERE path = ?').pluck().get('/d/50') as number;
      library.documents.relabel(id, { sourceId: source.id, uri: '/d/50', path: '/d/50', title: 'Common rare', size: 1, mtime: 1 }, { title: analyze('Common rare '), analyse: analyze });
    });
    library.transaction(() => library.documents.removeByPath('/d/199'));
    write(library, source.id, [{ path: '/d/new', title: 'New', chunks: ['common rare alpha', 'beta common', 'gamma'] }]);
    compareAll(library, ['common rare', 'rare alpha', 'common beta gamma', 'alpha beta common']);
    const before = dump(library);
    library.keywords.rebuild();
    assert.deepEqual(dump(library), before);
  } finally {
    library.close();
  }
});

test('chunks written outside a transaction are ranked by FTS5 until the next transaction indexes them', () => {
  const library = Library.open(':memory:');
  try {
    const source = library.sources.ensure('import', '/d', 'd');
    const id = library.documents.upsert(docInput(source.id, '/d/a'));
    library.documents.insertChunks(id, [{ text: 'zebrafish', start: 0, end: 9, page: null, headingPath: [], tokenCount: 1, ftsTitle: analyze('/d/a '), ftsBody: 'zebrafish' }]);
    assert.equal(library.keywords.current(), false);
    assert.equal(new KeywordSearch(library).search(['zebrafish'], 10, 2), null);
    library.transaction(() => {});
    assert.deepEqual(new KeywordSearch(library).search(['zebrafish'], 10, 2)?.map((h) => h.chunkId), fts5(library, ['zebrafish'], 10, 2).map((h) => h.chunkId));
  } finally {
    library.close();
  }
});
