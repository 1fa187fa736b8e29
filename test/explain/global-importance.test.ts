import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importanceOfExplained } from '../../src/explain/global-importance.js';
import { importanceChartHtml } from '../../src/explain/importance-chart.js';
import { assertSelfContained, reportCharts } from '../reporting/report-charts.js';
import { loadModelArtifact } from '../../src/model/artifact-loader.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { dataRecords } from '../helpers/fixtures.js';
import { predictNativeBatch } from '../helpers/native-plane.js';

describe('global importance', () => {
  const loaded = loadModelArtifact(bundledModelDirectory);
  const records = [...dataRecords().slice(0, 500), { tenure: -1 }];
  const importance = importanceOfExplained(predictNativeBatch(loaded, records, { explain: true }).results);

  it('covers the 19 features, largest mean |contribution| first, and skips invalid records', () => {
    assert.equal(importance.features.length, 19);
    const values = importance.features.map((f) => f.meanAbsolute);
    assert.deepEqual(values, [...values].sort((a, b) => b - a));
    assert.equal(importance.invalid, 1);
    assert.equal(importance.invalidExamples[0]!.index, 500);
  });

  it('ranks contract and tenure among the strongest drivers of churn, as the data is known to show', () => {
    const top = importance.features.slice(0, 4).map((f) => f.feature);
    assert.ok(top.includes('Contract') && top.includes('tenure'), top.join(', '));
  });

  it('renders a chart with one bar per feature and escapes text', () => {
    const html = importanceChartHtml(importance, 'a <b> & c');
    assertSelfContained(html);
    const [chart] = reportCharts(html);
    assert.equal(chart?.kind, 'bars');
    if (chart?.kind === 'bars') assert.deepEqual(chart.bars.map((b) => b.label), importance.features.map((f) => f.feature));
    assert.equal(importance.features.length, 19);
    assert.ok(html.includes('a &#60;b&#62; &#38; c'));
  });
});
