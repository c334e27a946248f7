import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractBytes, type ExtractedDocument } from '../../app/extract/index.ts';

async function markdown(text: string, name = 'guide.md'): Promise<ExtractedDocument> {
  const result = await extractBytes({ bytes: new TextEncoder().encode(text), name });
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.doc;
}

test('sections split at headings carry their heading path, heading text kept', async () => {
  const doc = await markdown([
    'Intro before any heading.',
    '',
    '# Guide',
    '',
    'Welcome.',
    '',
    '## Install',
    '',
    'Run the installer.',
    '',
    '### On Linux',
    '',
    'Use the tarball.',
    '',
    '## Use',
    '',
    'Open it.',
    '',
    '# Reference',
    'Details.',
  ].join('\n'));
  assert.equal(doc.title, 'Guide');
  assert.equal(doc.mime, 'text/markdown');
  assert.deepEqual(doc.sections.map((s) => s.headingPath), [
    [],
    ['Guide'],
    ['Guide', 'Install'],
    ['Guide', 'Install', 'On Linux'],
    ['Guide', 'Use'],
    ['Reference'],
  ]);
  assert.equal(doc.sections[2]!.text, 'Install\n\nRun the installer.');
  assert.equal(doc.sections[0]!.text, 'Intro before any heading.');
});

test('setext headings, closing hashes, and # inside fenced code', async () => {
  const doc = await markdown([
    'Title Here',
    '==========',
    '',
    'Text.',
    '',
    'Part Two',
    '--------',
    '',
    '```sh',
    '# not a heading, a shell comment',
    'echo hi',
    '```',
    '',
    '~~~~',
    '## still code',
    '```',
    '~~~~',
    '',
    '## Closed ##',
    'After.',
  ].join('\n'));
  assert.equal(doc.title, 'Title Here');
  assert.deepEqual(doc.sections.map((s) => s.headingPath), [['Title Here'], ['Title Here', 'Part Two'], ['Title Here', 'Closed']]);
  assert.match(doc.sections[1]!.text, /# not a heading, a shell comment\necho hi/);
  assert.match(doc.sections[1]!.text, /## still code/);
});

test('a thematic break after a blank line and a list item before dashes are not headings', async () => {
  const doc = await markdown('# Top\n\npara\n\n---\n\n- item\n---\nend\n');
  assert.deepEqual(doc.sections.map((s) => s.headingPath), [['Top']]);
  assert.match(doc.sections[0]!.text, /- item\n---\nend/);
});

test('front matter gives the title and is left out of the text', async () => {
  const doc = await markdown('---\ntitle: "Release Notes"\ntags: [a, b]\n---\n# 1.0\n\nFirst release.\n');
  assert.equal(doc.title, 'Release Notes');
  assert.equal(doc.sections.length, 1);
  assert.doesNotMatch(doc.sections[0]!.text, /tags:/);
});

test('without an H1 the title is the file name; a heading with only subheadings under it is not a section', async () => {
  const doc = await markdown('## A\n### B\nText under B.\n', 'docs/notes.markdown');
  assert.equal(doc.title, 'notes.markdown');
  assert.deepEqual(doc.sections, [{ text: 'B\nText under B.', headingPath: ['A', 'B'] }]);
});

test('Chinese and Japanese Markdown round-trips with CJK headings', async () => {
  const doc = await markdown('# 使用指南\n\n这是中文说明。\n\n## インストール\n\n日本語の手順です。\n');
  assert.equal(doc.title, '使用指南');
  assert.deepEqual(doc.sections, [
    { text: '使用指南\n\n这是中文说明。', headingPath: ['使用指南'] },
    { text: 'インストール\n\n日本語の手順です。', headingPath: ['使用指南', 'インストール'] },
  ]);
});
