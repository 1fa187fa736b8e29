import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proposeForPodsAverage } from '../../../src/autoscale/hpa/pods-metric-proposal.js';
import { context, pod, pods } from './pod-fixtures.js';

// Scenarios of the controller's TestReplicaCalcPodMetric, with our own request rates (milli-requests per second).
describe('Pods metric (average value) proposal', () => {
  it('scales up on the truncated average', () => {
    // Average 18 rps against 12: 1.5 * 3 = 4.5 -> 5.
    assert.deepEqual(proposeForPodsAverage(context(3), 12_000, pods([18_000, 12_000, 24_000])), { ok: true, desiredReplicas: 5, utilization: 18_000 });
  });

  it('truncates the average like Go integer division', () => {
    // 62002 / 3 = 20667.33 -> 20667; 1.033 is within tolerance.
    const result = proposeForPodsAverage(context(3), 20_000, pods([20_000, 21_000, 21_002]));
    assert.deepEqual(result, { ok: true, desiredReplicas: 3, utilization: 20_667 });
  });

  it('does not apply the CPU start-up rules: an unready, young pod still counts', () => {
    const young = pod({ usage: 40_000, ready: false, startedAgo: 5, readyChangedAgo: 5 });
    // (40000 + 8000 + 24000) / 3 = 24000 against 12000 -> 2 * 3 = 6.
    assert.deepEqual(proposeForPodsAverage(context(3), 12_000, [young, ...pods([8_000, 24_000])]), { ok: true, desiredReplicas: 6, utilization: 24_000 });
  });

  it('counts a Pending pod as idle when scaling up', () => {
    const pending = pod({ usage: 30_000, phase: 'Pending', ready: false });
    // Running pods: 30 rps against 20 -> 1.5; with the Pending pod at 0: 20 -> exactly on target -> hold.
    assert.deepEqual(proposeForPodsAverage(context(3), 20_000, [pending, ...pods([30_000, 30_000])]), { ok: true, desiredReplicas: 3, utilization: 30_000 });
  });

  it('scales down', () => {
    assert.deepEqual(proposeForPodsAverage(context(5), 15_000, pods([9_000, 9_000, 9_000, 9_000, 9_000])), { ok: true, desiredReplicas: 3, utilization: 9_000 });
  });

  it('holds within tolerance and acts outside a tighter one', () => {
    const usage = pods([20_000, 20_500, 21_300]);
    assert.deepEqual(proposeForPodsAverage(context(3), 20_000, usage), { ok: true, desiredReplicas: 3, utilization: 20_600 });
    const tight = { ...context(3), tolerances: { scaleUp: 0.01, scaleDown: 0.1 } };
    assert.deepEqual(proposeForPodsAverage(tight, 20_000, usage), { ok: true, desiredReplicas: 4, utilization: 20_600 });
  });

  it('holds on target when some pods lack samples', () => {
    assert.deepEqual(proposeForPodsAverage(context(5), 15_000, pods([14_000, 16_000, 15_000, null, null])), { ok: true, desiredReplicas: 5, utilization: 15_000 });
  });

  it('keeps the count during a rolling update when the surge pod has no sample yet', () => {
    // 6 rps against 10 -> 0.6; the surge pod assumed at 10: 7.33 -> ceil(2.2) = 3 > 2 while going down -> hold.
    assert.deepEqual(proposeForPodsAverage(context(2), 10_000, pods([6_000, 6_000, null])), { ok: true, desiredReplicas: 2, utilization: 6_000 });
  });

  it('fails when no pod has a usable sample', () => {
    assert.equal(proposeForPodsAverage(context(2), 10_000, pods([null, null])).ok, false);
    assert.equal(proposeForPodsAverage(context(2), 10_000, []).ok, false);
  });
});
