// The model catalog and the default models it picks for made-up machines.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CatalogModel } from '../../app/contract/index.ts';
import { CatalogFile, defaultCatalogPath, fitOf, loadCatalog, localeIsMultilingual, ModelCatalog, recommendModels, type MachineMemory } from '../../app/llm/index.ts';
import { tempDir } from '../support/corpus.ts';

const GiB = 2 ** 30;
const catalog = loadCatalog();

test('the bundled catalog is valid and each URL is its repository and file on Hugging Face', () => {
  assert.ok(catalog.models.length >= 6);
  for (const model of catalog.models) {
    assert.equal(model.url, `https://huggingface.co/${model.sourceRepo}/resolve/main/${model.file}`, model.id);
    assert.ok(model.sizeBytes < model.ramBytes, `${model.id}: running takes more than the file`);
    if (model.role === 'embedding') assert.ok(model.dimensions, `${model.id} has dimensions`);
  }
  const ids = catalog.models.map((m) => m.id);
  for (const id of ['qwen3-4b', 'qwen3-8b', 'llama-3.2-3b', 'deepseek-r1-qwen-1.5b', 'deepseek-r1-qwen-7b', 'bge-small-en-v1.5', 'bge-m3']) assert.ok(ids.includes(id), id);
  assert.equal(catalog.get('deepseek-r1-qwen-7b')?.reasoning, true);
  assert.equal(catalog.get('llama-3.2-3b')?.reasoning, false);
  assert.equal(catalog.byFile('QWEN3-4B-Q4_K_M.GGUF')?.id, 'qwen3-4b');
});

test('the bundled catalog pins the sha256 of each file whose hash is known', () => {
  const pinned: Record<string, string> = {
    'qwen3-8b': 'd98cdcbd03e17ce47681435b5150e34c1417f50b5c0019dd560e4882c5745785',
    'qwen3-4b': '7485fe6f11af29433bc51cab58009521f205840f5b4ae3a32fa7f92e8534fdf5',
    'llama-3.2-3b': '6c1a2b41161032677be168d354123594c0e6e67d2b9227c84f296ad037c728ff',
    'llama-3.2-1b': '6f85a640a97cf2bf5b8e764087b1e83da0fdb51d7c9fab7d0fece9385611df83',
    'bge-small-en-v1.5': 'ec38e8da142596baa913124ae50550de284b6916bf59577ef2f0cb9660c2f514',
    'nomic-embed-text-v1.5': '3e24342164b3d94991ba9692fdc0dd08e3fd7362e0aacc396a9a5c54a544c3b7',
  };
  for (const model of catalog.models) assert.equal(model.sha256, pinned[model.id], model.id);
  const bad = CatalogFile.safeParse({ ...CatalogFile.parse(JSON.parse(readFileSync(defaultCatalogPath, 'utf8'))), models: [{ ...catalog.models[0]!, sha256: 'D98C' }] });
  assert.equal(bad.success, false, 'a hash that is not 64 lower-case hex digits is refused');
});

test("the catalog's context lengths are what llama.cpp runs each model at, not what it was trained for elsewhere", () => {
  // nomic-embed-text-v1.5 was trained for 8,192 tokens, but its GGUF runs at 2,048 unless YaRN rope
  // scaling is passed, which node-llama-cpp does not offer.
  assert.equal(catalog.get('nomic-embed-text-v1.5')?.contextLength, 2048);
  assert.match(catalog.get('nomic-embed-text-v1.5')!.notes, /2,048/);
});

const machines: { name: string; machine: MachineMemory; multilingual?: boolean; chat: string | null; embedding: string }[] = [
  { name: 'gaming laptop, RTX 4070 8 GB, 32 GB', machine: { backend: 'cuda', vramTotalBytes: 8 * GiB, ramTotalBytes: 32 * GiB }, chat: 'qwen3-8b', embedding: 'bge-small-en-v1.5' },
  { name: 'same, Chinese documents', machine: { backend: 'cuda', vramTotalBytes: 8 * GiB, ramTotalBytes: 32 * GiB }, multilingual: true, chat: 'qwen3-8b', embedding: 'bge-m3' },
  { name: 'laptop, RTX 3060 6 GB, 16 GB', machine: { backend: 'cuda', vramTotalBytes: 6 * GiB, ramTotalBytes: 16 * GiB }, chat: 'qwen3-4b', embedding: 'bge-small-en-v1.5' },
  { name: 'laptop, 4 GB Vulkan GPU, 16 GB', machine: { backend: 'vulkan', vramTotalBytes: 4 * GiB, ramTotalBytes: 16 * GiB }, chat: 'llama-3.2-3b', embedding: 'bge-small-en-v1.5' },
  { name: 'MacBook Air M2 16 GB (Metal, unified memory)', machine: { backend: 'metal', vramTotalBytes: 10.7 * GiB, ramTotalBytes: 16 * GiB }, chat: 'qwen3-8b', embedding: 'bge-small-en-v1.5' },
  { name: '2 GB GPU, 16 GB RAM: the RAM rules apply', machine: { backend: 'cuda', vramTotalBytes: 2 * GiB, ramTotalBytes: 16 * GiB }, chat: 'llama-3.2-3b', embedding: 'bge-small-en-v1.5' },
  { name: 'office PC, CPU only, 16 GB', machine: { backend: 'cpu', vramTotalBytes: null, ramTotalBytes: 15.5 * GiB }, chat: 'llama-3.2-3b', embedding: 'bge-small-en-v1.5' },
  { name: 'office PC, CPU only, 16 GB, German documents', machine: { backend: 'cpu', vramTotalBytes: null, ramTotalBytes: 15.5 * GiB }, multilingual: true, chat: 'qwen3-4b', embedding: 'bge-m3' },
  { name: 'a GPU llama.cpp cannot use (CPU build): its VRAM does not count', machine: { backend: 'cpu', vramTotalBytes: 12 * GiB, ramTotalBytes: 8 * GiB }, chat: 'llama-3.2-3b', embedding: 'bge-small-en-v1.5' },
  { name: 'old laptop, CPU only, 8 GB', machine: { backend: 'cpu', vramTotalBytes: null, ramTotalBytes: 7.6 * GiB }, chat: 'llama-3.2-3b', embedding: 'bge-small-en-v1.5' },
  { name: 'netbook, 4 GB', machine: { backend: 'cpu', vramTotalBytes: null, ramTotalBytes: 3.8 * GiB }, chat: 'llama-3.2-1b', embedding: 'bge-small-en-v1.5' },
  { name: 'tiny VM, 2 GB', machine: { backend: 'cpu', vramTotalBytes: null, ramTotalBytes: 2 * GiB }, chat: null, embedding: 'bge-small-en-v1.5' },
];

for (const { name, machine, multilingual, chat, embedding } of machines) {
  test(`recommends ${chat ?? 'no chat model'} + ${embedding} for: ${name}`, () => {
    const pick = recommendModels(machine, { multilingual: multilingual ?? false });
    assert.equal(pick.chat?.id ?? null, chat);
    assert.equal(pick.embedding.id, embedding);
    assert.ok(CatalogModel.nullable().safeParse(pick.chat).success);
    if (chat === null) assert.match(pick.reason, /too little memory.*chat server/);
    // What is picked fits: on the GPU entirely, on the CPU in at most half the RAM.
    if (pick.chat) {
      const onGpu = machine.backend !== 'cpu' && (machine.vramTotalBytes ?? 0) >= pick.chat.vramBytes * 1.1;
      assert.ok(onGpu || pick.chat.ramBytes <= machine.ramTotalBytes / 2, `${pick.chat.id} on ${name}`);
    }
  });
}

test('whether a model fits: on the GPU when 90% of the VRAM holds it, else on the CPU in 60% of the RAM, else too large', () => {
  const model = { ramBytes: 4 * GiB, vramBytes: 4 * GiB };
  assert.equal(fitOf(model, { backend: 'cuda', vramTotalBytes: 6 * GiB, ramTotalBytes: 8 * GiB }), 'gpu');
  assert.equal(fitOf(model, { backend: 'cuda', vramTotalBytes: 4 * GiB, ramTotalBytes: 8 * GiB }), 'cpu', 'a GPU it only just fills');
  assert.equal(fitOf(model, { backend: 'cpu', vramTotalBytes: 12 * GiB, ramTotalBytes: 8 * GiB }), 'cpu', 'VRAM a CPU build cannot use does not count');
  assert.equal(fitOf(model, { backend: 'cpu', vramTotalBytes: null, ramTotalBytes: 6 * GiB }), 'too-large');
  // Every recommendation fits the machine it is made for.
  for (const { machine } of machines) {
    const pick = recommendModels(machine);
    if (pick.chat) assert.notEqual(fitOf(pick.chat, machine), 'too-large', `${pick.chat.id} on ${JSON.stringify(machine)}`);
  }
});

test('the reason names the machine and why', () => {
  const pick = recommendModels({ backend: 'cuda', vramTotalBytes: 8 * GiB, ramTotalBytes: 32 * GiB });
  assert.match(pick.reason, /^CUDA GPU with 8\.6 GB VRAM, 34 GB RAM: a GPU with 8 GB or more/);
  assert.match(recommendModels({ backend: 'cpu', vramTotalBytes: null, ramTotalBytes: 8 * GiB }).reason, /^no usable GPU, 8\.6 GB RAM: /);
});

test('a catalog with mistakes is refused with a clear error', () => {
  const good = CatalogFile.parse(JSON.parse(readFileSync(defaultCatalogPath, 'utf8')));
  const dup = structuredClone(good);
  dup.models.push({ ...dup.models[0]! });
  assert.throws(() => new ModelCatalog(dup), { code: 'catalog-invalid', message: /lists qwen3-8b twice/ });

  const wrongRole = structuredClone(good);
  wrongRole.rules.chat.push({ model: 'bge-m3', why: 'x' });
  assert.throws(() => new ModelCatalog(wrongRole), { message: /chat rule names bge-m3, which is not a chat model/ });

  const noFallback = structuredClone(good);
  noFallback.rules.embedding = [{ model: 'bge-m3', multilingual: true, why: 'x' }];
  assert.throws(() => new ModelCatalog(noFallback), { message: /last embedding rule must have no conditions/ });

  const path = join(tempDir(), 'models.json');
  const insecure = structuredClone(good);
  insecure.models[0]!.url = 'http://example.com/model.gguf';
  writeFileSync(path, JSON.stringify(insecure));
  assert.throws(() => ModelCatalog.load(path), { code: 'catalog-invalid', message: /Invalid URL[\s\S]*at models\[0\]\.url/ });
  writeFileSync(path, '{ not json');
  assert.throws(() => ModelCatalog.load(path), { code: 'catalog-invalid', message: /Cannot read the model catalog/ });
});

test('the locale hints at documents in other languages', () => {
  assert.equal(localeIsMultilingual('en_US.UTF-8'), false);
  assert.equal(localeIsMultilingual('en-GB'), false);
  assert.equal(localeIsMultilingual('C'), false);
  assert.equal(localeIsMultilingual('POSIX'), false);
  assert.equal(localeIsMultilingual('zh_CN.UTF-8'), true);
  assert.equal(localeIsMultilingual('de-DE'), true);
});
