import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addLatencyGroup, LatencyHistogram, weightedQuantile, type WeightedPoint } from '../../../src/autoscale/simulator/latency-sketch.js';

const within = (actual: number | null, expected: number, relative: number) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= relative * expected, `${actual} vs ${expected}`);

describe('latency sketch', () => {
  it('gives back the p50 and p99 a group was made from', () => {
    const points: WeightedPoint[] = [];
    addLatencyGroup(points, 1000, 5, 20, 0);
    within(weightedQuantile([...points], 0.5), 5, 0.03);
    within(weightedQuantile([...points], 0.99), 20, 0.05);
    const histogram = new LatencyHistogram();
    histogram.add(points);
    within(histogram.quantile(0.5), 5, 0.03);
    within(histogram.quantile(0.99), 20, 0.05);
  });

  it('shifts a group by its queueing wait and weighs mixtures by count', () => {
    const points: WeightedPoint[] = [];
    addLatencyGroup(points, 10, 5, 20, 100);
    within(weightedQuantile([...points], 0.5), 105, 0.01);
    addLatencyGroup(points, 990, 5, 20, 0);
    // 1% of requests waited 100 ms: the p99 sits at the edge of that slow group.
    const p99 = weightedQuantile([...points], 0.99)!;
    assert.ok(p99 > 20 && p99 < 110, `${p99}`);
    within(weightedQuantile([...points], 0.5), 5, 0.05);
  });

  it('is empty without weight', () => {
    assert.equal(weightedQuantile([], 0.5), null);
    assert.equal(new LatencyHistogram().quantile(0.99), null);
  });
});
