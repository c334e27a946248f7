// describeHardware: what llama.cpp chose here plus RAM, in the contract's HardwareReport shape.
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { HardwareReport } from '../../app/contract/index.ts';
import { describeHardware, recommendModels } from '../../app/llm/index.ts';
import { defaultThreads, getLlamaRuntime } from '../../native/llama.ts';

test('the hardware report validates against the contract and describes this machine', async () => {
  const report = HardwareReport.parse(await describeHardware());
  assert.equal(report.ok, true, report.error);
  assert.equal(report.ramTotalBytes, os.totalmem());
  assert.ok(report.ramFreeBytes > 0 && report.ramFreeBytes <= report.ramTotalBytes);
  assert.equal(report.cpuThreads, defaultThreads());
  assert.equal(report.cpuCores, os.availableParallelism());
  // What llama.cpp loaded here, with or without a GPU; CAIRN_EXPECT_GPU=1 where one must be used.
  const loaded = (await getLlamaRuntime()).gpu;
  assert.equal(report.backend, loaded === false ? 'cpu' : loaded);
  if (report.backend === 'cpu') assert.equal(report.vramTotalBytes, null);
  else assert.ok(report.devices.length > 0 && (report.vramTotalBytes ?? 0) > 0);
  if (process.env.CAIRN_EXPECT_GPU) assert.notEqual(report.backend, 'cpu', report.warning);
  // It is what the recommendation takes.
  assert.ok(recommendModels(report).embedding);
});
