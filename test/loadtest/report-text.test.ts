import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLoadReport } from '../../src/loadtest/report-text.js';
import { evaluateSlo, parseSlo } from '../../src/loadtest/slo.js';
import { sampleReport } from './sample-report.js';

describe('formatLoadReport', () => {
  it('shows counts, rates, every percentile, errors by status and kind, and the generator', () => {
    const text = formatLoadReport(sampleReport());
    assert.match(text, /model churn 1\.0\.0/);
    for (const header of ['offered', 'achieved/s', 'p50', 'p90', 'p99', 'p99.9', 'max']) assert.ok(text.includes(header), header);
    assert.match(text, /HTTP 200\s+297/);
    assert.match(text, /HTTP 503\s+2/);
    assert.match(text, /error: timeout\s+1/);
    assert.doesNotMatch(text, /error: dropped/, 'kinds that did not happen are left out');
    assert.match(text, /kept up/);
  });

  it('adds the SLO verdict and the warnings', () => {
    const report = { ...sampleReport({ p99Ms: 80 }), warnings: ['the load generator could not keep up'] };
    const text = formatLoadReport(report, evaluateSlo(parseSlo('p99<50ms,errors<5%'), report));
    assert.match(text, /p99<50ms\s+80\.0 ms\s+50\.0 ms\s+NOT MET/);
    assert.match(text, /errors<5%\s+1\.00%\s+5\.00%\s+met/);
    assert.match(text, /warning: the load generator could not keep up/);
  });
});
