import assert from 'node:assert/strict';
import { test } from 'node:test';
import { terminalLine, terminalText } from '../../app/cli/terminal-text.ts';

test('a line from the library shows control codes, bidi overrides and line breaks escaped', () => {
  // Window title (OSC ... BEL), clear screen (CSI), colour, and an 8-bit CSI (C1).
  assert.equal(terminalLine('a\x1b]0;owned\x07b'), 'a\\x1b]0;owned\\x07b');
  assert.equal(terminalLine('\x1b[2J\x1b[31mred\x1b[0m'), '\\x1b[2J\\x1b[31mred\\x1b[0m');
  assert.equal(terminalLine('x\x9b31my'), 'x\\x9b31my');
  assert.equal(terminalLine('nul\x00 del\x7f bs\x08'), 'nul\\x00 del\\x7f bs\\x08');
  // A second line that would look like the CLI's own, a carriage return that overwrites, a tab.
  assert.equal(terminalLine('title\nFAKE 2. line\rover\ttab'), 'title\\nFAKE 2. line\\rover\\ttab');
  // Bidi embeddings, overrides and isolates, and the Unicode line and paragraph separators.
  assert.equal(terminalLine('invoice\u202egpj.exe'), 'invoice\\u202egpj.exe');
  for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u2066', '\u2067', '\u2068', '\u2069', '\u2028', '\u2029']) {
    assert.equal(terminalLine(`a${c}b`), `a\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}b`);
  }
});

test('ordinary text, right-to-left scripts with their marks, emoji and Windows paths pass unchanged', () => {
  for (const text of ['Café 中文 日本語', 'שלום\u200f עולם', 'مرحبا\u200e', 'pic 🙂 ok', 'C:\\Users\\ana\\notes.md', '']) {
    assert.equal(terminalLine(text), text);
    assert.equal(terminalText(text), text);
  }
});

test('multi-line text keeps its line breaks and tabs and nothing else', () => {
  assert.equal(terminalText('one\r\ntwo\n\tthree'), 'one\ntwo\n\tthree');
  assert.equal(terminalText('a\x1b[2Jb\rc\u202ed\u2028e'), 'a\\x1b[2Jb\\rc\\u202ed\\u2028e');
});
