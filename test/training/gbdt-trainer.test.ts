import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rocAuc } from '../../src/evaluation/metrics.js';
import { treeEnsembleMargin, type TreeEnsemble } from '../../src/model/tree-ensemble.js';
import { defaultGbdtParams, trainGbdt, type GbdtParams } from '../../src/training/gbdt/gbdt-trainer.js';
import { syntheticMatrix } from '../helpers/synthetic.js';

const params: GbdtParams = { ...defaultGbdtParams, maxRounds: 200, earlyStoppingRounds: 20 };
// An interaction no single split captures, with 10% label noise.
const xorLabel = (row: Float64Array, random: { next(): number }) => (((row[0]! > 0.5) !== (row[1]! > 0.5)) !== (random.next() < 0.1) ? 1 : 0);

function depth(model: TreeEnsemble, node: number): number {
  return model.feature[node]! < 0 ? 0 : 1 + Math.max(depth(model, model.left[node]!), depth(model, model.right[node]!));
}

describe('GBDT trainer', () => {
  const train = syntheticMatrix(3000, 4, 1, xorLabel);
  const valid = syntheticMatrix(800, 4, 2, xorLabel);
  const test = syntheticMatrix(1000, 4, 3, xorLabel);
  const result = trainGbdt(train, valid, params, 42);

  it('learns an interaction (test AUC near the 0.9 ceiling the label noise allows)', () => {
    assert.ok(rocAuc(test.y, result.margins(test)) > 0.88);
  });

  it('saves trees that score exactly like its own binned routing', () => {
    const margins = result.margins(test);
    for (let r = 0; r < test.rows; r++) assert.equal(treeEnsembleMargin(result.ensemble, test.x, r * test.columns), margins[r]);
  });

  it('respects max depth and min child weight', () => {
    const { ensemble } = result;
    for (const root of ensemble.roots) assert.ok(depth(ensemble, root) <= params.maxDepth);
    for (let n = 0; n < ensemble.feature.length; n++) if (ensemble.feature[n]! < 0) assert.ok(ensemble.cover[n]! >= params.minChildWeight);
  });

  it('is deterministic for a seed and depends on it', () => {
    assert.deepEqual(trainGbdt(train, valid, params, 42).ensemble, result.ensemble);
    assert.notDeepEqual(trainGbdt(train, valid, params, 43).ensemble.threshold, result.ensemble.threshold);
  });

  it('stops early on noise and keeps the best round', () => {
    const noise = (_: Float64Array, random: { next(): number }) => (random.next() < 0.3 ? 1 : 0);
    const r = trainGbdt(syntheticMatrix(1000, 3, 4, noise), syntheticMatrix(500, 3, 5, noise), params, 42);
    assert.ok(r.roundsRun < params.maxRounds);
    assert.equal(r.roundsRun - r.rounds, params.earlyStoppingRounds);
    assert.equal(r.ensemble.roots.length, r.rounds);
    const best = r.history.reduce((a, b) => (b.validLoss < a.validLoss ? b : a));
    assert.equal(best.round, r.rounds);
  });

  it('learns where missing values go', () => {
    // Column 0 decides the label; when it is missing the customer churned, so NaN must route like x0 > 0.5.
    const label = (row: Float64Array) => (row[0]! > 0.5 ? 1 : 0);
    const withMissing = (seed: number) => {
      const m = syntheticMatrix(2000, 2, seed, label);
      for (let r = 0; r < m.rows; r += 5) { m.x[r * 2] = NaN; m.y[r] = 1; }
      return m;
    };
    const r = trainGbdt(withMissing(6), withMissing(7), params, 42);
    const margin = (x0: number) => treeEnsembleMargin(r.ensemble, Float64Array.from([x0, 0.5]), 0);
    assert.ok(margin(NaN) > 0);
    assert.ok(margin(0.2) < 0);
    assert.ok(Math.abs(margin(NaN) - margin(0.8)) < Math.abs(margin(NaN) - margin(0.2)));
  });
});
