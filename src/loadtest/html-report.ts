import type { LoadTestReport } from './load-report.js';
import { errorKinds } from './request-outcome.js';
import type { SloVerdict } from './slo.js';
import { svgLineChart, type ChartSeries } from './svg-line-chart.js';

const escapeHtml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fixed = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'none');
const kindColors: Record<string, string> = {
  http_status: '#d62728', timeout: '#9467bd', connection_refused: '#8c564b', connection_closed: '#e377c2', dropped: '#7f7f7f', other: '#bcbd22',
};

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = (row: readonly string[], tag: string) => row.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('');
  return `<table><thead><tr>${cells(header, 'th')}</tr></thead><tbody>${rows.map((r) => `<tr>${cells(r, 'td')}</tr>`).join('')}</tbody></table>`;
}

/** A single self-contained HTML page: summary tables and charts over time (rates, latency, errors). */
export function htmlLoadReport(report: LoadTestReport, verdict?: SloVerdict): string {
  const { points, intervalSeconds } = report.timeline;
  const mid = (t: number) => t + intervalSeconds / 2; // plot each interval at its middle
  const series = (name: string, color: string, value: (p: (typeof points)[number]) => number | null, dashed = false): ChartSeries =>
    ({ name, color, dashed, points: points.map((p) => [mid(p.t), value(p)] as const) });
  const xLabel = `seconds from start (intervals of ${intervalSeconds} s)`;
  const charts = [
    svgLineChart({ title: 'Offered and achieved rate', xLabel, yLabel: 'requests / s', series: [
      series('achieved (2xx)', '#2ca02c', (p) => p.achievedRps),
      series('offered', '#1f77b4', (p) => p.offeredRps, true),
    ] }),
    svgLineChart({ title: 'Latency from scheduled send', xLabel, yLabel: 'ms', series: [
      series('p50', '#2ca02c', (p) => p.p50Ms),
      series('p90', '#ff7f0e', (p) => p.p90Ms),
      series('p99', '#d62728', (p) => p.p99Ms),
      series('max', '#7f7f7f', (p) => p.maxMs),
    ] }),
    svgLineChart({ title: 'Errors', xLabel, yLabel: 'errors / s', series: [
      series('all errors', '#000000', (p) => p.errorsPerSecond),
      ...errorKinds.filter((k) => report.errors.byKind[k] > 0)
        .map((k) => series(k, kindColors[k] ?? '#17becf', (p) => (p.errorsByKind[k] ?? 0) / intervalSeconds)),
    ] }),
  ];
  const l = report.latency;
  const model = report.target.model === null ? 'unknown' : `${report.target.model.name} ${report.target.model.version}`;
  const sections = [
    table(['target', 'model', 'profile', 'duration (s)', 'payload', 'connections', 'started'],
      [[report.target.url, model, report.profile.name, fixed(report.profile.durationSeconds, 1), report.payload, String(report.connections), report.startedAt]]),
    table(['offered', 'sent', 'ok', 'failed', 'error rate', 'offered / s', 'achieved / s'],
      [[String(report.requests.offered), String(report.requests.sent), String(report.requests.ok), String(report.requests.failed),
        `${fixed(report.errors.rate * 100, 3)}%`, fixed(report.rates.offeredRps, 1), fixed(report.rates.achievedRps, 1)]]),
    table(['latency (ms)', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean'],
      [[`${l.count} responses`, fixed(l.p50Ms), fixed(l.p90Ms), fixed(l.p99Ms), fixed(l.p999Ms), fixed(l.maxMs), fixed(l.meanMs)]]),
    table(['responses and errors', 'count'], [
      ...Object.entries(report.statuses).map(([s, n]) => [`HTTP ${s}`, String(n)]),
      ...Object.entries(report.errors.byKind).filter(([, n]) => n > 0).map(([k, n]) => [`error: ${k}`, String(n)]),
    ]),
  ];
  if (verdict !== undefined) {
    sections.push(table(['SLO', 'actual', 'limit', 'result'], verdict.terms.map((t) => {
      const isErrors = /^errors/i.test(t.text);
      const show = (v: number) => (isErrors ? `${fixed(v * 100, 3)}%` : `${fixed(v)} ms`);
      return [t.text, show(t.actual), show(t.limit), t.passed ? 'met' : 'NOT MET'];
    })));
  }
  const warnings = report.warnings.map((w) => `<p class="warning">${escapeHtml(w)}</p>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Load test: ${escapeHtml(report.profile.name)} against ${escapeHtml(report.target.url)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 12px 0; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.warning { color: #a15c00; font-weight: bold; }
figure { margin: 16px 0; }
</style>
</head>
<body>
<h1>Load test report</h1>
${sections.join('\n')}
${warnings}
<p>Latency runs from each request's scheduled send time (open loop), so time spent waiting behind a slow server counts.
Generator send lag p99 ${fixed(report.generator.sendLagP99Ms)} ms; ${report.generator.keptUp ? 'the generator kept up' : 'the generator fell behind'}.</p>
${charts.map((c) => `<figure>${c}</figure>`).join('\n')}
</body>
</html>
`;
}
