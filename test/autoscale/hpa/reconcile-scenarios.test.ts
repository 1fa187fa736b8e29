import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricTarget } from '../../../src/autoscale/hpa/metric-proposal.js';
import type { PodSnapshot } from '../../../src/autoscale/hpa/pod-snapshot.js';
import { decideReplicas, type AutoscalerLimits } from '../../../src/autoscale/hpa/replica-decision.js';
import { combineProposals, proposeReplicas } from '../../../src/autoscale/hpa/replica-proposal.js';
import { emptyScalingMemory } from '../../../src/autoscale/hpa/scaling-memory.js';
import { context, neverReady, now, pod, pods } from './pod-fixtures.js';

/** One full reconcile of a fresh controller: every metric's proposal, the combination, then the decision. */
function reconcile(limits: AutoscalerLimits, specReplicas: number, metrics: { metric: MetricTarget; pods: PodSnapshot[]; externalValue?: number }[]): number {
  const proposals = metrics.map((m) => proposeReplicas({ ...context(specReplicas), ...m }));
  return decideReplicas({ limits, memory: emptyScalingMemory, currentReplicas: specReplicas, proposal: combineProposals(proposals, specReplicas), now }).desiredReplicas;
}

const cpu = (targetUtilization: number): MetricTarget => ({ type: 'Resource', targetUtilization });
const legacy = (minReplicas: number, maxReplicas: number): AutoscalerLimits => ({ minReplicas, maxReplicas, behavior: null });

// Reconcile-level scenarios of horizontal_test.go (TestScaleUp..., TestUpscaleCap..., TestMoreReplicasThanSpec...),
// restated with our own pods and numbers.
describe('whole reconciles', () => {
  it('scales up on CPU through the legacy path (TestScaleUp)', () => {
    // 1500m of 3000m = 50% against 30%: ceil(1.67 * 3) = 5, under the legacy cap of 6.
    assert.equal(reconcile(legacy(2, 6), 3, [{ metric: cpu(30), pods: pods([400, 500, 600]) }]), 5);
  });

  it('caps a large jump at max(2 * current, 4) without behavior (TestUpscaleCap)', () => {
    // 600m of 300m requested = 200% against 10%: a proposal of 60, capped at 6.
    assert.equal(reconcile(legacy(1, 100), 3, [{ metric: cpu(10), pods: pods([100, 200, 300], 100) }]), 6);
  });

  it('caps at maxReplicas when it is below the legacy cap (TestUpscaleCapGreaterThanMaxReplicas)', () => {
    assert.equal(reconcile(legacy(1, 5), 3, [{ metric: cpu(10), pods: pods([100, 200, 300], 100) }]), 5);
  });

  it('corrects a count above maxReplicas without looking at metrics (TestMoreReplicasThanSpecNoScale)', () => {
    assert.equal(reconcile(legacy(1, 4), 8, [{ metric: cpu(90), pods: pods([10, 10, 10, 10, 10, 10, 10, 10]) }]), 4);
  });

  it('raises a count below minReplicas at once (TestScaleUpRCImmediately)', () => {
    assert.equal(reconcile(legacy(2, 6), 1, [{ metric: cpu(90), pods: pods([10]) }]), 2);
  });

  it('holds the first scale-down of a fresh controller for the stabilization window (TestScaleDown...)', () => {
    // 20% against 50% would shrink 5 pods to 2, but the controller remembers the 5 it started with.
    assert.equal(reconcile(legacy(1, 10), 5, [{ metric: cpu(50), pods: pods([200, 200, 200, 200, 200]) }]), 5);
  });

  it('scales up less with unready pods and holds with hot ones (TestScaleUpUnreadyLessScale, ...HotCpuNoScale)', () => {
    assert.equal(reconcile(legacy(1, 10), 3, [{ metric: cpu(30), pods: [neverReady(100), ...pods([500, 700])] }]), 4);
    const hot = (usage: number) => pod({ usage, startedAgo: 20, readyChangedAgo: 5 });
    assert.equal(reconcile(legacy(1, 10), 3, [{ metric: cpu(30), pods: [hot(300), hot(300), pod({ usage: 300 })] }]), 3);
  });

  it('takes the larger of a CPU and a request-rate metric, and scales up even when another metric fails (TestScaleUpOneMetricEmpty)', () => {
    const fleet = pods([300, 300, 300]);
    const rate: MetricTarget = { type: 'External', targetAverageValue: 100_000 };
    // CPU is on target (3); the rate asks for 900/100 = 9; the default policies allow 3 + 4 = 7 this sync.
    assert.equal(reconcile({ minReplicas: 1, maxReplicas: 20, behavior: {} }, 3, [{ metric: cpu(30), pods: fleet }, { metric: rate, pods: fleet, externalValue: 900_000 }]), 7);
    assert.equal(reconcile({ minReplicas: 1, maxReplicas: 20, behavior: {} }, 3, [{ metric: cpu(20), pods: fleet }, { metric: rate, pods: fleet }]), 5);
  });
});
