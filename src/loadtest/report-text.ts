import { formatTable } from '../reporting/text-table.js';
import type { LoadTestReport } from './load-report.js';
import type { SloVerdict } from './slo.js';

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const rate = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const percent = (share: number) => `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 2)}%`;

function sloValue(text: string, value: number): string {
  if (!Number.isFinite(value)) return 'none';
  return /^errors/i.test(text) ? percent(value) : `${ms(value)} ms`;
}

const warmup = (seconds: number) => (seconds > 0 ? ` after ${seconds} s of warm-up (not counted)` : '');

/** The final report as plain-text tables, for the terminal. */
export function formatLoadReport(report: LoadTestReport, verdict?: SloVerdict): string {
  const model = report.target.model === null ? '' : ` (model ${report.target.model.name} ${report.target.model.version})`;
  const lines: string[] = [
    `target   ${report.target.url}${model}`,
    `profile  ${report.profile.name}, ${report.profile.durationSeconds.toFixed(1)} s${warmup(report.profile.warmupSeconds)}; payload ${report.payload}; ${report.connections} connections`,
    '',
    formatTable([
      ['requests over', 'offered', 'sent', 'ok', 'failed', 'error rate', 'offered/s', 'achieved/s'],
      [`${report.elapsedSeconds.toFixed(1)} s`, String(report.requests.offered), String(report.requests.sent), String(report.requests.ok), String(report.requests.failed),
        percent(report.errors.rate), rate(report.rates.offeredRps), rate(report.rates.achievedRps)],
    ]),
    '',
    formatTable([
      ['latency (ms from scheduled send)', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean'],
      [`${report.latency.count} responses`, ms(report.latency.p50Ms), ms(report.latency.p90Ms), ms(report.latency.p99Ms),
        ms(report.latency.p999Ms), ms(report.latency.maxMs), ms(report.latency.meanMs)],
    ]),
  ];
  const statuses = Object.entries(report.statuses);
  const kinds = Object.entries(report.errors.byKind).filter(([, n]) => n > 0);
  if (statuses.length > 0 || kinds.length > 0) {
    lines.push('', formatTable([
      ['responses and errors', 'count'],
      ...statuses.map(([status, n]) => [`HTTP ${status}`, String(n)]),
      ...kinds.map(([kind, n]) => [`error: ${kind}`, String(n)]),
    ]));
  }
  const g = report.generator;
  lines.push('', `generator  send lag p50 ${ms(g.sendLagP50Ms)} ms, p99 ${ms(g.sendLagP99Ms)} ms, max ${ms(g.sendLagMaxMs)} ms; `
    + `${g.lateSends} sent > ${g.lateThresholdMs} ms late; ${g.cpuSeconds.toFixed(2)} CPU s; ${g.keptUp ? 'kept up' : 'FELL BEHIND'}`);
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  if (verdict !== undefined) {
    lines.push('', formatTable([
      ['SLO', 'actual', 'limit', 'result'],
      ...verdict.terms.map((t) => [t.text, sloValue(t.text, t.actual), sloValue(t.text, t.limit), t.passed ? 'met' : 'NOT MET']),
    ]));
  }
  return lines.join('\n');
}
