// What a bench reports: figures with their targets, handed from each bench process to main.ts
// through a JSON file (so a bench's own stdout stays free for people), and printed as a table.
import { appendFileSync } from 'node:fs';

export interface Figure {
  metric: string;
  value: number;
  unit: string;
  /** e.g. '≤ 20 ms'; absent when the figure is for information only. */
  target?: string;
  /** Whether the target was met; absent without a target. */
  met?: boolean;
}

/** A figure with a target of at most / at least `limit`. */
export function atMost(metric: string, value: number, unit: string, limit: number): Figure {
  return { metric, value, unit, target: `≤ ${limit} ${unit}`.trim(), met: value <= limit };
}

export function atLeast(metric: string, value: number, unit: string, limit: number): Figure {
  return { metric, value, unit, target: `≥ ${limit} ${unit}`.trim(), met: value >= limit };
}

export function info(metric: string, value: number, unit: string): Figure {
  return { metric, value, unit };
}

/** Records figures for main.ts (one JSON line each) when run by it; always prints them. */
export function report(figures: Figure[]): void {
  const file = process.env.CAIRN_BENCH_RESULTS;
  if (file) appendFileSync(file, figures.map((f) => JSON.stringify(f) + '\n').join(''));
  printFigures(figures);
}

export function formatValue(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function printFigures(figures: Figure[]): void {
  const rows = figures.map((f) => [
    f.metric,
    `${formatValue(f.value)} ${f.unit}`.trim(),
    f.target ?? '',
    f.met === undefined ? '' : f.met ? 'met' : 'MISSED',
  ]);
  const header = ['metric', 'figure', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

/** The p-th percentile (0–100) of some samples, by the nearest-rank method. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}
