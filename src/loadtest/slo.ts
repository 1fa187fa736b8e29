import { ChurnError } from '../errors.js';
import type { LoadTestReport } from './load-report.js';

type LatencyField = 'p50Ms' | 'p90Ms' | 'p99Ms' | 'p999Ms' | 'maxMs' | 'meanMs';

/** One objective: a latency percentile or the error rate, strictly below (`<`) or at most (`<=`) a limit. */
export interface SloTerm {
  readonly text: string;
  readonly metric: LatencyField | 'errorRate';
  readonly inclusive: boolean;
  /** Milliseconds for latency, a fraction (0.001 = 0.1%) for the error rate. */
  readonly limit: number;
}

export interface SloVerdict {
  passed: boolean;
  terms: { text: string; actual: number; limit: number; passed: boolean }[];
}

const latencyFields: Record<string, LatencyField> = { p50: 'p50Ms', p90: 'p90Ms', p99: 'p99Ms', 'p99.9': 'p999Ms', p999: 'p999Ms', max: 'maxMs', mean: 'meanMs' };
const toMs: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
const termPattern = /^\s*([a-z0-9.]+)\s*(<=?)\s*([0-9]*\.?[0-9]+)\s*(us|ms|s|%)\s*$/i;

/** Parses `--slo "p99<50ms,errors<0.1%"`: terms joined by commas, all of which must hold. */
export function parseSlo(text: string): SloTerm[] {
  const terms = text.split(',').filter((t) => t.trim() !== '').map((raw): SloTerm => {
    const match = termPattern.exec(raw);
    const bad = () => new ChurnError('INVALID_ARGUMENT', `--slo term "${raw.trim()}": expected e.g. p99<50ms, p99.9<=200ms, max<1s or errors<0.1%`);
    if (!match) throw bad();
    const [, name, op, value, unit] = match as unknown as [string, string, string, string, string];
    const inclusive = op === '<=';
    const number = Number(value);
    if (name.toLowerCase() === 'errors') {
      if (unit !== '%') throw bad();
      return { text: raw.trim(), metric: 'errorRate', inclusive, limit: number / 100 };
    }
    const field = latencyFields[name.toLowerCase()];
    const scale = toMs[unit.toLowerCase()];
    if (field === undefined || scale === undefined) throw bad();
    return { text: raw.trim(), metric: field, inclusive, limit: number * scale };
  });
  if (terms.length === 0) throw new ChurnError('INVALID_ARGUMENT', '--slo is empty; expected e.g. "p99<50ms,errors<0.1%"');
  return terms;
}

/**
 * Checks a report against the objectives. A run with no responses at all fails every latency term:
 * silence is not low latency.
 */
export function evaluateSlo(terms: readonly SloTerm[], report: LoadTestReport): SloVerdict {
  const results = terms.map((term) => {
    const actual = term.metric === 'errorRate' ? report.errors.rate : report.latency.count === 0 ? Number.POSITIVE_INFINITY : report.latency[term.metric];
    const passed = term.inclusive ? actual <= term.limit : actual < term.limit;
    return { text: term.text, actual, limit: term.limit, passed };
  });
  return { passed: results.every((r) => r.passed), terms: results };
}
