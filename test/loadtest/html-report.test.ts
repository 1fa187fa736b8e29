import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { htmlLoadReport } from '../../src/loadtest/html-report.js';
import { evaluateSlo, parseSlo } from '../../src/loadtest/slo.js';
import { assertSelfContained, reportCharts } from '../reporting/report-charts.js';
import { sampleReport } from './sample-report.js';

describe('htmlLoadReport', () => {
  it('is one self-contained page with the three charts over time', () => {
    const report = sampleReport();
    const html = htmlLoadReport(report, evaluateSlo(parseSlo('p99<50ms'), report));
    assertSelfContained(html);
    const charts = reportCharts(html);
    assert.deepEqual(charts.map((c) => c.title), ['Offered and achieved rate', 'Latency from scheduled send', 'Errors']);
    const names = charts.flatMap((c) => (c.kind === 'line' ? c.series.map((s) => s.name) : []));
    for (const series of ['offered', 'achieved (2xx)', 'p50', 'p99', 'all errors', 'http_status', 'timeout']) assert.ok(names.includes(series), series);
    assert.match(html, /p99&#60;50ms/);
  });

  it('escapes text from the target and the profile', () => {
    const report = { ...sampleReport(), profile: { name: '<b>x</b>', durationSeconds: 3, warmupSeconds: 0 } };
    assert.ok(!htmlLoadReport(report).includes('<b>x</b>'));
  });
});

describe('the load report charts', () => {
  it('keep an interval without responses as a gap (null), not as zero latency', () => {
    const report = sampleReport();
    const points = report.timeline.points.map((p, i) => (i === 1 ? { ...p, p50Ms: null, p90Ms: null, p99Ms: null, maxMs: null } : p));
    const charts = reportCharts(htmlLoadReport({ ...report, timeline: { ...report.timeline, points } }));
    const latency = charts[1]!;
    assert.equal(latency.kind, 'line');
    if (latency.kind === 'line') {
      assert.equal(latency.series[0]!.values[1], null);
      assert.equal(latency.x.length, points.length);
      assert.equal(latency.x[0], report.timeline.intervalSeconds / 2, 'each interval is plotted at its middle');
    }
  });
});
