// native/llama.ts on this machine: the build node-llama-cpp loaded (CUDA, Metal, Vulkan or the CPU)
// is found and described, whichever it is here.
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { defaultThreads, describeLlama, getLlamaRuntime } from '../../native/llama.ts';

test('describeLlama reports the backend llama.cpp loaded here, with its devices and memory', async () => {
  const report = await describeLlama();
  assert.equal(report.ok, true, report.error);
  assert.equal(report.error, undefined);
  const loaded = (await getLlamaRuntime()).gpu;
  assert.equal(report.backend, loaded === false ? 'cpu' : loaded);
  if (report.backend === 'cpu') {
    assert.deepEqual(report.devices, []);
    assert.equal(report.vramTotalBytes, null);
    assert.equal(report.vramFreeBytes, null);
  } else {
    assert.ok(report.devices.length > 0);
    assert.ok((report.vramTotalBytes ?? 0) > 0);
    assert.ok(report.vramFreeBytes !== null && report.vramFreeBytes <= report.vramTotalBytes!);
  }
  // A machine known to have a usable GPU says so (CAIRN_EXPECT_GPU=1): falling back to the CPU there is a failure.
  if (process.env.CAIRN_EXPECT_GPU) assert.notEqual(report.backend, 'cpu', report.warning);
  assert.ok(report.cpuThreads >= 1);
  assert.equal(report.cpuThreads, defaultThreads());
});

test('getLlamaRuntime loads one runtime per GPU choice', async () => {
  const [first, second] = await Promise.all([getLlamaRuntime(), getLlamaRuntime({ gpu: 'auto' })]);
  assert.equal(first, second);
  assert.equal(await getLlamaRuntime(), first);
  const cpu = await getLlamaRuntime({ gpu: false });
  assert.equal(cpu.gpu, false);
  assert.equal(await getLlamaRuntime({ gpu: false }), cpu);
});

test('defaultThreads leaves a core free, uses at least 1 and at most 4', () => {
  const threads = defaultThreads();
  assert.ok(Number.isInteger(threads));
  assert.ok(threads >= 1 && threads <= 4);
  assert.equal(threads, Math.max(1, Math.min(4, os.availableParallelism() - 1)));
});
