import type { Comparison, Sample, Target } from './compare';

export const count = (value: number) => Math.round(value).toLocaleString('en-US');
export const ms = (value: number) => (value < 10 ? value.toFixed(1) : String(Math.round(value)));
/** A ratio as the bench prints it: 0.478 → `48%` (throughput), 2.017 → `2.02×` (latency). */
export const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;
export const times = (ratio: number) => `${ratio.toFixed(2)}×`;

/** A plain text table, numbers right-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

function sampleRow(name: string, sample: Sample): string[] {
  return [name, count(sample.requestsPerSecond), ms(sample.p50Ms), ms(sample.p99Ms), count(sample.failures)];
}

/** Subject, reference and their ratios, as the bench prints them. */
export function comparisonTable(scenario: string, comparison: Comparison): string {
  return table(
    [scenario, 'requests/s', 'p50 ms', 'p99 ms', 'failed'],
    [
      sampleRow('subject', comparison.subject),
      sampleRow('reference', comparison.reference),
      ['subject / reference', percent(comparison.throughputRatio), '', times(comparison.p99Ratio), ''],
    ],
  );
}

export function targetLines(targets: readonly Target[]): string {
  return targets.map((target) => `${target.met ? 'met   ' : 'MISSED'}  ${target.what}: ${target.actual}`).join('\n');
}
