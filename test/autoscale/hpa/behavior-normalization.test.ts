import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { limitByBehaviorRate, stabilizeWithBehavior } from '../../../src/autoscale/hpa/behavior-normalization.js';
import { resolveBehavior, type ScalingRules, type SelectPolicy } from '../../../src/autoscale/hpa/scaling-behavior.js';
import type { ScaleEvent } from '../../../src/autoscale/hpa/scaling-memory.js';

const now = 5000;

/** Rules with a Pods and/or Percent policy (0 leaves one out), like the controller tests' generateScalingRules. */
function rules(pods: number, podsPeriod: number, percent: number, percentPeriod: number, window: number, selectPolicy: SelectPolicy = 'Max'): ScalingRules {
  const policies = [
    ...(pods > 0 ? [{ type: 'Pods' as const, value: pods, periodSeconds: podsPeriod }] : []),
    ...(percent > 0 ? [{ type: 'Percent' as const, value: percent, periodSeconds: percentPeriod }] : []),
  ];
  return { stabilizationWindowSeconds: window, selectPolicy, policies };
}

/** Events at the given seconds before now. */
const events = (...pairs: [change: number, ago: number][]): ScaleEvent[] => pairs.map(([change, ago]) => ({ change, time: now - ago, outdated: false }));

function limited(args: { current: number; desired: number; min?: number; max?: number; up?: ScalingRules; down?: ScalingRules; upEvents?: ScaleEvent[]; downEvents?: ScaleEvent[] }): number {
  return limitByBehaviorRate({
    currentReplicas: args.current,
    desiredReplicas: args.desired,
    minReplicas: args.min ?? 1,
    maxReplicas: args.max ?? 1000,
    behavior: resolveBehavior({ scaleUp: args.up ?? null, scaleDown: args.down ?? null }, 300),
    scaleUpEvents: args.upEvents ?? [],
    scaleDownEvents: args.downEvents ?? [],
    now,
  });
}

// TestScalingWithRules, with our own counts and event histories.
describe('behavior rate limits', () => {
  it('passes a desired count within range and within the default policies', () => {
    assert.equal(limited({ current: 6, desired: 8, min: 2, max: 10 }), 8);
  });

  it('raises to minReplicas, and allows zero when min is zero', () => {
    assert.equal(limited({ current: 4, desired: 1, min: 3, max: 10 }), 3);
    assert.equal(limited({ current: 2, desired: 0, min: 0, max: 10 }), 0);
  });

  it('caps at maxReplicas when the policies would allow more', () => {
    assert.equal(limited({ current: 30, desired: 900, max: 12 }), 12);
    assert.equal(limited({ current: 100, desired: 900, min: 100, max: 150 }), 150);
  });

  it('defaults to the larger of 4 pods and 100% per 15 s', () => {
    assert.equal(limited({ current: 12, desired: 60 }), 24);
    assert.equal(limited({ current: 2, desired: 60 }), 6);
  });

  it('picks the larger policy under selectPolicy Max', () => {
    assert.equal(limited({ current: 12, desired: 600, up: rules(50, 60, 100, 60, 0) }), 62);
    assert.equal(limited({ current: 12, desired: 600, up: rules(3, 60, 100, 60, 0) }), 24);
  });

  it('picks the smaller policy under selectPolicy Min', () => {
    assert.equal(limited({ current: 10, desired: 600, up: rules(4, 60, 100, 60, 0, 'Min') }), 14);
  });

  it('does not scale in a direction whose selectPolicy is Disabled', () => {
    assert.equal(limited({ current: 5, desired: 9, up: rules(4, 60, 0, 0, 0, 'Disabled') }), 5);
    assert.equal(limited({ current: 9, desired: 2, down: rules(4, 60, 0, 0, 0, 'Disabled') }), 9);
  });

  it('rounds a Percent scale-up up, so a single pod can grow', () => {
    assert.equal(limited({ current: 5, desired: 800, up: rules(0, 0, 1, 60, 0) }), 6);
    assert.equal(limited({ current: 12, desired: 60, up: rules(0, 0, 150, 60, 0) }), 30);
  });

  it('lets a single large policy through up to the desired count', () => {
    assert.equal(limited({ current: 12, desired: 60, up: rules(200, 60, 0, 0, 0) }), 60);
    assert.equal(limited({ current: 12, desired: 60, up: rules(20, 60, 0, 0, 0) }), 32);
  });

  it('limits scale-down with Max picking the largest drop, and truncates Percent', () => {
    assert.equal(limited({ current: 120, desired: 3, down: rules(25, 60, 2, 60, 300) }), 95);
    assert.equal(limited({ current: 120, desired: 3, down: rules(3, 60, 5, 60, 300) }), 114);
    assert.equal(limited({ current: 12, desired: 6, down: rules(0, 0, 50, 60, 300) }), 6);
    assert.equal(limited({ current: 12, desired: 3, down: rules(4, 60, 0, 0, 300) }), 8);
  });

  it('stops a scale-down at minReplicas', () => {
    assert.equal(limited({ current: 12, desired: 0, down: rules(100, 60, 0, 0, 300) }), 1);
    assert.equal(limited({ current: 12, desired: 3, min: 6, down: rules(0, 0, 100, 60, 300) }), 6);
  });

  describe('with earlier scale events', () => {
    const recentUps = events([2, 100], [4, 60], [6, 20]);

    it('counts only events strictly inside the period', () => {
      // Within 60 s only the +6 (the +4 lies exactly at the edge): start 114, +400 -> capped by max 250.
      assert.equal(limited({ current: 120, desired: 600, max: 250, up: rules(400, 60, 0, 0, 0), upEvents: recentUps }), 250);
    });

    it('holds, never shrinks, when earlier growth used up the period', () => {
      assert.equal(limited({ current: 120, desired: 600, up: rules(6, 120, 0, 0, 0), upEvents: recentUps }), 120);
    });

    it('allows the rest of the period budget', () => {
      assert.equal(limited({ current: 120, desired: 600, up: rules(150, 120, 0, 0, 0), upEvents: recentUps }), 258);
      assert.equal(limited({ current: 120, desired: 600, up: rules(0, 0, 150, 120, 0), upEvents: recentUps }), 270);
    });

    it('undoes both up and down events to find the period start', () => {
      // 9 now, +5 and -3 in the period: it started at 7; 200% more -> 21.
      assert.equal(limited({ current: 9, desired: 30, up: rules(0, 0, 200, 300, 0), upEvents: events([5, 60]), downEvents: events([3, 60]) }), 21);
      // 10 now, +2 and -4 in the period: started at 12; 50% fewer -> 6.
      assert.equal(limited({ current: 10, desired: 1, down: rules(0, 0, 50, 180, 0), upEvents: events([2, 60]), downEvents: events([4, 60]) }), 6);
    });

    it('applies past scale-downs to the scale-down budget', () => {
      const recentDowns = events([3, 100], [5, 60], [7, 20]);
      assert.equal(limited({ current: 15, desired: 6, downEvents: recentDowns }), 6);
      assert.equal(limited({ current: 120, desired: 2, down: rules(4, 120, 0, 0, 300), downEvents: recentDowns }), 120);
      assert.equal(limited({ current: 120, desired: 0, down: rules(0, 0, 50, 120, 300), downEvents: recentDowns }), 67);
      assert.equal(limited({ current: 10, desired: 5, down: rules(0, 0, 1000, 120, 300), downEvents: recentDowns }), 5);
    });
  });
});

// TestNormalizeDesiredReplicasWithBehavior, with our own histories.
describe('behavior stabilization', () => {
  const recs = (...pairs: [number, number][]) => pairs.map(([replicas, ago]) => ({ replicas, time: now - ago }));
  const behavior = (upWindow: number, downWindow: number) =>
    resolveBehavior({ scaleUp: { stabilizationWindowSeconds: upWindow }, scaleDown: { stabilizationWindowSeconds: downWindow } }, 300);

  it('records the first recommendation', () => {
    const result = stabilizeWithBehavior([], behavior(0, 300), 50, 6, now);
    assert.equal(result.replicas, 6);
    assert.deepEqual(result.recommendations, [{ replicas: 6, time: now }]);
  });

  it('holds the largest recommendation of the scale-down window', () => {
    const result = stabilizeWithBehavior(recs([5, 120], [7, 60]), behavior(0, 180), 50, 4, now);
    assert.equal(result.replicas, 7);
    assert.equal(result.recommendations.length, 3);
  });

  it('holds the smallest recommendation of the scale-up window', () => {
    assert.equal(stabilizeWithBehavior(recs([5, 120], [6, 60]), behavior(300, 0), 2, 9, now).replicas, 5);
  });

  it('does not stabilize a direction whose window holds nothing higher (or lower)', () => {
    assert.equal(stabilizeWithBehavior(recs([2, 120], [3, 60]), behavior(300, 0), 50, 4, now).replicas, 4);
    assert.equal(stabilizeWithBehavior(recs([8, 120], [9, 60]), behavior(0, 300), 2, 7, now).replicas, 7);
  });

  it('reuses the last slot older than both windows', () => {
    const result = stabilizeWithBehavior(recs([12, 600], [11, 540]), behavior(0, 300), 50, 4, now);
    assert.equal(result.replicas, 4);
    assert.deepEqual(result.recommendations.map((r) => r.replicas), [12, 4]);
    const upHeavy = stabilizeWithBehavior(recs([12, 6000], [6, 60], [5, 120], [9, 180]), behavior(300, 300), 1, 100, now);
    assert.equal(upHeavy.replicas, 5);
    assert.deepEqual(upHeavy.recommendations.map((r) => r.replicas), [100, 6, 5, 9]);
  });

  it('keeps the current count when the windows disagree with the move', () => {
    assert.equal(stabilizeWithBehavior(recs([3, 6000], [4, 180]), behavior(300, 300), 3, 2, now).replicas, 3);
    assert.equal(stabilizeWithBehavior(recs([3, 6000], [2, 180]), behavior(300, 300), 3, 5, now).replicas, 3);
  });
});
