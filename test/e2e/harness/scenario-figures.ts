import type { TestContext } from 'node:test';
import type { LoadTestReport } from '../../../src/loadtest/load-report.js';

/** One line per scenario in the test output: the figures docs/resilience.md summarises. */
export function reportFigures(t: TestContext, name: string, report: LoadTestReport, extra = ''): void {
  const nonOk = Object.entries(report.statuses).filter(([status]) => !status.startsWith('2'));
  const kinds = Object.entries(report.errors.byKind).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
  t.diagnostic(`${name}: ${report.requests.sent} requests at ${report.rates.achievedRps.toFixed(0)}/s ok, failed ${report.requests.failed}`
    + ` (${kinds || 'none'}), non-2xx ${nonOk.map(([s, n]) => `${s}x${n}`).join(' ') || 'none'},`
    + ` p50 ${report.latency.p50Ms.toFixed(1)} ms, p99 ${report.latency.p99Ms.toFixed(1)} ms, max ${report.latency.maxMs.toFixed(0)} ms${extra}`);
}
