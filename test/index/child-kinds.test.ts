// Documents inside a file (an email's attachments) get the kind their own content has, whether
// they were read or not: an attached PDF is a file even when it is broken.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../app/engine.ts';
import { tempDir } from '../support/corpus.ts';

function part(name: string, type: string, body: string, encoding = '7bit'): string {
  return [
    '--b1', `Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`,
    `Content-Transfer-Encoding: ${encoding}`, '', body,
  ].join('\r\n');
}

test('attachments that failed or were skipped have the kind of their content, like the ones read', async () => {
  const dir = tempDir();
  const forwarded = 'From: carol@example.com\r\nSubject: Forwarded note\r\n\r\nThe forwarded body.\r\n';
  writeFileSync(
    join(dir, 'with-attachments.eml'),
    [
      'From: alice@example.com', 'To: bob@example.com', 'Subject: Files', 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"', '',
      '--b1', 'Content-Type: text/plain', '', 'See the attachments.',
      part('notes.txt', 'text/plain', 'Readable notes about the harbour.'),
      part('broken.pdf', 'application/pdf', Buffer.from('%PDF-1.7\nnot really a pdf').toString('base64'), 'base64'),
      part('empty.txt', 'text/plain', ''),
      part('forwarded.eml', 'message/rfc822', forwarded),
      part('image.png', 'image/png', Buffer.from('\x89PNG\r\n\x1a\n\0\0\0').toString('base64'), 'base64'),
      '--b1--', '',
    ].join('\r\n'),
  );
  const engine = await Engine.open({ dbPath: join(tempDir(), 'library.db'), embedder: null });
  try {
    engine.add([dir]);
    await engine.index();
    const rows = engine.library.db
      .prepare('SELECT title, kind, status FROM documents WHERE parent_id IS NOT NULL ORDER BY title')
      .all() as { title: string; kind: string; status: string }[];
    const byTitle = new Map(rows.map((r) => [r.title, r]));
    assert.deepEqual(byTitle.get('notes.txt'), { title: 'notes.txt', kind: 'file', status: 'indexed' });
    assert.deepEqual(byTitle.get('broken.pdf'), { title: 'broken.pdf', kind: 'file', status: 'failed' });
    // Images are read (for OCR) since issue 13: this one, cut after its signature, is damaged.
    assert.deepEqual(byTitle.get('image.png'), { title: 'image.png', kind: 'file', status: 'failed' });
    assert.equal(byTitle.get('Forwarded note')?.kind, 'email');
    assert.deepEqual(byTitle.get('empty.txt'), { title: 'empty.txt', kind: 'file', status: 'skipped' });
  } finally {
    await engine.close();
  }
});
