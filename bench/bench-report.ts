import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { formatTable } from '../src/reporting/text-table.js';

/** Where every benchmark writes its JSON result (git-ignored). */
export const benchResultsDirectory = '.bench-results';

/** A row of the printed table: metric, value, unit, target/note. */
export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  note?: string;
}

export interface BenchResult {
  scenario: string;
  rows: BenchRow[];
  extra?: Record<string, unknown>;
}

/** Prints a benchmark's table and writes `.bench-results/<scenario>.json` with the machine it ran on. */
export function reportBench(result: BenchResult): void {
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` };
  const digits = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(2) : v.toFixed(4));
  process.stdout.write(`\n== ${result.scenario} (${machine.cpu}, ${machine.node}) ==\n`);
  process.stdout.write(formatTable([
    ['metric', 'value', 'unit', 'note'],
    ...result.rows.map((r) => [r.metric, digits(r.value), r.unit, r.note ?? '']),
  ]) + '\n');
  mkdirSync(benchResultsDirectory, { recursive: true });
  writeFileSync(join(benchResultsDirectory, `${result.scenario}.json`), JSON.stringify({ ...result, machine, at: new Date().toISOString() }, null, 2) + '\n');
}

/** Median of a sample (copied and sorted). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * CPU microseconds (user + system) this process spends running `body` once. In-process benchmarks use
 * CPU time, not wall time: on a shared machine a descheduled process would otherwise count others' work.
 */
export function cpuMicros(body: () => void): number {
  const before = process.cpuUsage();
  body();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}
