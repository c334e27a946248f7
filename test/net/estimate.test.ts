// The token estimate for models behind a server errs high: checked against a real tokenizer,
// Llama 2's (32k vocabulary, numbers digit by digit, byte pieces for rare characters: the least
// thrifty still served), from the shared tiny model's vocabulary.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { getLlamaRuntime } from '../../native/llama.ts';
import { estimateServerTokens } from '../../app/net/index.ts';
import { modelsDir, requireShared } from '../support/shared.ts';

const texts: Record<string, string> = {
  prose: 'The contract may be terminated with thirty days notice by either party, provided that all outstanding invoices have been paid.',
  numbers: 'Invoice 2026-0412: 14 x 129.95 = 1819.30; VAT 19% 345.67; total 2164.97 (IBAN DE89370400440532013000)',
  table: '| 2021 | 1,234,567 | 8.91% |\n| 2022 | 2,345,678 | 9.12% |\n| 2023 | 3,456,789 | 10.45% |',
  code: 'function f(a,b){return a.map((x,i)=>x*b[i]).reduce((s,v)=>s+v,0);}\nconst xs=[1,2,3];if(xs.length>2){console.log(f(xs,xs));}',
  address: 'https://example.com/a/b/c?x=1&y=2#frag and mailto:alice.smith@example.org',
  email: 'From: Alice Smith <alice@example.com>\nDate: Mon, 02 Nov 2026 10:00:00 +0000\nSubject: Invoice for October\n\nPlease pay the invoice for the October consulting work by Friday.',
  indented: '    indented    code    with     many      spaces\n\n\n\n',
  german: 'Die Kündigungsfrist beträgt dreißig Tage; Größe, Übermäßig, Ärger.',
  russian: 'Договор может быть расторгнут любой из сторон с уведомлением за тридцать дней.',
  chinese: '合同可由任何一方提前三十天通知终止。知识管理是一个很重要的话题，我们需要认真对待。',
  japanese: '契約はどちらの当事者も三十日前の通知により解約できます。',
  korean: '계약은 어느 당사자든 30일 전에 통지하여 해지할 수 있습니다.',
  emoji: 'Great job 🎉👍🏽 see you 🚀',
};

test("the estimate is at least what Llama 2's tokenizer counts, for prose, numbers, code, addresses and other scripts", async (t) => {
  const modelPath = requireShared(t, join(modelsDir, 'llama-2-tiny-random.gguf'));
  if (!modelPath) return;
  const model = await (await getLlamaRuntime({ gpu: false })).loadModel({ modelPath, vocabOnly: true });
  try {
    const under: string[] = [];
    for (const [name, text] of Object.entries(texts)) {
      const real = model.tokenize(text).length;
      if (estimateServerTokens(text) < real) under.push(`${name}: ${estimateServerTokens(text)} < ${real}`);
    }
    assert.deepEqual(under, []);
    // Not safe by being useless: English prose is not counted at more than twice its tokens.
    const prose = texts.prose!;
    assert.ok(estimateServerTokens(prose) <= 2 * model.tokenize(prose).length);
  } finally {
    await model.dispose();
  }
});

test('nothing is nothing', () => {
  assert.equal(estimateServerTokens(''), 0);
});
