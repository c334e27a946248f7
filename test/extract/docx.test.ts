import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractBytes } from '../../app/extract/index.ts';
import { buildDocx } from '../fixtures/docx.ts';

test('headings become heading paths; paragraphs and table cells are text', async () => {
  const bytes = buildDocx([
    { paragraph: 'Draft, do not circulate.' },
    { heading: 1, text: 'Project Plan' },
    { paragraph: 'Goals for the year.' },
    { heading: 2, text: 'Budget' },
    { table: [['Item', 'Cost'], ['Servers', '1200 €'], ['Licences', '300 €']] },
    { heading: 2, text: '日程' },
    { paragraph: '第一季度完成。' },
  ]);
  const result = await extractBytes({ bytes, name: 'plan.docx' });
  assert.ok(result.ok, result.ok ? '' : result.reason);
  const { doc } = result;
  assert.equal(doc.title, 'Project Plan');
  assert.equal(doc.mime, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  assert.deepEqual(doc.sections, [
    { text: 'Draft, do not circulate.', headingPath: [] },
    { text: 'Project Plan\n\nGoals for the year.', headingPath: ['Project Plan'] },
    { text: 'Budget\n\nItem | Cost\nServers | 1200 €\nLicences | 300 €', headingPath: ['Project Plan', 'Budget'] },
    { text: '日程\n\n第一季度完成。', headingPath: ['Project Plan', '日程'] },
  ]);
});

test('without headings the title is the file name', async () => {
  const result = await extractBytes({ bytes: buildDocx([{ paragraph: 'Just a note.' }]), name: 'C:\\Users\\me\\note.docx' });
  assert.ok(result.ok);
  assert.equal(result.doc.title, 'note.docx');
});

test('a truncated or corrupt .docx fails as damaged with the parser\'s message', async () => {
  const bytes = buildDocx([{ heading: 1, text: 'Title' }, { paragraph: 'Body' }]);
  const truncated = await extractBytes({ bytes: bytes.subarray(0, Math.floor(bytes.length * 0.6)), name: 'cut.docx' });
  assert.ok(!truncated.ok && truncated.status === 'failed' && truncated.code === 'damaged', JSON.stringify(truncated));
  assert.match(truncated.reason, /^DOCX file is damaged: .+/);

  const garbage = await extractBytes({ bytes: new TextEncoder().encode('not a zip'), name: 'fake.docx' });
  assert.ok(!garbage.ok && garbage.code === 'damaged');
});

test('a zip without word/document.xml named .docx is damaged; found by content, a .docx needs no extension', async () => {
  const { zip } = await import('../fixtures/zip.ts');
  const notWord = await extractBytes({ bytes: zip({ 'readme.txt': 'hi' }), name: 'odd.docx' });
  assert.ok(!notWord.ok && notWord.code === 'damaged', JSON.stringify(notWord));

  const sniffed = await extractBytes({ bytes: buildDocx([{ paragraph: 'Found by content.' }]), name: 'download' });
  assert.ok(sniffed.ok);
  assert.equal(sniffed.doc.sections[0]!.text, 'Found by content.');
});

test('an OLE container named .docx: encrypted when it holds an EncryptedPackage, else legacy .doc', async () => {
  const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
  const encrypted = await extractBytes({ bytes: new Uint8Array(Buffer.concat([ole, Buffer.from('EncryptedPackage', 'utf16le')])), name: 'secret.docx' });
  assert.deepEqual(encrypted, { ok: false, status: 'failed', code: 'encrypted', reason: 'DOCX is password-protected' });
  const legacy = await extractBytes({ bytes: new Uint8Array(ole), name: 'renamed.docx' });
  assert.ok(!legacy.ok && legacy.code === 'unsupported');
});
