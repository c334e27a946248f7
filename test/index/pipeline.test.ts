import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../app/engine.ts';
import type { EngineEvent } from '../../app/contract/index.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { paragraph, tempDir, writeCorpus } from '../support/corpus.ts';

async function openEngine(embedder: FakeEmbedder | null = new FakeEmbedder(), events: EngineEvent[] = []) {
  return Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder, onEvent: (e) => events.push(e) });
}

test('a folder is indexed with chunks, full text and one vector per chunk, and progress is reported', async () => {
  const dir = writeCorpus(30);
  const events: EngineEvent[] = [];
  const engine = await openEngine(new FakeEmbedder(), events);
  try {
    engine.add([dir]);
    const summary = await engine.index();
    assert.equal(summary.filesDone, 30);
    const status = engine.status();
    assert.equal(status.documents.indexed, 30);
    assert.equal(status.embeddingModels.length, 1);
    assert.equal(status.embeddingModels[0]!.vectors, status.chunks);
    const last = events.filter((e) => e.type === 'progress').at(-1);
    assert.ok(last && last.type === 'progress' && last.filesDone === 30 && last.filesTotal === 30 && last.chunks === status.chunks);
    const { hits } = await engine.search({ query: 'marker17', mode: 'bm25' });
    assert.equal(hits[0]?.title, 'Note 17');
  } finally {
    await engine.close();
  }
});

test('an unchanged file is not read again; a changed one is; a removed one leaves the index', async () => {
  const dir = writeCorpus(10);
  const embedder = new FakeEmbedder();
  const engine = await openEngine(embedder);
  try {
    engine.add([dir]);
    await engine.index();
    const embeddedOnce = embedder.embedded;

    engine.add([dir]);
    const again = await engine.index();
    assert.equal(again.filesDone, 0, 'nothing changed, nothing read');
    assert.equal(embedder.embedded, embeddedOnce);

    const changed = join(dir, 'folder3', 'note3.md');
    appendFileSync(changed, '\n\nA new paragraph mentioning platypus.\n');
    utimesSync(changed, new Date(), new Date(Date.now() + 5000));
    rmSync(join(dir, 'folder4', 'note4.md'));
    engine.add([dir]);
    const third = await engine.index();
    assert.equal(third.filesDone, 1);
    assert.equal(engine.status().documents.indexed, 9);
    assert.equal((await engine.search({ query: 'platypus', mode: 'bm25' })).hits[0]?.title, 'Note 3');
    assert.equal((await engine.search({ query: 'marker4', mode: 'bm25' })).hits.length, 0);
  } finally {
    await engine.close();
  }
});

test('the same content at two paths is embedded once and found at both', async () => {
  const dir = tempDir();
  const text = `# Twins\n\n${paragraph(1)} okapi\n\n${paragraph(2)}\n`;
  writeFileSync(join(dir, 'one.md'), text);
  mkdirSync(join(dir, 'b'));
  writeFileSync(join(dir, 'b', 'two.md'), text);
  const embedder = new FakeEmbedder();
  const engine = await openEngine(embedder);
  try {
    engine.add([dir]);
    await engine.index();
    const status = engine.status();
    assert.equal(status.documents.indexed, 2);
    assert.equal(embedder.embedded, status.chunks / 2, 'one document’s chunks were embedded, the other copied');
    assert.equal(status.embeddingModels[0]!.vectors, status.chunks);
    const { hits } = await engine.search({ query: 'okapi', mode: 'bm25' });
    assert.deepEqual(hits.map((h) => h.uri).sort(), [join(dir, 'b', 'two.md'), join(dir, 'one.md')]);

    // A third copy added later is copied from the library, not embedded.
    copyFileSync(join(dir, 'one.md'), join(dir, 'three.md'));
    engine.add([dir]);
    await engine.index();
    assert.equal(embedder.embedded, status.chunks / 2);
    assert.equal(engine.status().embeddingModels[0]!.vectors, engine.status().chunks);
  } finally {
    await engine.close();
  }
});

test('bad files end as documents with a reason and the rest of the import goes on', async () => {
  const dir = writeCorpus(3);
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, 'broken.pdf'), '%PDF-1.7\nthis is not really a pdf');
  writeFileSync(join(dir, 'broken.docx'), Buffer.from('PK\x03\x04 truncated zip'));
  writeFileSync(join(dir, 'image.bin'), Buffer.from([0, 1, 2, 3, 0, 255, 0, 7, 0, 0]));
  const events: EngineEvent[] = [];
  const engine = await openEngine(new FakeEmbedder(), events);
  try {
    engine.add([dir]);
    const summary = await engine.index();
    assert.equal(summary.errors, 4);
    const status = engine.status();
    assert.equal(status.documents.indexed, 3);
    const reasons = new Map(status.problems.map((p) => [p.uri.split('/').at(-1), p]));
    assert.equal(reasons.get('empty.txt')?.status, 'skipped');
    assert.equal(reasons.get('broken.pdf')?.status, 'failed');
    assert.equal(reasons.get('broken.docx')?.status, 'failed');
    assert.equal(reasons.get('image.bin')?.code, 'unsupported');
    for (const p of status.problems) assert.ok(p.reason.length > 5, `${p.uri} has a reason`);
    assert.equal(events.filter((e) => e.type === 'document-issue').length, 4);
  } finally {
    await engine.close();
  }
});

test('remove takes a folder out; a renamed file is found under its new path only', async () => {
  const dir = writeCorpus(14);
  const engine = await openEngine();
  try {
    engine.add([dir]);
    await engine.index();
    assert.equal(engine.remove(join(dir, 'folder0')), 2);
    assert.equal(engine.status().documents.indexed, 12);
    renameSync(join(dir, 'folder1', 'note1.md'), join(dir, 'folder1', 'renamed.md'));
    engine.add([dir]);
    await engine.index();
    const { hits } = await engine.search({ query: 'marker1', mode: 'bm25', k: 3 });
    assert.deepEqual(hits.map((h) => h.uri), [join(dir, 'folder1', 'renamed.md')]);
  } finally {
    await engine.close();
  }
});

test('without an embedder the library works keyword-only and every search says so', async () => {
  const dir = writeCorpus(5);
  const engine = await openEngine(null);
  try {
    engine.add([dir]);
    await engine.index();
    for (const mode of ['hybrid', 'vector'] as const) {
      const response = await engine.search({ query: 'marker2', mode });
      assert.equal(response.keywordOnly, true);
      assert.equal(response.mode, 'bm25');
      assert.match(response.notice ?? '', /No embedding model/);
      assert.equal(response.hits[0]?.title, 'Note 2');
    }
    assert.equal(engine.status().embeddingModels.length, 0, 'no vectors were invented');
  } finally {
    await engine.close();
  }
});
