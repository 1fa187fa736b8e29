import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isChurnError } from '../../src/errors.js';
import { evaluateSlo, parseSlo } from '../../src/loadtest/slo.js';
import { sampleReport } from './sample-report.js';

describe('parseSlo', () => {
  it('parses latency terms in us/ms/s and the error rate in percent', () => {
    assert.deepEqual(parseSlo('p99<50ms, errors<0.1%, max<=2s, p99.9<800us, p50<1ms').map((t) => [t.metric, t.inclusive, t.limit]), [
      ['p99Ms', false, 50],
      ['errorRate', false, 0.001],
      ['maxMs', true, 2000],
      ['p999Ms', false, 0.8],
      ['p50Ms', false, 1],
    ]);
  });

  it('rejects what it cannot read with INVALID_ARGUMENT', () => {
    for (const text of ['', 'p99', 'p99>50ms', 'p98<50ms', 'errors<0.1', 'p99<50%', 'p99<fast']) {
      assert.throws(() => parseSlo(text), (e: unknown) => isChurnError(e) && e.code === 'INVALID_ARGUMENT', text);
    }
  });
});

describe('evaluateSlo', () => {
  it('passes only when every term holds, strict < and inclusive <=', () => {
    const report = sampleReport({ p99Ms: 40, failed: 1, offered: 1000 });
    assert.equal(evaluateSlo(parseSlo('p99<50ms,errors<0.2%'), report).passed, true);
    assert.equal(evaluateSlo(parseSlo('p99<40ms'), report).passed, false);
    assert.equal(evaluateSlo(parseSlo('p99<=40ms'), report).passed, true);
    const verdict = evaluateSlo(parseSlo('p99<50ms,errors<0.1%'), report);
    assert.equal(verdict.passed, false);
    assert.deepEqual(verdict.terms.map((t) => t.passed), [true, false]);
    assert.equal(verdict.terms[1]!.actual, 0.001);
  });

  it('a run without a single response fails latency objectives', () => {
    const silent = sampleReport({ p99Ms: 0, failed: 100, offered: 100, responses: 0 });
    assert.equal(evaluateSlo(parseSlo('p99<50ms'), silent).passed, false);
  });
});
