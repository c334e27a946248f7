// The activity panel's OCR job, from the engine's progress events: pages n of m while a run reads
// scans, and done when the run ends (its last event still says stage 'ocr', with no current file).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IngestProgress } from '../../app/contract/index.ts';

// The renderer's client connects when its module loads: a bridge that never answers is enough here.
(globalThis as { window?: unknown }).window = { cairn: { send: () => {}, onMessage: () => () => {} } };
const { activityStore, applyActivityEvent } = await import('../../renderer/src/state/activity.ts');

const progress = (change: Partial<IngestProgress>): IngestProgress => ({
  type: 'progress', stage: 'reading', filesDone: 1, filesTotal: 1, chunks: 3, chunksPerSecond: 0, currentFile: '/docs/memo.md', errors: 0, ...change,
});

test('OCR shows as pages n of m while it runs, and as done once the run ends', () => {
  applyActivityEvent(progress({}));
  assert.equal(activityStore.get().find((j) => j.id === 'ocr'), undefined, 'no OCR before it starts');
  applyActivityEvent(progress({ stage: 'ocr', currentFile: '/docs/scan.pdf', ocrPagesDone: 0, ocrPagesTotal: 4 }));
  applyActivityEvent(progress({ stage: 'ocr', currentFile: '/docs/scan.pdf', ocrPagesDone: 2, ocrPagesTotal: 4 }));
  const running = activityStore.get().find((j) => j.id === 'ocr');
  assert.deepEqual(running && [running.kind, running.subject, running.done, running.total, running.unit, running.state], ['ocr', '/docs/scan.pdf', 2, 4, 'pages', 'running']);
  // The run's last event: no current file, the stage left at 'ocr', the counts as they ended.
  applyActivityEvent(progress({ stage: 'ocr', currentFile: null, ocrPagesDone: 4, ocrPagesTotal: 4 }));
  const ended = activityStore.get().find((j) => j.id === 'ocr');
  assert.deepEqual(ended && [ended.state, ended.done, ended.total, ended.subject], ['done', 4, 4, '/docs/scan.pdf']);
});
