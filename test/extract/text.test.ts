import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractBytes, type ExtractResult } from '../../app/extract/index.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

function textOf(result: ExtractResult): string {
  assert.ok(result.ok, result.ok ? '' : `expected ok, got ${result.code}: ${result.reason}`);
  return result.doc.sections.map((s) => s.text).join('\n');
}

test('UTF-8 Chinese and Japanese text round-trips, title is the file name', async () => {
  const text = '中文文本：知识库。\n日本語のテキスト、ひらがなとカタカナ。\n';
  const result = await extractBytes({ bytes: utf8(text), name: '/notes/多语言.txt' });
  assert.equal(textOf(result), text);
  assert.ok(result.ok);
  assert.equal(result.doc.title, '多语言.txt');
  assert.equal(result.doc.kind, 'file');
  assert.equal(result.doc.metadata.encoding, 'utf-8');
});

test('byte-order marks choose UTF-16LE, UTF-16BE and UTF-8 and are stripped', async () => {
  const text = 'Grüße, 世界';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const be = Buffer.from(le.subarray(2)).swap16();
  const cases: Array<[string, Uint8Array]> = [
    ['utf-16le', le],
    ['utf-16be', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
    ['utf-8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
  ];
  for (const [encoding, bytes] of cases) {
    const result = await extractBytes({ bytes: new Uint8Array(bytes), name: 'bom.txt' });
    assert.equal(textOf(result), text, encoding);
    assert.ok(result.ok);
    assert.equal(result.doc.metadata.encoding, encoding);
  }
});

test('invalid UTF-8 falls back to windows-1252', async () => {
  // "café – €5" in windows-1252: é = E9, en dash = 96, euro = 80.
  const bytes = Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x96, 0x20, 0x80, 0x35]);
  const result = await extractBytes({ bytes, name: 'legacy.txt' });
  assert.equal(textOf(result), 'café – €5');
  assert.ok(result.ok);
  assert.equal(result.doc.metadata.encoding, 'windows-1252');
});

test('source code is read as text, CRLF normalised', async () => {
  const result = await extractBytes({ bytes: utf8('def main():\r\n    # a comment\r\n    return 42\r\n'), name: 'tool.py' });
  assert.equal(textOf(result), 'def main():\n    # a comment\n    return 42\n');
  assert.ok(result.ok);
  assert.deepEqual(result.doc.sections[0]!.headingPath, []);
});

test('unknown extension: text-like content is read, binary content is skipped', async () => {
  const text = await extractBytes({ bytes: utf8('key = value\n'), name: 'settings.whatever' });
  assert.equal(textOf(text), 'key = value\n');

  const binary = new Uint8Array(256).map((_, i) => i);
  const result = await extractBytes({ bytes: binary, name: 'blob.dat' });
  assert.deepEqual(result, { ok: false, status: 'skipped', code: 'unsupported', reason: 'Binary file of unknown type' });
});

test('binary formats no reader takes and legacy .doc are unsupported with a reason that says so', async () => {
  const gzip = Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03, 0xff, 0xfe]);
  const archive = await extractBytes({ bytes: gzip, name: 'backup.bin' });
  assert.ok(!archive.ok && archive.status === 'skipped' && archive.code === 'unsupported');
  assert.match(archive.reason, /gzip/);

  const doc = await extractBytes({ bytes: Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), name: 'old.doc' });
  assert.ok(!doc.ok && doc.code === 'unsupported');
  assert.match(doc.reason, /only \.docx/);
});

test('empty and whitespace-only input is skipped as empty', async () => {
  assert.deepEqual(await extractBytes({ bytes: new Uint8Array(0), name: 'a.txt' }), {
    ok: false, status: 'skipped', code: 'empty', reason: 'File is empty',
  });
  const blank = await extractBytes({ bytes: utf8(' \n\t\n'), name: 'a.txt' });
  assert.ok(!blank.ok && blank.code === 'empty');
});

test('a .txt file holding an email or an mbox is read as one (content sniffing)', async () => {
  const mail = await extractBytes({ bytes: utf8('From: a@example.com\nTo: b@example.com\nSubject: Saved\n\nHello\n'), name: 'saved.txt' });
  assert.ok(mail.ok);
  assert.equal(mail.doc.kind, 'email');
  assert.equal(mail.doc.title, 'Saved');

  const mbox = await extractBytes({ bytes: utf8('From a@example.com Mon Jan  1 00:00:00 2024\nSubject: One\n\nBody\n'), name: 'box.txt' });
  assert.ok(mbox.ok);
  assert.equal(mbox.doc.children.length, 1);
});

test('the mime type chooses the reader when the name says nothing', async () => {
  const result = await extractBytes({ bytes: utf8('# Heading\n\nBody'), name: 'attachment-1', mime: 'text/markdown; charset=utf-8' });
  assert.ok(result.ok);
  assert.deepEqual(result.doc.sections[0]!.headingPath, ['Heading']);
});

test('text that merely starts like a magic number, or mentions %PDF- further in, is still text', async () => {
  const mz = await extractBytes({ bytes: utf8('MZ is the prefix of DOS executables.\n'), name: 'notes' });
  assert.equal(textOf(mz), 'MZ is the prefix of DOS executables.\n');
  const aboutPdf = `${'Notes on file formats. '.repeat(60)}\nA PDF starts with %PDF-1.7 on its first line.\n`;
  assert.equal(textOf(await extractBytes({ bytes: utf8(aboutPdf), name: 'formats.txt' })), aboutPdf);
});

test('legacy East Asian text without a BOM is recognised by its script and decoded intact', async () => {
  // Bytes as each encoding writes them (produced once with Python's codecs).
  const samples: [string, string, number[]][] = [
    ['shift_jis', '東京都に住んでいます。今日は良い天気です。', [147, 140, 139, 158, 147, 115, 130, 201, 143, 90, 130, 241, 130, 197, 130, 162, 130, 220, 130, 183, 129, 66, 141, 161, 147, 250, 130, 205, 151, 199, 130, 162, 147, 86, 139, 67, 130, 197, 130, 183, 129, 66]],
    ['euc-jp', '京都へ旅行に行きました。楽しかったです。', [181, 254, 197, 212, 164, 216, 206, 185, 185, 212, 164, 203, 185, 212, 164, 173, 164, 222, 164, 183, 164, 191, 161, 163, 179, 218, 164, 183, 164, 171, 164, 195, 164, 191, 164, 199, 164, 185, 161, 163]],
    ['gb18030', '我们正在学习中文。机器学习是人工智能的分支。', [206, 210, 195, 199, 213, 253, 212, 218, 209, 167, 207, 176, 214, 208, 206, 196, 161, 163, 187, 250, 198, 247, 209, 167, 207, 176, 202, 199, 200, 203, 185, 164, 214, 199, 196, 220, 181, 196, 183, 214, 214, 167, 161, 163]],
    ['big5', '我們正在學習中文。機器學習是人工智慧。', [167, 218, 173, 204, 165, 191, 166, 98, 190, 199, 178, 223, 164, 164, 164, 229, 161, 67, 190, 247, 190, 185, 190, 199, 178, 223, 172, 79, 164, 72, 164, 117, 180, 188, 188, 122, 161, 67]],
    ['euc-kr', '안녕하세요. 저는 한국어를 공부합니다.', [190, 200, 179, 231, 199, 207, 188, 188, 191, 228, 46, 32, 192, 250, 180, 194, 32, 199, 209, 177, 185, 190, 238, 184, 166, 32, 176, 248, 186, 206, 199, 213, 180, 207, 180, 217, 46]],
  ];
  for (const [encoding, text, bytes] of samples) {
    const result = await extractBytes({ bytes: Uint8Array.from(bytes), name: 'notes.txt' });
    assert.ok(result.ok, encoding);
    assert.equal(result.doc.sections.map((s) => s.text).join(''), text, encoding);
    assert.equal(result.doc.metadata.encoding, encoding);
  }
});
