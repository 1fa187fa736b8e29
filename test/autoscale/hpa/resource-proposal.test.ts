import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proposeForCpuUtilization } from '../../../src/autoscale/hpa/resource-proposal.js';
import { context, neverReady, pod, pods } from './pod-fixtures.js';

// Scenarios of the controller's TestReplicaCalcResourceScale / ...MissingMetrics / ...Tolerance, with our own numbers.
describe('CPU utilization proposal', () => {
  it('scales up in proportion to the utilization over target, truncating the percentage', () => {
    // 1600m of 2000m requested = 80%, against 50%: 4 * 1.6 = 6.4 -> 7.
    const result = proposeForCpuUtilization(context(4), 50, pods([400, 450, 350, 400], 500));
    assert.deepEqual(result, { ok: true, desiredReplicas: 7, utilization: 80 });
  });

  it('truncates the utilization percentage like Go integer division', () => {
    // 3327m of 3000m = 110.9% -> 110, exactly at the tolerance bound, so no change (110.9 would scale to 4).
    const result = proposeForCpuUtilization(context(3), 100, pods([1109, 1109, 1109], 1000));
    assert.deepEqual(result, { ok: true, desiredReplicas: 3, utilization: 110 });
  });

  it('counts an unready pod as idle when scaling up, so it scales less', () => {
    // Ready pods: 1200/1500 = 80% -> ratio 1.6; with the unready pod at 0: 1200/2000 = 60% -> 1.2 * 4 = 4.8 -> 5.
    const result = proposeForCpuUtilization(context(4), 50, [neverReady(100, 500), ...pods([400, 450, 350], 500)]);
    assert.deepEqual(result, { ok: true, desiredReplicas: 5, utilization: 80 });
  });

  it('ignores the start-up CPU of a pod whose sample predates one full window after it became Ready', () => {
    // The hot pod started 60 s ago and became Ready 10 s ago; a 15 s sample ending now began before that.
    const hot = pod({ usage: 500, request: 500, startedAgo: 60, readyChangedAgo: 10 });
    // Others: 900/1500 = 60% -> 1.5; hot pod at 0: 900/2000 = 45% -> 1.125 * 4 = 4.5 -> 5 (7 if the hot CPU counted).
    const result = proposeForCpuUtilization(context(4), 40, [hot, ...pods([300, 300, 300], 500)]);
    assert.deepEqual(result, { ok: true, desiredReplicas: 5, utilization: 60 });
  });

  it('counts a young pod once a full sample window lies after its Ready transition', () => {
    const settled = pod({ usage: 500, request: 500, startedAgo: 60, readyChangedAgo: 30 });
    const result = proposeForCpuUtilization(context(4), 40, [settled, ...pods([300, 300, 300], 500)]);
    // (900 + 500) / 2000 = 70% -> 1.75 * 4 = 7.
    assert.deepEqual(result, { ok: true, desiredReplicas: 7, utilization: 70 });
  });

  it('holds when the ready pods are on target and only unready pods are busy', () => {
    const result = proposeForCpuUtilization(context(3), 50, [pod({ usage: 250, request: 500 }), neverReady(500, 500), neverReady(500, 500)]);
    assert.deepEqual(result, { ok: true, desiredReplicas: 3, utilization: 50 });
  });

  it('leaves failed, succeeded and terminating pods out', () => {
    const result = proposeForCpuUtilization(context(2), 40, [
      ...pods([400, 400], 500),
      pod({ usage: 500, request: 500, phase: 'Failed', ready: false }),
      pod({ usage: 500, request: 500, phase: 'Succeeded', ready: false }),
      pod({ usage: 20, request: 500, deleted: true }),
    ]);
    // 800/1000 = 80% -> 2 * 2 = 4; the terminating pod's low CPU would otherwise drag it down.
    assert.deepEqual(result, { ok: true, desiredReplicas: 4, utilization: 80 });
  });

  it('scales down in proportion', () => {
    // 1000/5000 = 20% against 40% -> 0.5 * 5 = 2.5 -> 3.
    const result = proposeForCpuUtilization(context(5), 40, pods([200, 150, 250, 100, 300]));
    assert.deepEqual(result, { ok: true, desiredReplicas: 3, utilization: 20 });
  });

  it('scales down over the ready pods only, excluding unready ones', () => {
    const result = proposeForCpuUtilization(context(5), 40, [...pods([200, 150, 250]), neverReady(900), neverReady(900)]);
    // 600/3000 = 20% -> 0.5 * 3 ready = 1.5 -> 2.
    assert.deepEqual(result, { ok: true, desiredReplicas: 2, utilization: 20 });
  });

  it('scales down past Pending pods, which have no say', () => {
    const pending = () => pod({ usage: null, phase: 'Pending', ready: false });
    const result = proposeForCpuUtilization(context(5), 50, [pod({ usage: 100 }), pending(), pending(), pending(), pending()]);
    assert.deepEqual(result, { ok: true, desiredReplicas: 1, utilization: 10 });
  });

  it('assumes pods without samples use their whole request when scaling down', () => {
    // 480/2000 = 24%; with the two missing pods at 1000m: 2480/4000 = 62% -> 0.62 * 4 = 2.48 -> 3.
    const result = proposeForCpuUtilization(context(4), 100, pods([300, 180, null, null]));
    assert.deepEqual(result, { ok: true, desiredReplicas: 3, utilization: 24 });
  });

  it('assumes the target instead of the request for missing pods when the target is above 100%', () => {
    const mixed = [neverReady(400, 1000), pod({ usage: 200, request: 1000 }), pod({ usage: 200, request: 2000 }), pod({ usage: null, request: 2000 })];
    // Ready: 400/3000 = 13%; missing at 250% of 2000m = 5000m: 5400/5000 = 108% -> 0.432 * 3 = 1.3 -> 2.
    const result = proposeForCpuUtilization(context(4), 250, mixed);
    assert.deepEqual(result, { ok: true, desiredReplicas: 2, utilization: 13 });
  });

  it('holds on target even with a pod missing', () => {
    assert.deepEqual(proposeForCpuUtilization(context(2), 100, pods([1000, null])), { ok: true, desiredReplicas: 2, utilization: 100 });
  });

  it('does not scale up when idling the missing pod flips the direction', () => {
    // 170% alone, but with the missing pod at 0: 85% -> below target -> no change.
    assert.deepEqual(proposeForCpuUtilization(context(2), 100, pods([1700, null])), { ok: true, desiredReplicas: 2, utilization: 170 });
  });

  it('does not scale down when the missing pod at full request lands within range', () => {
    // 70%, then (700 + 1000) / 2000 = 85% -> ceil(1.7) = 2 = current.
    assert.deepEqual(proposeForCpuUtilization(context(2), 100, pods([700, null])), { ok: true, desiredReplicas: 2, utilization: 70 });
  });

  it('scales up with an unready pod and a missing pod both counted as idle', () => {
    const result = proposeForCpuUtilization(context(3), 50, [neverReady(150), pod({ usage: 1800 }), pod({ usage: null })]);
    // Ready: 180% -> 3.6; recount 1800/3000 = 60% -> 1.2 * 3 = 3.6 -> 4.
    assert.deepEqual(result, { ok: true, desiredReplicas: 4, utilization: 180 });
  });

  it('keeps the count during a rolling update when the surge pod has no sample yet', () => {
    // Two of three pods report 15% against 60%; the recount with the surge pod at 100% asks for 3 > 2 while going
    // down, so the controller keeps 2.
    assert.deepEqual(proposeForCpuUtilization(context(2), 60, pods([150, 150, null])), { ok: true, desiredReplicas: 2, utilization: 15 });
  });

  it('fails without any usable sample or with a pod lacking a CPU request', () => {
    assert.equal(proposeForCpuUtilization(context(3), 50, pods([null, null, null])).ok, false);
    assert.equal(proposeForCpuUtilization(context(1), 50, [pod({ usage: 200, request: null })]).ok, false);
    assert.equal(proposeForCpuUtilization(context(1), 50, []).ok, false);
    assert.equal(proposeForCpuUtilization(context(2), 50, [neverReady(500), neverReady(500)]).ok, false);
  });

  describe('tolerance', () => {
    const mixed = (usages: readonly number[]) => [900, 1000, 1100].map((request, i) => pod({ usage: usages[i]!, request }));

    it('holds within the default 10%', () => {
      // 3150/3000 = 105% against 100%.
      assert.deepEqual(proposeForCpuUtilization(context(3), 100, mixed([1050, 1050, 1050])), { ok: true, desiredReplicas: 3, utilization: 105 });
    });

    it('acts outside a tighter per-direction tolerance', () => {
      const tight = { ...context(3), tolerances: { scaleUp: 0.02, scaleDown: 0.1 } };
      assert.deepEqual(proposeForCpuUtilization(tight, 100, mixed([1050, 1050, 1050])), { ok: true, desiredReplicas: 4, utilization: 105 });
    });

    it('uses the scale-down tolerance only going down', () => {
      const loose = { ...context(3), tolerances: { scaleUp: 0.1, scaleDown: 0.36 } };
      const usage = mixed([650, 650, 650]);
      assert.deepEqual(proposeForCpuUtilization(loose, 100, usage), { ok: true, desiredReplicas: 3, utilization: 65 });
      const tighter = { ...context(3), tolerances: { scaleUp: 0.1, scaleDown: 0.3 } };
      assert.deepEqual(proposeForCpuUtilization(tighter, 100, usage), { ok: true, desiredReplicas: 2, utilization: 65 });
    });

    it('treats the tolerance bounds as inclusive', () => {
      // Exactly 110% against 100% with tolerance 0.1 is within.
      assert.deepEqual(proposeForCpuUtilization(context(2), 100, pods([1100, 1100])), { ok: true, desiredReplicas: 2, utilization: 110 });
      assert.deepEqual(proposeForCpuUtilization(context(2), 100, pods([1110, 1110])), { ok: true, desiredReplicas: 3, utilization: 111 });
    });
  });
});
