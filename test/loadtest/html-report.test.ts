import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { htmlLoadReport } from '../../src/loadtest/html-report.js';
import { evaluateSlo, parseSlo } from '../../src/loadtest/slo.js';
import { niceTicks, svgLineChart } from '../../src/loadtest/svg-line-chart.js';
import { sampleReport } from './sample-report.js';

describe('htmlLoadReport', () => {
  it('is one self-contained page with the three charts over time', () => {
    const report = sampleReport();
    const html = htmlLoadReport(report, evaluateSlo(parseSlo('p99<50ms'), report));
    assert.match(html, /^<!doctype html>/);
    assert.equal(html.match(/<svg /g)?.length, 3);
    for (const title of ['Offered and achieved rate', 'Latency from scheduled send', 'Errors']) assert.ok(html.includes(title), title);
    for (const series of ['offered', 'achieved (2xx)', 'p50', 'p99', 'all errors', 'http_status', 'timeout']) assert.ok(html.includes(`<title>${series}</title>`), series);
    assert.doesNotMatch(html, /<script|src="http|href="http/, 'nothing to fetch: it opens from disk');
    assert.match(html, /p99&#60;50ms/);
  });

  it('escapes text from the target and the profile', () => {
    const report = { ...sampleReport(), profile: { name: '<b>x</b>', durationSeconds: 3 } };
    assert.ok(!htmlLoadReport(report).includes('<b>x</b>'));
  });
});

describe('svgLineChart', () => {
  it('breaks a line at a null instead of bridging the gap', () => {
    const svg = svgLineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', color: '#000', points: [[0, 1], [1, 2], [2, null], [3, 1], [4, 1]] }] });
    const path = /<path d="([^"]+)"/.exec(svg)![1]!;
    assert.equal(path.match(/M/g)?.length, 2);
    assert.equal(path.match(/L/g)?.length, 2);
  });

  it('axis ticks are round numbers covering the data', () => {
    assert.deepEqual(niceTicks(9.3, 5), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(niceTicks(4500, 5), [0, 1000, 2000, 3000, 4000, 5000]);
    assert.deepEqual(niceTicks(0), [0, 1]);
  });
});
