// The library's table and detail through the contract: pages in every sort over a library made
// straight in the store (each row once, in order, however deep the page), counts by status for a
// filter, chunks with their offsets, and removing one document of each kind.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DocumentSummary } from '../../app/contract/api.ts';
import { CairnError } from '../../app/contract/index.ts';
import { ModelManager } from '../../app/llm/index.ts';
import { paragraph, tempDir } from '../support/corpus.ts';
import { fillLibrary, largeDocumentTitle, type LargeLibrary } from '../support/large-library.ts';
import { connectService, indexingDone, type Connected } from './support.ts';

const COUNT = 3_000;
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('documents over the contract', { timeout: 120_000 }, () => {
  let c: Connected;
  let large: LargeLibrary;

  before(async () => {
    const dbPath = join(tempDir(), 'library.db');
    large = fillLibrary(dbPath, COUNT);
    c = await connectService({ dbPath, embedder: null, chatModel: null, models: new ModelManager({ dir: tempDir() }) });
  });
  after(() => c.close());

  test('every sort pages through all rows once, in order, also far from the start', async () => {
    const { api } = c.client;
    const compare: Record<string, (a: DocumentSummary, b: DocumentSummary) => number> = {
      // As SQLite's NOCASE: ASCII letters folded, then code points.
      title: (a, b) => byCodePoint(asciiLower(a.title), asciiLower(b.title)) || a.id - b.id,
      date: (a, b) => a.date! - b.date! || a.id - b.id,
      size: (a, b) => a.size! - b.size! || a.id - b.id,
      indexed: (a, b) => a.indexedAt! - b.indexedAt! || a.id - b.id,
      status: (a, b) => a.status.localeCompare(b.status) || a.id - b.id,
    };
    for (const [sort, cmp] of Object.entries(compare)) {
      for (const order of ['asc', 'desc'] as const) {
        const rows: DocumentSummary[] = [];
        for (let offset = 0; offset < COUNT; offset += 500) {
          const page = await api.documents.list({ sort: sort as 'title', order, offset, limit: 500 });
          assert.equal(page.total, COUNT);
          rows.push(...page.items);
        }
        assert.equal(new Set(rows.map((r) => r.id)).size, COUNT, `${sort} ${order}: each row once`);
        const sign = order === 'asc' ? 1 : -1;
        for (let i = 1; i < rows.length; i++) assert.ok(sign * cmp(rows[i - 1]!, rows[i]!) <= 0, `${sort} ${order} at ${i}`);
      }
    }
    // A row deep in the list carries its counts (the attachment of every thousandth).
    const withChild = (await api.documents.list({ text: largeDocumentTitle(2000) })).items[0]!;
    assert.equal(withChild.children, 1);
  });

  test('filters and the counts by status beside them', async () => {
    const { api } = c.client;
    const all = await api.documents.counts({});
    assert.deepEqual(all, { indexed: 2100, skipped: 300, failed: 300, pending: 300 });
    const emails = await api.documents.counts({ kind: 'email' });
    assert.equal(emails.indexed + emails.skipped + emails.failed + emails.pending, COUNT / 5);
    assert.equal((await api.documents.list({ kind: 'email', status: 'failed' })).total, emails.failed);
    const folder = await api.documents.counts({ sourceId: large.folderId, text: 'invoice' });
    const listed = await api.documents.list({ sourceId: large.folderId, text: 'invoice', status: 'indexed', limit: 1 });
    assert.equal(listed.total, folder.indexed);
    assert.ok(folder.indexed > 0);
  });

  test("a document's chunks carry their offsets; removing one takes it (and what is inside it) out", async () => {
    const { api } = c.client;
    const dir = tempDir();
    const long = join(dir, 'long.md');
    writeFileSync(long, `# Long\n\n${Array.from({ length: 40 }, (_, i) => paragraph(i, 80)).join('\n\n')}\n`);
    await api.library.add({ paths: [long] });
    await c.log.waitFor(indexingDone);
    const doc = (await api.documents.list({ text: 'long.md' })).items[0]!;
    const detail = await api.documents.get({ id: doc.id });
    assert.ok(detail.chunkList.length > 1);
    for (const chunk of detail.chunkList) assert.equal(chunk.end - chunk.start, chunk.text.length);
    assert.ok(detail.chunkList[1]!.start >= detail.chunkList[0]!.start);

    // A file: it leaves with the source it was added as.
    assert.deepEqual(await api.documents.remove({ id: doc.id }), { removed: 1 });
    assert.ok(!(await api.sources.list()).some((s) => s.uri === long));
    // A document with an attachment: both leave; the attachment alone cannot be removed.
    const parent = (await api.documents.list({ text: largeDocumentTitle(1000) })).items[0]!;
    const inside = (await api.documents.get({ id: parent.id })).childList[0]!;
    await assert.rejects(api.documents.remove({ id: inside.id }), (e: unknown) => e instanceof CairnError && e.code === 'not-found');
    assert.deepEqual(await api.documents.remove({ id: parent.id }), { removed: 1 });
    await assert.rejects(api.documents.get({ id: inside.id }), (e: unknown) => e instanceof CairnError && e.code === 'not-found');
    // A message of a mailbox.
    const message = (await api.documents.list({ text: largeDocumentTitle(4) })).items[0]!;
    assert.equal(message.kind, 'email');
    assert.deepEqual(await api.documents.remove({ id: message.id }), { removed: 1 });
    assert.equal((await api.documents.counts({})).indexed, 2098);
  });
});
