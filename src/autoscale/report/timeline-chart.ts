import type { LineChartSpec, LineSeries } from '../../reporting/chart-spec.js';
import { htmlReport } from '../../reporting/html-report.js';
import { escapeHtml } from '../../reporting/html-text.js';
import type { SimulationResult, TimelineRow } from '../simulator/simulation-result.js';
import type { Slo } from '../simulator/simulation-options.js';
import { downsampleTimeline } from './timeline-downsampling.js';

export interface ChartContext {
  readonly title: string;
  readonly slo: Slo;
  /** The CPU utilization target, drawn on the CPU chart when the autoscaler has one. */
  readonly cpuTarget: number | null;
  /** Lines of context under the title (manifests, traffic, capacity). */
  readonly notes: readonly string[];
  readonly summaryText: string;
}

/** The run's charts against time (minutes): load, replicas, CPU as the pods and as the HPA see it, latency against the SLO, errors. */
function simulationCharts(result: SimulationResult, context: ChartContext): LineChartSpec[] {
  const rows = downsampleTimeline(result.timeline, 1200);
  const x = rows.map((r) => r.t / 60);
  const series = (name: string, color: string, pick: (r: TimelineRow) => number | null): LineSeries => ({ name, color, values: rows.map(pick) });
  const flat = (name: string, color: string, value: number): LineSeries => ({ name, color, dashed: true, values: rows.map(() => value) });
  const chart = (title: string, yLabel: string, lines: LineSeries[]): LineChartSpec => ({ kind: 'line', title, xLabel: 'minutes', yLabel, x, series: lines });
  return [
    chart('Offered load', 'requests/s', [
      series('offered', '#1f77b4', (r) => r.offeredRps),
      series('served (2xx)', '#2ca02c', (r) => r.servedRps),
    ]),
    chart('Replicas', 'pods', [
      series('desired (HPA)', '#d62728', (r) => r.desiredReplicas),
      series('existing', '#9467bd', (r) => r.pods),
      series('receiving traffic', '#2ca02c', (r) => r.readyReplicas),
    ]),
    chart('CPU utilization (% of request)', '%', [
      series('pods (actual)', '#ff7f0e', (r) => r.cpuUtilization),
      series('as the HPA saw it', '#1f77b4', (r) => r.hpaCpuUtilization),
      ...(context.cpuTarget === null ? [] : [flat(`target ${context.cpuTarget}%`, '#7f7f7f', context.cpuTarget)]),
    ]),
    chart('Latency of accepted requests', 'ms', [
      series('p50', '#2ca02c', (r) => r.p50Ms),
      series('p99', '#d62728', (r) => r.p99Ms),
      flat(`SLO p99 ${context.slo.p99Ms} ms`, '#7f7f7f', context.slo.p99Ms),
    ]),
    chart('Errors', 'requests/s', [
      series('shed (503)', '#ff7f0e', (r) => r.shedRps),
      series('failed', '#d62728', (r) => r.failedRps),
    ]),
  ];
}

/** A self-contained HTML page: the run's notes and summary, then its charts against time. */
export function simulationHtml(result: SimulationResult, context: ChartContext): string {
  return htmlReport({
    title: context.title,
    blocks: [
      ...context.notes.map((n) => `<p>${escapeHtml(n)}</p>`),
      `<pre>${escapeHtml(context.summaryText)}</pre>`,
      ...simulationCharts(result, context),
    ],
  });
}
