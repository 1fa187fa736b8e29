import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { telcoChurnSchema } from '../../src/features/telco-schema.js';
import { compileRecordEncoder } from '../../src/features/record-encoder.js';
import { jensenShannonDivergence, populationStabilityIndex } from '../../src/monitoring/divergence.js';
import { binOf } from '../../src/monitoring/feature-bins.js';
import { buildReferenceProfile, quantileEdges } from '../../src/monitoring/reference-profile-builder.js';
import { referenceProfileShape } from '../../src/model/reference-profile.js';
import { driftFixture } from './drift-fixtures.js';

describe('bins', () => {
  it('a value exactly on an edge falls in the bin above it, as in the trees (x < threshold goes left)', () => {
    const edges = Float64Array.from([2, 6, 12]);
    assert.deepEqual([-1, 1.999, 2, 5.99, 6, 12, 1e9].map((v) => binOf(edges, v)), [0, 0, 1, 1, 2, 3, 3]);
    assert.equal(binOf(new Float64Array(0), 42), 0);
  });

  it('quantile edges are values of the data, ascending, with repeated quantiles merged and none at the minimum', () => {
    assert.deepEqual(quantileEdges(Float64Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1])), [1]);
    assert.deepEqual(quantileEdges(Float64Array.from(Array.from({ length: 100 }, (_, i) => i))), [10, 20, 30, 40, 50, 60, 70, 80, 90]);
    assert.deepEqual(quantileEdges(Float64Array.from([5, 5, 5])), []);
    assert.deepEqual(quantileEdges(new Float64Array(0)), []);
  });
});

describe('divergences', () => {
  it('are 0 for the same distribution, whatever the sample sizes', () => {
    assert.ok(Math.abs(populationStabilityIndex([10, 20, 30], [100, 200, 300])) < 1e-3);
    assert.ok(jensenShannonDivergence([10, 20, 30], [100, 200, 300]) < 1e-3);
  });

  it('PSI matches the formula on a hand-computed case', () => {
    // Shares 0.5/0.5 against 0.8/0.2, with half a count of smoothing on each of the two bins.
    const p = [500.5 / 1001, 500.5 / 1001];
    const q = [800.5 / 1001, 200.5 / 1001];
    const expected = (q[0]! - p[0]!) * Math.log(q[0]! / p[0]!) + (q[1]! - p[1]!) * Math.log(q[1]! / p[1]!);
    assert.ok(Math.abs(populationStabilityIndex([500, 500], [800, 200]) - expected) < 1e-12);
  });

  it('Jensen-Shannon is symmetric and at most one bit; bins empty on both sides are ignored', () => {
    assert.equal(jensenShannonDivergence([1, 9], [9, 1]), jensenShannonDivergence([9, 1], [1, 9]));
    const disjoint = jensenShannonDivergence([1000, 0], [0, 1000]);
    assert.ok(disjoint > 0.99 && disjoint <= 1, String(disjoint));
    assert.equal(populationStabilityIndex([10, 10, 0], [10, 10, 0]), populationStabilityIndex([10, 10], [10, 10]));
  });
});

describe('the reference profile', () => {
  it('of the bundled model is well-formed, has one entry per feature, and counts the training slice', () => {
    const { loaded } = driftFixture();
    const profile = loaded.manifest.referenceProfile!;
    assert.ok(referenceProfileShape.safeParse(profile).success);
    assert.equal(profile.rows, loaded.manifest.training.split.trainRows);
    assert.deepEqual(profile.features.map((f) => f.name), telcoChurnSchema.features.map((f) => f.name));
    const total = profile.features.find((f) => f.name === 'TotalCharges')!;
    assert.ok(total.missing > 0 && total.missing < loaded.manifest.training.data.missing['TotalCharges']!);
    // Deciles of the scores: ten bins of about a tenth each.
    assert.equal(profile.score.counts.length, 10);
    for (const count of profile.score.counts) assert.ok(Math.abs(count / profile.rows - 0.1) < 0.01);
  });

  it('is built from encoded rows and scores, and refuses mismatched sizes', () => {
    const encoder = compileRecordEncoder(telcoChurnSchema);
    const { heldOut } = driftFixture();
    const rows = 50;
    const x = new Float64Array(rows * encoder.width);
    heldOut.slice(0, rows).forEach((record, r) => assert.equal(encoder.encode(record, x, r * encoder.width), undefined));
    const scores = Array.from({ length: rows }, (_, r) => r / rows);
    const profile = buildReferenceProfile({ schema: telcoChurnSchema, x, rows, scores, source: 'fifty rows' });
    assert.ok(referenceProfileShape.safeParse(profile).success);
    assert.equal(profile.rows, rows);
    assert.throws(() => buildReferenceProfile({ schema: telcoChurnSchema, x, rows, scores: scores.slice(1), source: '' }), RangeError);
  });
});
