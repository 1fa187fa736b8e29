import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clampLegacy, legacyScaleUpLimit, stabilizeLegacy } from '../../../src/autoscale/hpa/legacy-normalization.js';

const now = 1000;
const recs = (...pairs: [number, number][]) => pairs.map(([replicas, time]) => ({ replicas, time }));

// TestNormalizeDesiredReplicas (the path of an HPA without spec.behavior), with our own histories.
describe('legacy stabilization', () => {
  it('starts a history with the first recommendation', () => {
    const result = stabilizeLegacy([], 6, now, 300);
    assert.equal(result.replicas, 6);
    assert.deepEqual(result.recommendations, recs([6, now]));
  });

  it('holds the largest recommendation of the last five minutes on the way down', () => {
    const result = stabilizeLegacy(recs([7, now - 120], [8, now - 60]), 4, now, 300);
    assert.equal(result.replicas, 8);
    assert.equal(result.recommendations.length, 3);
  });

  it('follows a rise immediately', () => {
    assert.equal(stabilizeLegacy(recs([2, now - 120], [3, now - 60]), 5, now, 300).replicas, 5);
  });

  it('forgets recommendations older than the window and reuses the last stale slot', () => {
    const result = stabilizeLegacy(recs([12, now - 600], [11, now - 550]), 4, now, 300);
    assert.equal(result.replicas, 4);
    assert.deepEqual(result.recommendations, recs([12, now - 600], [4, now]));
  });

  it('mixes fresh and stale entries', () => {
    const result = stabilizeLegacy(recs([12, now - 600], [5, now - 60], [6, now - 120], [11, now - 550]), 4, now, 300);
    assert.equal(result.replicas, 6);
    assert.deepEqual(result.recommendations, recs([12, now - 600], [5, now - 60], [6, now - 120], [4, now]));
  });

  it('counts an entry exactly at the window edge as fresh', () => {
    assert.equal(stabilizeLegacy(recs([9, now - 300]), 4, now, 300).replicas, 9);
  });
});

describe('legacy clamping', () => {
  it('caps a scale-up at max(2 * current, 4)', () => {
    assert.equal(legacyScaleUpLimit(1), 4);
    assert.equal(legacyScaleUpLimit(3), 6);
    assert.equal(clampLegacy(3, 20, 1, 50), 6);
    assert.equal(clampLegacy(1, 9, 1, 50), 4);
  });

  it('caps at maxReplicas when that is lower, and raises to minReplicas', () => {
    assert.equal(clampLegacy(10, 500, 1, 15), 15);
    assert.equal(clampLegacy(5, 1, 2, 15), 2);
    assert.equal(clampLegacy(5, 4, 2, 15), 4);
  });
});
