import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binOf, fitFeatureBins } from '../../src/training/gbdt/feature-bins.js';
import { SeededRandom } from '../../src/foundation/seeded-random.js';

describe('feature bins', () => {
  it('gives each distinct value its own bin when there are few', () => {
    const bins = fitFeatureBins(Float64Array.from([3, 1, 2, 2, NaN, 1]), 6, 1);
    assert.deepEqual(Array.from(bins.cuts[0]!), [2, 3]);
    assert.deepEqual(Array.from(bins.bins), [2, 0, 1, 1, 3, 0]);
    assert.equal(bins.missingBin[0], 3);
    assert.equal(bins.hasMissing[0], 1);
  });

  it('caps the number of bins with quantile cuts', () => {
    const random = new SeededRandom(1);
    const x = Float64Array.from({ length: 5000 }, () => random.next());
    const bins = fitFeatureBins(x, 5000, 1, 16);
    assert.ok(bins.cuts[0]!.length <= 15);
    const counts = new Array(16).fill(0);
    for (const b of bins.bins) counts[b]++;
    assert.ok(Math.max(...counts) < 2 * (5000 / 16));
  });

  it('makes "bin <= b" the same test as "value < cuts[b]" for every value and cut', () => {
    const random = new SeededRandom(2);
    const x = Float64Array.from({ length: 2000 }, () => Math.round(random.next() * 300) / 7);
    const bins = fitFeatureBins(x, 2000, 1, 32);
    const cuts = bins.cuts[0]!;
    for (let r = 0; r < 2000; r++) {
      for (let b = 0; b < cuts.length; b++) assert.equal(bins.bins[r]! <= b, x[r]! < cuts[b]!);
    }
  });

  it('binOf counts the cuts at or below a value', () => {
    const cuts = Float64Array.from([1, 2, 3]);
    assert.deepEqual([0.5, 1, 1.5, 3, 9].map((v) => binOf(cuts, v)), [0, 1, 1, 3, 3]);
  });

  it('rejects more bins than a byte can index', () => {
    assert.throws(() => fitFeatureBins(new Float64Array(1), 1, 1, 300), RangeError);
  });
});
