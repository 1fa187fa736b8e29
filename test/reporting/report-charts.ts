import assert from 'node:assert/strict';
import type { ChartSpec } from '../../src/reporting/chart-spec.js';

/** The chart specs an HTML report carries (its `#report-charts-data` block), checked to match its placeholders. */
export function reportCharts(html: string): ChartSpec[] {
  const match = /<script type="application\/json" id="report-charts-data">(.*?)<\/script>/s.exec(html);
  assert.ok(match, 'the report has no chart data');
  const specs = JSON.parse(match[1]!) as ChartSpec[];
  assert.equal(html.match(/data-chart-index="/g)?.length ?? 0, specs.length, 'one placeholder per chart');
  return specs;
}

/** What makes a report a single file that opens offline: no external script, style, image or link to fetch. */
export function assertSelfContained(html: string): void {
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|src="http|href="http|@import/i, 'nothing to fetch: it opens from disk');
}
