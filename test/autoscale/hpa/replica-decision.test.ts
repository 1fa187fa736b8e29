import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideReplicas, type AutoscalerLimits } from '../../../src/autoscale/hpa/replica-decision.js';
import type { ScalingBehavior } from '../../../src/autoscale/hpa/scaling-behavior.js';
import { emptyScalingMemory, type ScalingMemory } from '../../../src/autoscale/hpa/scaling-memory.js';

const limits = (minReplicas: number, maxReplicas: number, behavior: ScalingBehavior | null = null): AutoscalerLimits => ({ minReplicas, maxReplicas, behavior });

/** Runs syncs of [time, proposal] in order from a fresh controller; returns the replica count after each. */
function run(l: AutoscalerLimits, start: number, syncs: [number, number | null][]): number[] {
  let memory: ScalingMemory = emptyScalingMemory;
  let current = start;
  return syncs.map(([now, proposal]) => {
    const decision = decideReplicas({ limits: l, memory, currentReplicas: current, proposal, now });
    memory = decision.memory;
    current = decision.desiredReplicas;
    return current;
  });
}

describe('replica decision (reconcile after the metrics)', () => {
  it('leaves a target scaled to zero alone', () => {
    assert.deepEqual(run(limits(1, 10), 0, [[0, 5]]), [0]);
  });

  it('brings the count into [min, max] without stabilization or rate limits', () => {
    assert.deepEqual(run(limits(2, 10, {}), 25, [[0, 25]]), [10]);
    assert.deepEqual(run(limits(4, 10), 1, [[0, 1]]), [4]);
  });

  it('does nothing when the metrics forbid scaling', () => {
    assert.deepEqual(run(limits(1, 10), 5, [[0, null]]), [5]);
  });

  it('holds a scale-down for five minutes after the controller starts (legacy path remembers the start count)', () => {
    assert.deepEqual(run(limits(1, 10), 6, [[0, 2], [150, 2], [300, 2], [315, 2]]), [6, 6, 6, 2]);
  });

  it('doubles at most per sync on the legacy path: 2 -> 4 -> 8', () => {
    // The anchor note's example: 2 pods at 200% of a 70% target propose 6, capped at max(2*2, 4) = 4, then 8.
    assert.deepEqual(run(limits(2, 20), 2, [[0, 6], [15, 12], [30, 12]]), [4, 8, 12]);
  });

  it('goes straight to 6 from 2 with an explicit empty behavior (Kubernetes defaults)', () => {
    assert.deepEqual(run(limits(2, 20, {}), 2, [[0, 6]]), [6]);
  });

  it('remembers its own scale events against the policy period', () => {
    const twoPerMinute: ScalingBehavior = { scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } };
    assert.deepEqual(run(limits(1, 20, twoPerMinute), 4, [[0, 10], [15, 10], [45, 10], [61, 10], [121, 10]]), [6, 6, 6, 8, 10]);
  });

  it('scales down once the start count leaves the behavior window, all at once by the default policy', () => {
    // The window keeps recommendations strictly newer than now - 60 s, so at 60 s the start count has left it.
    const fast: ScalingBehavior = { scaleDown: { stabilizationWindowSeconds: 60 } };
    assert.deepEqual(run(limits(1, 20, fast), 8, [[0, 2], [30, 2], [59, 2], [60, 2]]), [8, 8, 8, 2]);
  });

  it('stores no scale events on the legacy path', () => {
    const decision = decideReplicas({ limits: limits(1, 10), memory: emptyScalingMemory, currentReplicas: 2, proposal: 4, now: 0 });
    assert.equal(decision.desiredReplicas, 4);
    assert.deepEqual(decision.memory.scaleUpEvents, []);
  });
});
