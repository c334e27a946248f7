import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractBytes, type ExtractedDocument } from '../../app/extract/index.ts';

async function html(source: string | Uint8Array, name = 'page.html'): Promise<ExtractedDocument> {
  const bytes = typeof source === 'string' ? new TextEncoder().encode(source) : source;
  const result = await extractBytes({ bytes, name });
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.doc;
}

const para = (topic: string) =>
  `<p>${topic} is described here in enough words for a reader view to take this block for the main ` +
  `content of the page: it explains what the feature does, when to use it and what to expect from it, ` +
  `with a few sentences more than a navigation link or a footer would ever have.</p>`;

const article = `<!doctype html><html><head><title>Cairn Handbook</title>
<style>.hidden { display: none }</style><script>var tracker = 'SCRIPT_TEXT';</script></head>
<body><nav><a href="/">Home</a> <a href="/about">About</a> NAV_JUNK</nav>
<article><h1>Cairn Handbook</h1>${para('Cairn')}
<h2>Installing</h2>${para('Installing')}
<h3>On Linux</h3>${para('The Linux package')}
<table><tr><th>Platform</th><th>Package</th></tr><tr><td>Linux</td><td>AppImage</td></tr></table>
<h2>Searching</h2>${para('Searching')}</article>
<footer>FOOTER_JUNK</footer><script>console.log('SCRIPT_TWO')</script></body></html>`;

test('readable text only: no scripts, styles or navigation; headings become heading paths', async () => {
  const doc = await html(article);
  const text = doc.sections.map((s) => s.text).join('\n');
  assert.equal(doc.title, 'Cairn Handbook');
  assert.equal(doc.mime, 'text/html');
  for (const junk of ['SCRIPT_TEXT', 'SCRIPT_TWO', 'NAV_JUNK', 'FOOTER_JUNK', 'display: none']) assert.ok(!text.includes(junk), junk);
  const paths = doc.sections.map((s) => s.headingPath.join(' > '));
  assert.ok(paths.includes('Installing'), paths.join(' | '));
  assert.ok(paths.includes('Installing > On Linux'), paths.join(' | '));
  assert.ok(paths.includes('Searching'), paths.join(' | '));
  const linux = doc.sections.find((s) => s.headingPath.at(-1) === 'On Linux')!;
  assert.match(linux.text, /^On Linux\n/);
  assert.match(linux.text, /Platform \| Package\nLinux \| AppImage/);
});

test('a page Readability finds no article in falls back to the whole body, still without scripts', async () => {
  const doc = await html('<html><body><div>Short note</div><script>alert("SCRIPT")</script><ul><li>one</li><li>two</li></ul></body></html>', 'note.htm');
  assert.equal(doc.title, 'note.htm');
  const text = doc.sections.map((s) => s.text).join('\n');
  assert.match(text, /Short note/);
  assert.match(text, /- one\n- two/);
  assert.doesNotMatch(text, /SCRIPT/);
});

test('title falls back to the first h1 when there is no <title>', async () => {
  const doc = await html('<html><body><h1>Meeting notes</h1><p>Agreed to ship.</p></body></html>');
  assert.equal(doc.title, 'Meeting notes');
});

test('a <meta charset> is honoured (Shift_JIS bytes)', async () => {
  // "日本" in Shift_JIS: 93 FA 96 7B.
  const bytes = Buffer.concat([
    Buffer.from('<html><head><meta charset="shift_jis"><title>'),
    Buffer.from([0x93, 0xfa, 0x96, 0x7b]),
    Buffer.from('</title></head><body><p>'),
    Buffer.from([0x93, 0xfa, 0x96, 0x7b]),
    Buffer.from('</p></body></html>'),
  ]);
  const doc = await html(new Uint8Array(bytes));
  assert.equal(doc.title, '日本');
  assert.match(doc.sections[0]!.text, /日本/);
});

test('a page with no text at all is skipped as no-text', async () => {
  const result = await extractBytes({ bytes: new TextEncoder().encode('<html><body><img src="a.png"><script>x()</script></body></html>'), name: 'i.html' });
  assert.ok(!result.ok);
  assert.equal(result.code, 'no-text');
});
