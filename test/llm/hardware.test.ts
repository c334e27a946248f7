// describeHardware: what llama.cpp chose here plus RAM, in the contract's HardwareReport shape.
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { HardwareReport } from '../../app/contract/index.ts';
import { describeHardware, recommendModels } from '../../app/llm/index.ts';
import { defaultThreads } from '../../native/llama.ts';

test('the hardware report validates against the contract and describes this machine', async () => {
  const report = HardwareReport.parse(await describeHardware());
  assert.equal(report.ok, true, report.error);
  assert.equal(report.ramTotalBytes, os.totalmem());
  assert.ok(report.ramFreeBytes > 0 && report.ramFreeBytes <= report.ramTotalBytes);
  assert.equal(report.cpuThreads, defaultThreads());
  assert.equal(report.cpuCores, os.availableParallelism());
  // CI has no GPU; a machine with one may run this with CAIRN_EXPECT_GPU=1.
  if (process.env.CAIRN_EXPECT_GPU) {
    assert.notEqual(report.backend, 'cpu');
    assert.ok(report.devices.length > 0 && (report.vramTotalBytes ?? 0) > 0);
  } else {
    assert.equal(report.backend, 'cpu');
    assert.equal(report.vramTotalBytes, null);
  }
  // It is what the recommendation takes.
  assert.ok(recommendModels(report).embedding);
});
