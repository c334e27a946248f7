// Imports through the contract: an add is one import with its stage and n of m in events and its
// summary at the end (counts, each failure with its reason and document id); pause holds its
// queued files across a restart and resume finishes them; cancel drops what was not read and
// counts it; documents.retry reads one document, an import's failures or every failed one again,
// each as a new import. The run is held at its first batch by an embedder the test releases, so
// pausing and cancelling land while files are still queued, without timing anything.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { EngineEvent, ImportEvent, ImportStatus } from '../../app/contract/index.ts';
import { CairnError } from '../../app/contract/index.ts';
import { ModelManager } from '../../app/llm/index.ts';
import { buildPdf } from '../fixtures/pdf.ts';
import { paragraph, tempDir } from '../support/corpus.ts';
import { FakeEmbedder } from '../support/fake-embedder.ts';
import { connectService, indexingDone, type Connected } from './support.ts';

/** An embedder that holds its first call until released (the run stops at its first batch). */
class GatedEmbedder extends FakeEmbedder {
  private gate: Promise<void> | null;
  release!: () => void;
  /** Resolves once the first batch is waiting at the gate. */
  readonly reached: Promise<void>;
  private arrived!: () => void;

  constructor() {
    super(64, 'gated');
    this.gate = new Promise((resolve) => (this.release = resolve));
    this.reached = new Promise((resolve) => (this.arrived = resolve));
  }

  override async embed(texts: string[]): Promise<Float32Array[]> {
    if (this.gate) {
      this.arrived();
      await this.gate;
      this.gate = null;
    }
    return super.embed(texts);
  }
}

function notesFolder(count: number): string {
  const dir = join(tempDir(), 'notes');
  mkdirSync(dir);
  for (let i = 0; i < count; i++) writeFileSync(join(dir, `note${String(i).padStart(3, '0')}.md`), `# Note ${i}\n\n${paragraph(i, 30)}\n`);
  return dir;
}

const importOf = (id: number, test: (i: ImportStatus) => boolean = () => true) => (e: EngineEvent): e is ImportEvent =>
  e.type === 'import' && e.import.id === id && test(e.import);

function open(dbPath: string, embedder: FakeEmbedder | null = null): Promise<Connected> {
  return connectService({ dbPath, embedder, chatModel: null, models: new ModelManager({ dir: tempDir() }), ingest: { batchChunks: 8, prefetch: 2 } });
}

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof CairnError && error.code === code);
}

describe('imports over the contract', { timeout: 120_000 }, () => {
  test('an add is one import: stages and n of m as events, then counts and every failure with its reason and document id; retry reads it again', async () => {
    const dir = notesFolder(5);
    writeFileSync(join(dir, 'broken.pdf'), '%PDF-1.7\nthis is not really a PDF at all\n%%EOF\n');
    writeFileSync(join(dir, 'empty.md'), '');
    const c = await open(join(tempDir(), 'library.db'));
    try {
      const { api } = c.client;
      const added = await api.library.add({ paths: [dir, join(dir, 'missing.md')] });
      assert.deepEqual(added.missing, [join(dir, 'missing.md')]);
      assert.equal(typeof added.importId, 'number');
      const id = added.importId!;
      const ended = await c.log.waitFor(importOf(id, (i) => i.state === 'done'));
      assert.equal(ended.import.filesDone, 7);
      assert.equal(ended.import.filesTotal, 7);
      assert.equal(ended.import.problems, 2);
      assert.equal(ended.import.stage, null);
      assert.deepEqual(ended.import.paths, [dir]);

      // On the way: the import said it was scanning, then reading; progress said its stage too.
      const stages = c.log.events.filter(importOf(id)).map((e) => e.import.stage);
      assert.ok(stages.includes('scanning'), `stages: ${stages.join(',')}`);
      assert.ok(stages.includes('reading'), `stages: ${stages.join(',')}`);
      const progressStages = new Set(c.log.events.flatMap((e) => (e.type === 'progress' ? [e.stage] : [])));
      assert.ok(progressStages.has('scanning') && progressStages.has('reading'));

      const summary = await api.imports.get({ id });
      assert.deepEqual(summary.counts, { pending: 0, indexed: 5, skipped: 1, failed: 1 });
      assert.equal(summary.problems.total, 2);
      const [broken, empty] = summary.problems.items;
      assert.equal(broken!.status, 'failed');
      assert.equal(broken!.title, 'broken.pdf');
      assert.ok(broken!.reason.length > 0);
      assert.equal(empty!.status, 'skipped');
      assert.equal(empty!.code, 'empty');
      // Each problem names its document.
      const detail = await api.documents.get({ id: broken!.id });
      assert.equal(detail.status, 'failed');
      assert.equal(detail.reason, broken!.reason);
      assert.deepEqual((await api.imports.list()).map((i) => i.id), [id]);

      // Fixed, and read again: one document as a new import, ending indexed.
      writeFileSync(join(dir, 'broken.pdf'), buildPdf({ pages: [['The repaired report about glaciers.']] }));
      const retried = await api.documents.retry({ id: broken!.id });
      assert.equal(retried.queued, 1);
      assert.notEqual(retried.importId, id);
      const again = await c.log.waitFor(importOf(retried.importId!, (i) => i.state === 'done'));
      assert.equal(again.import.origin, 'retry');
      assert.equal(again.import.filesDone, 1);
      assert.equal((await api.documents.get({ id: broken!.id })).status, 'indexed');
      assert.deepEqual((await api.imports.get({ id: retried.importId! })).counts, { pending: 0, indexed: 1, skipped: 0, failed: 0 });
      await rejects(api.documents.retry({ id: 999_999 }), 'not-found');
      await rejects(api.imports.get({ id: 999_999 }), 'not-found');

      // Finished imports are listed until cleared; their documents stay.
      assert.deepEqual(await api.imports.clear(), { removed: 2 });
      assert.deepEqual(await api.imports.list(), []);
      assert.equal((await api.library.status()).documents.indexed, 6);
    } finally {
      await c.close();
    }
  });

  test('pause holds the queued files across a restart; resume finishes them', async () => {
    const dbPath = join(tempDir(), 'library.db');
    const dir = notesFolder(60);
    const embedder = new GatedEmbedder();
    let c = await open(dbPath, embedder);
    let id: number;
    try {
      const { api } = c.client;
      id = (await api.library.add({ paths: [dir] })).importId!;
      await embedder.reached;
      const paused = await api.imports.pause({ id });
      assert.equal(paused.state, 'paused');
      await c.log.waitFor(importOf(id, (i) => i.state === 'paused'));
      embedder.release();
      await c.service.host.indexed();
      const held = (await api.imports.list()).find((i) => i.id === id)!;
      assert.equal(held.state, 'paused');
      assert.ok(held.filesDone > 0 && held.filesDone < 60, `read ${held.filesDone} of 60 before pausing`);
      assert.equal(held.filesTotal, 60);
      assert.equal((await api.library.status()).pendingJobs, 60 - held.filesDone);
      // Pausing twice is no change; an unknown import is not found.
      assert.equal((await api.imports.pause({ id })).state, 'paused');
      await rejects(api.imports.pause({ id: 999_999 }), 'not-found');
    } finally {
      await c.close();
    }

    // A new engine on the same library: still paused, and nothing is read.
    c = await open(dbPath, new FakeEmbedder(64, 'gated'));
    try {
      const { api } = c.client;
      await api.library.index();
      await c.service.host.indexed();
      const after = (await api.imports.list()).find((i) => i.id === id)!;
      assert.equal(after.state, 'paused');
      assert.ok(after.filesDone < 60);
      const resumed = await api.imports.resume({ id });
      assert.equal(resumed.state, 'running');
      const done = await c.log.waitFor(importOf(id, (i) => i.state === 'done'));
      assert.equal(done.import.filesDone, 60);
      assert.equal((await api.library.status()).documents.indexed, 60);
      await rejects(api.imports.resume({ id }), 'import-ended');
    } finally {
      await c.close();
    }
  });

  test("a paused source's queued files wait too, until it is resumed", async () => {
    const dir = notesFolder(40);
    const embedder = new GatedEmbedder();
    const c = await open(join(tempDir(), 'library.db'), embedder);
    try {
      const { api } = c.client;
      const id = (await api.library.add({ paths: [dir] })).importId!;
      await embedder.reached;
      const source = (await api.sources.list()).find((s) => s.uri === dir)!;
      assert.equal((await api.sources.pause({ sourceId: source.id })).state.state, 'paused');
      embedder.release();
      await c.service.host.indexed();
      const waiting = (await api.library.status()).pendingJobs;
      assert.ok(waiting > 0 && waiting < 40, `${waiting} files wait`);
      assert.equal((await api.imports.list())[0]!.stage, 'waiting');
      await api.sources.resume({ sourceId: source.id });
      await c.log.waitFor(importOf(id, (i) => i.state === 'done'));
      assert.equal((await api.library.status()).documents.indexed, 40);
    } finally {
      embedder.release();
      await c.close();
    }
  });

  test('cancel drops the files not read yet, counts them, and keeps what was read', async () => {
    const dir = notesFolder(60);
    const embedder = new GatedEmbedder();
    const c = await open(join(tempDir(), 'library.db'), embedder);
    try {
      const { api } = c.client;
      const id = (await api.library.add({ paths: [dir] })).importId!;
      await embedder.reached;
      const cancelled = await api.imports.cancel({ id });
      assert.equal(cancelled.state, 'cancelled');
      embedder.release();
      await c.service.host.indexed();
      const status = await api.library.status();
      assert.equal(status.pendingJobs, 0);
      const [ended] = await api.imports.list();
      assert.equal(ended!.state, 'cancelled');
      assert.ok(ended!.dropped > 0, 'files were dropped');
      // Files being read when it was cancelled were dropped too, never written.
      assert.equal(status.documents.indexed, ended!.filesDone);
      assert.equal(ended!.filesDone + ended!.dropped, 60);
      await rejects(api.imports.pause({ id }), 'import-ended');
      assert.equal((await api.imports.cancel({ id })).state, 'cancelled');
    } finally {
      embedder.release();
      await c.close();
    }
  });

  test("retry: an import's failures, or every failed document, as a new import; a mailbox message cannot be", async () => {
    const one = notesFolder(2);
    const other = join(tempDir(), 'other');
    mkdirSync(other);
    writeFileSync(join(one, 'a.pdf'), '%PDF-1.7\nbroken\n');
    writeFileSync(join(other, 'b.pdf'), '%PDF-1.7\nbroken too\n');
    const c = await open(join(tempDir(), 'library.db'));
    try {
      const { api } = c.client;
      const first = (await api.library.add({ paths: [one] })).importId!;
      await c.log.waitFor(importOf(first, (i) => i.state === 'done'));
      const second = (await api.library.add({ paths: [other] })).importId!;
      await c.log.waitFor(importOf(second, (i) => i.state === 'done'));
      assert.equal((await api.library.status()).documents.failed, 2);

      // The first import's failure only.
      const mine = await api.documents.retry({ importId: first });
      assert.equal(mine.queued, 1);
      const retried = await c.log.waitFor(importOf(mine.importId!, (i) => i.state === 'done'));
      assert.deepEqual(retried.import.paths, [join(one, 'a.pdf')]);
      assert.equal(retried.import.problems, 1, 'still broken, and said so again');

      // Every failed document in the library.
      writeFileSync(join(other, 'b.pdf'), buildPdf({ pages: [['Fixed at last.']] }));
      const all = await api.documents.retry({ allFailed: true });
      assert.equal(all.queued, 2);
      await c.log.waitFor(importOf(all.importId!, (i) => i.state === 'done'));
      assert.deepEqual((await api.imports.get({ id: all.importId! })).counts, { pending: 0, indexed: 1, skipped: 0, failed: 1 });
      assert.equal((await api.library.status()).documents.failed, 1);

      // An import with no failures: nothing to read again, no import.
      const clean = (await api.library.add({ paths: [notesFolder(1)] })).importId!;
      await c.log.waitFor(importOf(clean, (i) => i.state === 'done'));
      assert.deepEqual(await api.documents.retry({ importId: clean }), { queued: 0, importId: null, notRetried: 0 });
      await rejects(api.documents.retry({ importId: 999_999 }), 'not-found');

      // A message from a mailbox is read again when the server changes it, not on request.
      const { library } = c.service.host.engine;
      const mailbox = library.sources.ensure('mailbox', 'imap://me@mail.example', 'me@mail.example');
      const message = library.documents.upsert({
        sourceId: mailbox.id, parentId: null, uri: 'imap://me@mail.example/INBOX/7', path: 'INBOX', kind: 'email', title: 'Hello', mime: 'message/rfc822',
        size: 10, mtime: null, contentHash: null, status: 'failed', errorCode: 'damaged', reason: 'Broken message', metadata: {}, date: null, sender: null, recipients: null,
      });
      await rejects(api.documents.retry({ id: message }), 'reindex-unsupported');
      const everything = await api.documents.retry({ allFailed: true });
      assert.equal(everything.queued, 1, 'a.pdf, still failed');
      assert.equal(everything.notRetried, 1, 'the message');
      await c.log.waitFor(indexingDone);
    } finally {
      await c.close();
    }
  });
});
