import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clockTime } from '../../../src/autoscale/report/clock-time.js';
import { simulationSummaryText, timelineTable } from '../../../src/autoscale/report/simulation-text.js';
import { simulationHtml } from '../../../src/autoscale/report/timeline-chart.js';
import { assertSelfContained, reportCharts } from '../../reporting/report-charts.js';
import { downsampleTimeline } from '../../../src/autoscale/report/timeline-downsampling.js';
import { simulate } from '../../../src/autoscale/simulator/simulation.js';
import { timeToSettle } from '../../../src/autoscale/simulator/timeline-recorder.js';
import { capacity, cpuAutoscaler, deployment, options, steps } from '../simulator/scenario-fixtures.js';

const result = simulate({ deployment: deployment(), autoscaler: cpuAutoscaler(), capacity, traffic: steps(900, [0, 20], [120, 300]), options: options() });
const slo = options().slo;

describe('simulation reports', () => {
  it('formats clock times', () => {
    assert.equal(clockTime(63), '1:03');
    assert.equal(clockTime(3 * 3600 + 5), '3:00:05');
  });

  it('tabulates every interval plus every replica change', () => {
    const table = timelineTable(result.timeline, 300);
    assert.match(table.split('\n')[0]!, /^time\s+offered\/s\s+desired/);
    for (const event of result.events) assert.ok(table.includes(`${clockTime(event.t)} `), `row for ${clockTime(event.t)}`);
  });

  it('summarises SLO, requests, latency, replicas and scale events', () => {
    const text = simulationSummaryText(result, slo);
    assert.match(text, /^SLO/);
    assert.match(text, /pod-hours/);
    assert.match(text, /scale events/);
  });

  it('draws a self-contained HTML page of charts', () => {
    const html = simulationHtml(result, { title: 'test <run>', slo, cpuTarget: 50, notes: ['a & b'], summaryText: 'summary' });
    assertSelfContained(html);
    const charts = reportCharts(html);
    assert.deepEqual(charts.map((c) => c.title), ['Offered load', 'Replicas', 'CPU utilization (% of request)', 'Latency of accepted requests', 'Errors']);
    const cpu = charts[2]!;
    assert.ok(cpu.kind === 'line' && cpu.series.some((s) => s.name === 'target 50%' && s.values.every((v) => v === 50)), 'the CPU target is drawn');
    assert.ok(html.includes('test &#60;run&#62;') && html.includes('a &#38; b'), 'escaped');
  });

  it('downsamples long timelines without losing the worst second', () => {
    const rows = downsampleTimeline(result.timeline, 100);
    assert.ok(rows.length <= 100);
    const worst = Math.max(...result.timeline.map((r) => r.p99Ms ?? 0));
    assert.equal(Math.max(...rows.map((r) => r.p99Ms ?? 0)), worst);
  });

  it('counts time to settle from the first miss to the start of a clean minute', () => {
    const row = (t: number, withinSlo: boolean) => ({ ...result.timeline[0]!, t, withinSlo });
    const rows = [...Array.from({ length: 10 }, (_, t) => row(t, t < 3 || t > 5)), ...Array.from({ length: 60 }, (_, i) => row(10 + i, true))];
    assert.equal(timeToSettle(rows), 3);
    assert.equal(timeToSettle(rows.map((r) => ({ ...r, withinSlo: true }))), 0);
    assert.equal(timeToSettle(rows.slice(0, 20)), null);
  });
});
