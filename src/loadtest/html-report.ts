import type { LineChartSpec, LineSeries } from '../reporting/chart-spec.js';
import { htmlReport } from '../reporting/html-report.js';
import { escapeHtml, htmlTable } from '../reporting/html-text.js';
import type { LoadTestReport } from './load-report.js';
import { errorKinds } from './request-outcome.js';
import type { SloVerdict } from './slo.js';

const fixed = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'none');
const kindColors: Record<string, string> = {
  http_status: '#d62728', timeout: '#9467bd', connection_refused: '#8c564b', connection_closed: '#e377c2', dropped: '#7f7f7f', other: '#bcbd22',
};

/** The run's charts over time: rates, latency and errors, each interval plotted at its middle. */
function timelineCharts(report: LoadTestReport): LineChartSpec[] {
  const { points, intervalSeconds } = report.timeline;
  const x = points.map((p) => p.t + intervalSeconds / 2);
  const series = (name: string, color: string, value: (p: (typeof points)[number]) => number | null, dashed = false): LineSeries =>
    ({ name, color, dashed, values: points.map(value) });
  const xLabel = `seconds from start (intervals of ${intervalSeconds} s)`;
  return [
    { kind: 'line', title: 'Offered and achieved rate', xLabel, yLabel: 'requests / s', x, series: [
      series('achieved (2xx)', '#2ca02c', (p) => p.achievedRps),
      series('offered', '#1f77b4', (p) => p.offeredRps, true),
    ] },
    { kind: 'line', title: 'Latency from scheduled send', xLabel, yLabel: 'ms', x, series: [
      series('p50', '#2ca02c', (p) => p.p50Ms),
      series('p90', '#ff7f0e', (p) => p.p90Ms),
      series('p99', '#d62728', (p) => p.p99Ms),
      series('max', '#7f7f7f', (p) => p.maxMs),
    ] },
    { kind: 'line', title: 'Errors', xLabel, yLabel: 'errors / s', x, series: [
      series('all errors', '#000000', (p) => p.errorsPerSecond),
      ...errorKinds.filter((k) => report.errors.byKind[k] > 0)
        .map((k) => series(k, kindColors[k] ?? '#17becf', (p) => (p.errorsByKind[k] ?? 0) / intervalSeconds)),
    ] },
  ];
}

/** A single self-contained HTML page: summary tables and charts over time (rates, latency, errors). */
export function htmlLoadReport(report: LoadTestReport, verdict?: SloVerdict): string {
  const l = report.latency;
  const model = report.target.model === null ? 'unknown' : `${report.target.model.name} ${report.target.model.version}`;
  const tables = [
    htmlTable(['target', 'model', 'profile', 'duration (s)', 'payload', 'connections', 'started'],
      [[report.target.url, model, report.profile.name, fixed(report.profile.durationSeconds, 1), report.payload, String(report.connections), report.startedAt]]),
    htmlTable(['offered', 'sent', 'ok', 'failed', 'error rate', 'offered / s', 'achieved / s'],
      [[String(report.requests.offered), String(report.requests.sent), String(report.requests.ok), String(report.requests.failed),
        `${fixed(report.errors.rate * 100, 3)}%`, fixed(report.rates.offeredRps, 1), fixed(report.rates.achievedRps, 1)]]),
    htmlTable(['latency (ms)', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean'],
      [[`${l.count} responses`, fixed(l.p50Ms), fixed(l.p90Ms), fixed(l.p99Ms), fixed(l.p999Ms), fixed(l.maxMs), fixed(l.meanMs)]]),
    htmlTable(['responses and errors', 'count'], [
      ...Object.entries(report.statuses).map(([s, n]) => [`HTTP ${s}`, String(n)]),
      ...Object.entries(report.errors.byKind).filter(([, n]) => n > 0).map(([k, n]) => [`error: ${k}`, String(n)]),
    ]),
  ];
  if (verdict !== undefined) {
    tables.push(htmlTable(['SLO', 'actual', 'limit', 'result'], verdict.terms.map((t) => {
      const isErrors = /^errors/i.test(t.text);
      const show = (v: number) => (isErrors ? `${fixed(v * 100, 3)}%` : `${fixed(v)} ms`);
      return [t.text, show(t.actual), show(t.limit), t.passed ? 'met' : 'NOT MET'];
    })));
  }
  return htmlReport({
    title: `Load test: ${report.profile.name} against ${report.target.url}`,
    blocks: [
      ...tables,
      ...report.warnings.map((w) => `<p class="warning">${escapeHtml(w)}</p>`),
      `<p>Latency runs from each request's scheduled send time (open loop), so time spent waiting behind a slow server counts.
Generator send lag p99 ${fixed(report.generator.sendLagP99Ms)} ms; ${report.generator.keptUp ? 'the generator kept up' : 'the generator fell behind'}.</p>`,
      ...timelineCharts(report),
    ],
  });
}
