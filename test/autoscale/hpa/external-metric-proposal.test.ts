import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proposeForExternalAverage, proposeForExternalValue } from '../../../src/autoscale/hpa/external-metric-proposal.js';
import { context, neverReady, pods } from './pod-fixtures.js';

// Scenarios of TestReplicaCalcExternalPerPodMetric and TestReplicaCalcExternalMetric, with our own numbers.
describe('External metric proposal, AverageValue target (KEDA)', () => {
  it('scales up to the total over the per-pod target', () => {
    // 9.3 rps total over 3 pods against 2 per pod: ratio 1.55 -> ceil(9300 / 2000) = 5; status shows ceil(9300/3).
    assert.deepEqual(proposeForExternalAverage(2_000, 9_300, 3, context(3)), { ok: true, desiredReplicas: 5, utilization: 3_100 });
  });

  it('scales down the same way', () => {
    assert.deepEqual(proposeForExternalAverage(1_500, 4_200, 5, context(5)), { ok: true, desiredReplicas: 3, utilization: 840 });
  });

  it('keeps status.replicas within tolerance', () => {
    assert.deepEqual(proposeForExternalAverage(3_000, 9_300, 3, context(3)), { ok: true, desiredReplicas: 3, utilization: 3_100 });
    const tight = { ...context(3), tolerances: { scaleUp: 0.01, scaleDown: 0.1 } };
    assert.deepEqual(proposeForExternalAverage(3_050, 9_300, 3, tight), { ok: true, desiredReplicas: 4, utilization: 3_100 });
  });

  it('proposes from zero status replicas without dividing by zero', () => {
    assert.deepEqual(proposeForExternalAverage(4_000, 12_000, 0, context(0)), { ok: true, desiredReplicas: 3, utilization: 0 });
    assert.deepEqual(proposeForExternalAverage(4_000, 0, 0, context(0)), { ok: true, desiredReplicas: 0, utilization: 0 });
  });
});

describe('External metric proposal, Value target', () => {
  it('multiplies the ratio by the Running and Ready pods only, even if that scales down', () => {
    // 9 / 4 = 2.25 times the target, but only one of four pods is Ready: ceil(2.25) = 3.
    const fleet = [...pods([0]), neverReady(0), neverReady(0), neverReady(0)];
    assert.deepEqual(proposeForExternalValue(4_000, 9_000, fleet, context(4)), { ok: true, desiredReplicas: 3, utilization: 9_000 });
  });

  it('holds within tolerance and wakes from zero on the ratio alone', () => {
    assert.deepEqual(proposeForExternalValue(7_800, 8_000, pods([0, 0, 0]), context(3)), { ok: true, desiredReplicas: 3, utilization: 8_000 });
    assert.deepEqual(proposeForExternalValue(2_000, 5_000, [], context(0)), { ok: true, desiredReplicas: 3, utilization: 5_000 });
  });
});
