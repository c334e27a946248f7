import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ExtractorPool, type FileExtraction } from '../../app/extract/index.ts';
import { buildDocx } from '../fixtures/docx.ts';
import { buildPdf } from '../fixtures/pdf.ts';

const misbehaving = new URL('../fixtures/misbehaving-worker.ts', import.meta.url);
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-extract-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function assertProblem(result: FileExtraction, status: 'failed' | 'skipped', code: string): string {
  assert.ok(!result.ok, `expected ${status}/${code}, got ok`);
  assert.equal(`${result.status}/${result.code}`, `${status}/${code}`, result.reason);
  assert.ok(result.reason.length > 0);
  return result.reason;
}

test('a file is read and extracted in a worker, with its sha256 and size', async () => {
  const pool = new ExtractorPool();
  try {
    const content = '# Notes\n\nRemember the milk.\n';
    const result = await pool.extractFile(await file('notes.md', content));
    assert.ok(result.ok);
    assert.equal(result.hash, sha256(content));
    assert.equal(result.size, Buffer.byteLength(content));
    assert.deepEqual(result.doc.sections, [{ text: 'Notes\n\nRemember the milk.', headingPath: ['Notes'] }]);
  } finally {
    await pool.close();
  }
});

test('bad files: empty, too large, missing, unreadable, truncated DOCX, garbage PDF', async (t) => {
  const pool = new ExtractorPool({ limits: { maxBytes: 1000 } });
  try {
    const empty = await pool.extractFile(await file('empty.txt', ''));
    assertProblem(empty, 'skipped', 'empty');
    assert.deepEqual([empty.hash, empty.size], [null, 0]);

    const large = await pool.extractFile(await file('large.txt', 'x'.repeat(5000)));
    assert.equal(assertProblem(large, 'skipped', 'too-large'), 'File is larger than the 1000 bytes limit (5 KB)');
    assert.deepEqual([large.hash, large.size], [null, 5000]);

    const missing = await pool.extractFile(join(dir, 'no-such-file.pdf'));
    assertProblem(missing, 'failed', 'vanished');
    assert.equal(missing.hash, null);

    // A folder is unreadable as a file for every user, root included.
    assert.equal(assertProblem(await pool.extractFile(dir), 'failed', 'unreadable'), 'Path is a folder, not a file');

    // Mode 000 stops everyone but root, and these tests may run as root (CI containers do):
    // then the file stays readable, which is asserted, and the folder case above stands in.
    const locked = await file('locked.txt', 'secret');
    await chmod(locked, 0o000);
    const readableAnyway = await readFile(locked).then(() => true, () => false);
    const lockedResult = await pool.extractFile(locked);
    if (readableAnyway) {
      t.diagnostic('running as root: mode 000 does not stop reading; the folder case covers unreadable');
      assert.ok(lockedResult.ok);
    } else {
      assert.equal(assertProblem(lockedResult, 'failed', 'unreadable'), 'Permission denied');
    }

    const docx = buildDocx([{ heading: 1, text: 'Plan' }, { paragraph: 'Body text.' }]);
    const truncated = await pool.extractFile(await file('cut.docx', docx.subarray(0, docx.length - 40)));
    assert.match(assertProblem(truncated, 'failed', 'damaged'), /^DOCX file is damaged: /);
    assert.equal(truncated.hash, sha256(docx.subarray(0, docx.length - 40)));

    const garbage = await pool.extractFile(await file('garbage.pdf', new Uint8Array(600).map((_, i) => (i * 7919) % 251)));
    assert.match(assertProblem(garbage, 'failed', 'damaged'), /^PDF file is damaged: /);
  } finally {
    await pool.close();
  }
});

test('a reader that hangs is stopped at the time limit; the next file in the same pool extracts fine', async () => {
  const pool = new ExtractorPool({ workerScript: misbehaving, limits: { timeoutMs: 2000 } });
  try {
    const hanging = await file('forever.hang', 'spin');
    const next = await file('after-hang.txt', 'still works');
    // Submitted together: the second waits in the queue behind the hung one.
    const [hung, fine] = await Promise.all([pool.extractFile(hanging), pool.extractFile(next)]);
    assert.equal(assertProblem(hung, 'failed', 'timeout'), 'Extraction took longer than 2000 ms and was stopped');
    assert.equal(hung.hash, sha256('spin'), 'the hash is known: the bytes were read before the reader hung');
    assert.ok(fine.ok, fine.ok ? '' : fine.reason);
    assert.equal(fine.doc.sections[0]!.text, 'still works');
  } finally {
    await pool.close();
  }
});

test('a worker that runs out of memory, throws or exits costs only its own file', async () => {
  const pool = new ExtractorPool({ workerScript: misbehaving, memoryLimitMb: 64, limits: { timeoutMs: 30_000 } });
  try {
    const oom = await pool.extractFile(await file('big.oom', 'x'));
    assert.equal(assertProblem(oom, 'failed', 'damaged'), 'Extraction ran out of memory (limit 64 MB)');
    const fine = await pool.extractFile(await file('after-oom.txt', 'fine after oom'));
    assert.ok(fine.ok);

    const crash = await pool.extractFile(await file('bad.crash', 'x'));
    assert.equal(assertProblem(crash, 'failed', 'damaged'), 'Extraction crashed: reader blew up');
    const exit = await pool.extractFile(await file('bad.exit', 'x'));
    assert.equal(assertProblem(exit, 'failed', 'damaged'), 'Extraction stopped unexpectedly (exit code 3)');
    const again = await pool.extractFile(await file('after-crash.txt', 'fine after crash'));
    assert.ok(again.ok && again.doc.sections[0]!.text === 'fine after crash');
  } finally {
    await pool.close();
  }
});

test('jobs queue when all workers are busy, and each gets its own result', async () => {
  const pool = new ExtractorPool({ workers: 2 });
  try {
    const paths = await Promise.all(
      Array.from({ length: 6 }, (_, i) => file(`page-${i}.pdf`, buildPdf({ pages: [[`Document number ${i}`]] }))),
    );
    const results = await Promise.all(paths.map((p) => pool.extractFile(p)));
    results.forEach((result, i) => {
      assert.ok(result.ok, result.ok ? '' : result.reason);
      assert.equal(result.doc.sections[0]!.text, `Document number ${i}`);
    });
  } finally {
    await pool.close();
  }
});

test('children go to a worker with their bytes moved, not copied; results come back with their own', async () => {
  const pool = new ExtractorPool();
  try {
    const inner = 'From: a@example.com\nSubject: Inner\n\nInner body\n';
    const raw = [
      'From: b@example.com', 'Subject: Outer', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '',
      '--b', 'Content-Type: text/plain', '', 'outer body',
      '--b', 'Content-Type: message/rfc822', 'Content-Disposition: attachment', '', inner,
      '--b', 'Content-Type: text/plain; name="notes.txt"', 'Content-Disposition: attachment; filename="notes.txt"', '', 'attached notes',
      '--b--', '',
    ].join('\n');
    const outer = await pool.extractFile(await file('outer.eml', raw));
    assert.ok(outer.ok);
    assert.equal(outer.doc.children.length, 2);

    const child = outer.doc.children[0]!;
    const childHash = sha256(child.bytes);
    const size = child.bytes.byteLength;
    const extracted = await pool.extractChild(child);
    assert.equal(child.bytes.byteLength, 0, 'the bytes were transferred to the worker');
    assert.ok(extracted.ok && extracted.doc.title === 'Inner');
    assert.deepEqual([extracted.hash, extracted.size], [childHash, size]);

    const notes = await pool.extractChild(outer.doc.children[1]!);
    assert.ok(notes.ok && notes.doc.sections[0]!.text.trim() === 'attached notes');

    // A view into a larger buffer cannot be transferred whole: it is copied, the caller's left as is.
    const big = new TextEncoder().encode('prefix|the child text|suffix');
    const view = big.subarray(7, 21);
    const viewed = await pool.extractChild({ key: 'k', name: 'part.txt', bytes: view });
    assert.ok(viewed.ok && viewed.doc.sections[0]!.text === 'the child text');
    assert.equal(view.byteLength, 14);
  } finally {
    await pool.close();
  }
});

test('close() rejects queued jobs and later calls with a CairnError', async () => {
  const pool = new ExtractorPool({ workerScript: misbehaving, limits: { timeoutMs: 60_000 } });
  const running = assert.rejects(pool.extractFile(await file('stuck.hang', 'x')), { name: 'CairnError', code: 'extract-pool-closed' });
  const queued = assert.rejects(pool.extractFile(await file('waiting.txt', 'x')), { name: 'CairnError', code: 'extract-pool-closed' });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await pool.close();
  await Promise.all([running, queued]);
  await assert.rejects(pool.extractFile(join(dir, 'any.txt')), { code: 'extract-pool-closed' });
});
