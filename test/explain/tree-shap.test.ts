import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeafTableTreeShap } from '../../src/explain/leaf-table-tree-shap.js';
import { TreeShap } from '../../src/explain/tree-shap.js';
import { treeEnsembleMargin, type TreeEnsemble } from '../../src/model/tree-ensemble.js';
import { defaultGbdtParams, trainGbdt } from '../../src/training/gbdt/gbdt-trainer.js';
import { syntheticMatrix } from '../helpers/synthetic.js';

/** E[f(x) | x_S] with path-dependent expectations (the paper's Algorithm 1), for one tree. */
function conditionalExpectation(model: TreeEnsemble, node: number, x: Float64Array, known: ReadonlySet<number>): number {
  const f = model.feature[node]!;
  if (f < 0) return model.value[node]!;
  const l = model.left[node]!;
  const r = model.right[node]!;
  if (known.has(f)) {
    const v = x[f]!;
    const left = v < model.threshold[node]! ? true : v >= model.threshold[node]! ? false : model.defaultLeft[node] === 1;
    return conditionalExpectation(model, left ? l : r, x, known);
  }
  return (model.cover[l]! * conditionalExpectation(model, l, x, known) + model.cover[r]! * conditionalExpectation(model, r, x, known)) / model.cover[node]!;
}

/** Shapley values from their definition: a weighted sum over every subset of the other columns. */
function bruteForceShapley(model: TreeEnsemble, x: Float64Array): Float64Array {
  const m = model.columns;
  const value = (known: Set<number>) => model.baseMargin + Array.from(model.roots).reduce((sum, root) => sum + conditionalExpectation(model, root, x, known), 0);
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const phi = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    for (let mask = 0; mask < 1 << m; mask++) {
      if (mask & (1 << i)) continue;
      const known = new Set<number>();
      for (let j = 0; j < m; j++) if (mask & (1 << j)) known.add(j);
      const weight = (factorial(known.size) * factorial(m - known.size - 1)) / factorial(m);
      const without = value(known);
      known.add(i);
      phi[i]! += weight * (value(known) - without);
    }
  }
  return phi;
}

describe('TreeSHAP', () => {
  // Interactions, a feature used twice on one path (deep trees), and missing values in column 2.
  const label = (row: Float64Array, random: { next(): number }) =>
    ((row[0]! > 0.5 && row[1]! < 0.3) || row[2]! > 0.8 || (row[3]! > 0.4 && row[3]! < 0.6)) !== (random.next() < 0.1) ? 1 : 0;
  const missing = (column: number, random: { next(): number }) => column === 2 && random.next() < 0.2;
  const train = syntheticMatrix(2000, 5, 11, label, missing);
  const valid = syntheticMatrix(500, 5, 12, label, missing);
  const { ensemble } = trainGbdt(train, valid, { ...defaultGbdtParams, maxDepth: 5, maxRounds: 30, earlyStoppingRounds: 30 }, 42);
  const shap = new TreeShap(ensemble);
  const test = syntheticMatrix(25, 5, 13, label, missing);

  it('equals the Shapley values computed from their definition (1e-9)', () => {
    for (let r = 0; r < test.rows; r++) {
      const x = test.x.subarray(r * 5, r * 5 + 5);
      const phi = new Float64Array(5);
      shap.explain(x, 0, phi);
      const expected = bruteForceShapley(ensemble, x);
      for (let c = 0; c < 5; c++) assert.ok(Math.abs(phi[c]! - expected[c]!) < 1e-9, `row ${r} column ${c}: ${phi[c]} vs ${expected[c]}`);
    }
  });

  it('adds up: expected margin + contributions = margin, and the margin is the evaluator\'s', () => {
    for (let r = 0; r < test.rows; r++) {
      const phi = new Float64Array(5);
      const margin = shap.explain(test.x, r * 5, phi);
      assert.equal(margin, treeEnsembleMargin(ensemble, test.x, r * 5));
      assert.ok(Math.abs(shap.expectedMargin + phi.reduce((a, b) => a + b, 0) - margin) < 1e-9);
    }
  });

  it('gives no credit to a column the trees never read', () => {
    const phi = new Float64Array(5);
    shap.explain(test.x, 0, phi);
    assert.ok(ensemble.feature.every((f) => f !== 4) ? phi[4] === 0 : true);
  });

  it('expected margin is the cover-weighted mean of a one-split tree', () => {
    const stump: TreeEnsemble = {
      kind: 'tree-ensemble', columns: 1, baseMargin: 0.5, roots: Int32Array.from([0]),
      feature: Int32Array.from([0, -1, -1]), threshold: Float64Array.from([1, 0, 0]), defaultLeft: Uint8Array.from([0, 0, 0]),
      left: Int32Array.from([1, -1, -1]), right: Int32Array.from([2, -1, -1]), value: Float64Array.from([0, -1, 3]),
      cover: Float64Array.from([4, 3, 1]),
    };
    const s = new TreeShap(stump);
    assert.equal(s.expectedMargin, 0.5 + (3 * -1 + 1 * 3) / 4);
    const phi = new Float64Array(1);
    assert.equal(s.explain(Float64Array.from([5]), 0, phi), 3.5);
    assert.equal(phi[0], 3.5 - 0.5);
  });
});

describe('TreeSHAP by leaf tables', () => {
  const label = (row: Float64Array, random: { next(): number }) =>
    ((row[0]! > 0.5 && row[1]! < 0.3) || row[2]! > 0.8 || (row[3]! > 0.4 && row[3]! < 0.6)) !== (random.next() < 0.1) ? 1 : 0;
  const missing = (column: number, random: { next(): number }) => column === 2 && random.next() < 0.2;
  for (const maxDepth of [1, 3, 6]) {
    it(`matches the recursive algorithm and its margin (depth ${maxDepth}, 1e-12)`, () => {
      const train = syntheticMatrix(2000, 5, 21, label, missing);
      const valid = syntheticMatrix(500, 5, 22, label, missing);
      const { ensemble } = trainGbdt(train, valid, { ...defaultGbdtParams, maxDepth, maxRounds: 40, earlyStoppingRounds: 40 }, 42);
      assert.ok(LeafTableTreeShap.fits(ensemble));
      const fast = new LeafTableTreeShap(ensemble);
      const reference = new TreeShap(ensemble);
      assert.ok(Math.abs(fast.expectedMargin - reference.expectedMargin) < 1e-12);
      const test = syntheticMatrix(200, 5, 23, label, missing);
      for (let r = 0; r < test.rows; r++) {
        const a = new Float64Array(5);
        const b = new Float64Array(5);
        assert.equal(fast.explain(test.x, r * 5, a), reference.explain(test.x, r * 5, b));
        for (let c = 0; c < 5; c++) assert.ok(Math.abs(a[c]! - b[c]!) < 1e-12, `row ${r} column ${c}: ${a[c]} vs ${b[c]}`);
      }
    });
  }

  it('declines models whose tables would be too large', () => {
    const depth = 24;
    const n = 2 * depth + 1;
    // A chain of splits on 24 different columns: one leaf has 24 features, 2^24 x 24 table entries.
    const feature = new Int32Array(n).fill(-1);
    const left = new Int32Array(n).fill(-1);
    const right = new Int32Array(n).fill(-1);
    for (let d = 0; d < depth; d++) {
      feature[2 * d] = d;
      left[2 * d] = 2 * d + 1;
      right[2 * d] = 2 * d + 2;
    }
    const chain: TreeEnsemble = {
      kind: 'tree-ensemble', columns: depth, baseMargin: 0, roots: Int32Array.from([0]), feature, left, right,
      threshold: new Float64Array(n), defaultLeft: new Uint8Array(n), value: new Float64Array(n), cover: new Float64Array(n).fill(1),
    };
    assert.equal(LeafTableTreeShap.fits(chain), false);
  });
});
