import { svgLineChart, type ChartSeries } from '../../loadtest/svg-line-chart.js';
import type { SimulationResult, TimelineRow } from '../simulator/simulation-result.js';
import type { Slo } from '../simulator/simulation-options.js';
import { downsampleTimeline } from './timeline-downsampling.js';

const escapeHtml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

const minutes = (t: number) => t / 60;
const series = (name: string, color: string, rows: readonly TimelineRow[], pick: (r: TimelineRow) => number | null): ChartSeries =>
  ({ name, color, points: rows.map((r) => [minutes(r.t), pick(r)] as const) });
const flat = (name: string, color: string, rows: readonly TimelineRow[], value: number): ChartSeries =>
  ({ name, color, points: [[minutes(rows[0]?.t ?? 0), value], [minutes(rows[rows.length - 1]?.t ?? 0), value]] });

export interface ChartContext {
  readonly title: string;
  readonly slo: Slo;
  /** The CPU utilization target, drawn on the CPU chart when the autoscaler has one. */
  readonly cpuTarget: number | null;
  /** Lines of context under the title (manifests, traffic, capacity). */
  readonly notes: readonly string[];
  readonly summaryText: string;
}

/**
 * A self-contained HTML page (inline SVG, no script) with the run's charts against time: load, replicas, CPU as
 * the pods and as the HPA see it, latency against the SLO, and errors.
 */
export function simulationHtml(result: SimulationResult, context: ChartContext): string {
  const rows = downsampleTimeline(result.timeline, 1200);
  const charts = [
    svgLineChart({ title: 'Offered load', xLabel: 'minutes', yLabel: 'requests/s', series: [
      series('offered', '#1f77b4', rows, (r) => r.offeredRps),
      series('served (2xx)', '#2ca02c', rows, (r) => r.servedRps),
    ] }),
    svgLineChart({ title: 'Replicas', xLabel: 'minutes', yLabel: 'pods', series: [
      series('desired (HPA)', '#d62728', rows, (r) => r.desiredReplicas),
      series('existing', '#9467bd', rows, (r) => r.pods),
      series('receiving traffic', '#2ca02c', rows, (r) => r.readyReplicas),
    ] }),
    svgLineChart({ title: 'CPU utilization (% of request)', xLabel: 'minutes', yLabel: '%', series: [
      series('pods (actual)', '#ff7f0e', rows, (r) => r.cpuUtilization),
      series('as the HPA saw it', '#1f77b4', rows, (r) => r.hpaCpuUtilization),
      ...(context.cpuTarget === null ? [] : [flat(`target ${context.cpuTarget}%`, '#7f7f7f', rows, context.cpuTarget)]),
    ] }),
    svgLineChart({ title: 'Latency of accepted requests', xLabel: 'minutes', yLabel: 'ms', series: [
      series('p50', '#2ca02c', rows, (r) => r.p50Ms),
      series('p99', '#d62728', rows, (r) => r.p99Ms),
      flat(`SLO p99 ${context.slo.p99Ms} ms`, '#7f7f7f', rows, context.slo.p99Ms),
    ] }),
    svgLineChart({ title: 'Errors', xLabel: 'minutes', yLabel: 'requests/s', series: [
      series('shed (503)', '#ff7f0e', rows, (r) => r.shedRps),
      series('failed', '#d62728', rows, (r) => r.failedRps),
    ] }),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(context.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:900px;color:#222}pre{background:#f6f6f6;padding:12px;overflow-x:auto;font-size:12px}svg{display:block;margin:12px 0}</style>
</head><body>
<h1>${escapeHtml(context.title)}</h1>
${context.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('\n')}
<pre>${escapeHtml(context.summaryText)}</pre>
${charts.join('\n')}
</body></html>
`;
}
