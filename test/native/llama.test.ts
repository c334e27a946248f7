// native/llama.ts on this machine: CI has no GPU, so the CPU build must be found and described.
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { defaultThreads, describeLlama, getLlamaRuntime } from '../../native/llama.ts';

test('describeLlama reports a working CPU backend', async () => {
  const report = await describeLlama();
  assert.equal(report.ok, true, report.error);
  assert.equal(report.error, undefined);
  // CI machines have no GPU; a developer's machine with one may run this file with CAIRN_EXPECT_GPU=1.
  if (process.env.CAIRN_EXPECT_GPU) {
    assert.notEqual(report.backend, 'cpu');
    assert.ok(report.devices.length > 0);
    assert.ok((report.vramTotalBytes ?? 0) > 0);
  } else {
    assert.equal(report.backend, 'cpu');
    assert.deepEqual(report.devices, []);
    assert.equal(report.vramTotalBytes, null);
    assert.equal(report.vramFreeBytes, null);
  }
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
