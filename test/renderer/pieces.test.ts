// The renderer's plain logic: rates and time left from progress samples, and Markdown split into
// blocks for streaming (a block never cuts fenced code or a list item's continuation), reasons
// in plain words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitBlocks } from '../../renderer/src/components/markdown-blocks.ts';
import { createTranslator, LOCALES } from '../../renderer/src/i18n/format.ts';
import { etaSeconds, RateMeter } from '../../renderer/src/state/rate.ts';
import { plainReason } from '../../renderer/src/views/library/reasons.ts';

test('a rate meter smooths samples and starts over when counting does', () => {
  const meter = new RateMeter(5);
  assert.equal(meter.sample(0, 0), null);
  assert.equal(meter.sample(10, 1000), 10);
  const smoothed = meter.sample(40, 2000)!;
  assert.ok(smoothed > 10 && smoothed < 30, `between the old and new pace: ${smoothed}`);
  assert.equal(meter.sample(5, 3000), null, 'a new run: no rate until a second sample');
  assert.equal(etaSeconds(50, 100, 10), 5);
  assert.equal(etaSeconds(50, null, 10), null, 'no total: no time left, never NaN');
  assert.equal(etaSeconds(50, 100, 0), null);
  assert.equal(etaSeconds(100, 100, 10), null);
});

test('Markdown splits into blocks at blank lines, not inside code or list items', () => {
  assert.deepEqual(splitBlocks('# Title\n\nOne [1].\n\nTwo.'), ['# Title\n', 'One [1].\n', 'Two.']);
  const code = '```js\nconst a = 1;\n\nconst b = 2;\n```';
  assert.deepEqual(splitBlocks(`Before.\n\n${code}\n\nAfter.`), ['Before.\n', `${code}\n`, 'After.']);
  assert.deepEqual(splitBlocks('- item\n\n  more of it\n\n- next'), ['- item\n\n  more of it\n', '- next']);
  // Joined again, the blocks are the text.
  const text = 'a\n\nb\n\n```\nx\n\ny\n```\n\nc';
  assert.equal(splitBlocks(text).join('\n'), text);
});

test('a reason code the engine gives is a plain sentence in each language, and an unknown one falls back on the status', () => {
  for (const locale of LOCALES) {
    const tr = createTranslator(locale);
    const off = plainReason(tr, 'skipped', 'ocr-off');
    assert.notEqual(off, plainReason(tr, 'skipped', 'no-text'), 'waiting for OCR that is off says so, not just "no text"');
    assert.equal(off, tr.t('reason.ocr-off'));
    assert.equal(plainReason(tr, 'failed', 'not-a-code'), tr.t('reason.failed'));
  }
});
