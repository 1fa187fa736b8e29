import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replicasChangedWithin, storeScaleEvent } from '../../../src/autoscale/hpa/scale-events.js';
import { resolveBehavior } from '../../../src/autoscale/hpa/scaling-behavior.js';
import type { ScaleEvent } from '../../../src/autoscale/hpa/scaling-memory.js';

const now = 9000;
const events = (...pairs: [change: number, ago: number][]): ScaleEvent[] => pairs.map(([change, ago]) => ({ change, time: now - ago, outdated: false }));
const rulesWith = (periods: number[]) =>
  resolveBehavior({ scaleUp: { policies: periods.map((periodSeconds, i) => ({ type: i % 2 === 0 ? 'Pods' as const : 'Percent' as const, value: 10, periodSeconds })) } }, 300).scaleUp;
const shape = (list: readonly ScaleEvent[]) => list.map((e) => [e.change, e.outdated]);

// TestStoreScaleEvents, with our own histories.
describe('scale event store', () => {
  it('appends to an empty history', () => {
    assert.deepEqual(shape(storeScaleEvent([], rulesWith([60, 60]), 5, now)), [[5, false]]);
  });

  it('replaces an event older than the longest period', () => {
    assert.deepEqual(shape(storeScaleEvent(events([7, 75]), rulesWith([60, 60]), 5, now)), [[5, false]]);
  });

  it('keeps events still inside the period and appends', () => {
    assert.deepEqual(shape(storeScaleEvent(events([7, 40]), rulesWith([60, 60]), 5, now)), [[7, false], [5, false]]);
  });

  it('replaces only the stale one of two', () => {
    assert.deepEqual(shape(storeScaleEvent(events([7, 75], [6, 50]), rulesWith([60]), 5, now)), [[5, false], [6, false]]);
  });

  it('marks every stale event outdated and reuses the last of them, judged by the longest period', () => {
    const result = storeScaleEvent(events([8, 20], [6, 55], [7, 65], [9, 70]), rulesWith([60, 30]), 5, now);
    assert.deepEqual(shape(result), [[8, false], [6, false], [7, true], [5, false]]);
  });

  it('sums the changes strictly inside a period', () => {
    const history = events([8, 20], [6, 55], [7, 60], [9, 70]);
    assert.equal(replicasChangedWithin(60, history, now), 14);
    assert.equal(replicasChangedWithin(120, history, now), 30);
    assert.equal(replicasChangedWithin(10, history, now), 0);
  });
});
