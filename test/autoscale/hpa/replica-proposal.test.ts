import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proposal, proposalFailure } from '../../../src/autoscale/hpa/metric-proposal.js';
import { combineProposals, proposeReplicas } from '../../../src/autoscale/hpa/replica-proposal.js';
import { context, pods } from './pod-fixtures.js';

describe('metric dispatch and combination', () => {
  it('dispatches on the metric type', () => {
    const base = { ...context(3), pods: pods([600, 600, 600], 1000) };
    assert.deepEqual(proposeReplicas({ ...base, metric: { type: 'Resource', targetUtilization: 30 } }), proposal(6, 60));
    assert.deepEqual(proposeReplicas({ ...base, metric: { type: 'Pods', targetAverageValue: 300 } }), proposal(6, 600));
    assert.deepEqual(proposeReplicas({ ...base, metric: { type: 'External', targetAverageValue: 300 }, externalValue: 1800, statusReplicas: 3 }), proposal(6, 600));
    assert.deepEqual(proposeReplicas({ ...base, metric: { type: 'External', targetValue: 900 }, externalValue: 1800 }), proposal(6, 1800));
    assert.equal(proposeReplicas({ ...base, metric: { type: 'External', targetValue: 900 } }).ok, false);
  });

  it('takes the largest proposal', () => {
    assert.equal(combineProposals([proposal(3, 0), proposal(7, 0), proposal(5, 0)], 4), 7);
  });

  it('still scales up when one metric fails (TestScaleUpOneMetricEmpty)', () => {
    assert.equal(combineProposals([proposal(6, 0), proposalFailure('no data')], 4), 6);
  });

  it('refuses to scale down when one metric fails (TestNoScaleDownOneMetricEmpty)', () => {
    assert.equal(combineProposals([proposal(2, 0), proposalFailure('no data')], 5), null);
  });

  it('gives nothing when every metric fails', () => {
    assert.equal(combineProposals([proposalFailure('a'), proposalFailure('b')], 3), null);
    assert.equal(combineProposals([], 3), null);
  });
});
