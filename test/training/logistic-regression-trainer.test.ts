import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EncodedColumn } from '../../src/features/schema.js';
import { linearMargin, type LinearModel } from '../../src/model/linear-model.js';
import type { LabelledMatrix } from '../../src/training/dataset-matrix.js';
import { defaultLogregParams, trainLogisticRegression } from '../../src/training/logistic-regression-trainer.js';
import { SeededRandom } from '../../src/foundation/seeded-random.js';
import { normal } from '../helpers/synthetic.js';

const numericColumns = (n: number): EncodedColumn[] => Array.from({ length: n }, (_, i) => ({ name: `x${i}`, feature: i }));

/** y ~ Bernoulli(sigmoid(1 + 2 x0 - x1)), x ~ N(0, 1) scaled by 3 for column 0; some x1 missing. */
function data(rows: number, seed: number): LabelledMatrix {
  const random = new SeededRandom(seed);
  const x = new Float64Array(rows * 2);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const x0 = 3 * normal(random);
    const x1 = normal(random);
    x[r * 2] = x0;
    x[r * 2 + 1] = r % 10 === 0 ? NaN : x1;
    y[r] = random.next() < 1 / (1 + Math.exp(-(1 + (2 / 3) * x0 - x1))) ? 1 : 0;
  }
  return { x, y, rows, columns: 2 };
}

function objective(model: LinearModel, m: LabelledMatrix, l2: number): number {
  let sum = 0;
  for (let r = 0; r < m.rows; r++) {
    const z = linearMargin(model, m.x, r * m.columns);
    sum += Math.log1p(Math.exp(m.y[r] === 1 ? -z : z));
  }
  let penalty = 0;
  for (const w of model.weights) penalty += w * w;
  for (const w of model.missingWeights) penalty += w * w;
  return sum + (l2 / 2) * penalty;
}

describe('logistic regression trainer', () => {
  const train = data(20000, 1);
  const { model, iterations } = trainLogisticRegression(train, numericColumns(2), defaultLogregParams);

  it('converges in a few Newton steps', () => assert.ok(iterations < 15));

  it('recovers the generating coefficients (on the standardised scale)', () => {
    // Standardised weight = raw weight x column standard deviation: (2/3) x 3 = 2 and -1 x 1 = -1.
    assert.ok(Math.abs(model.weights[0]! - 2) < 0.1, `w0 = ${model.weights[0]}`);
    assert.ok(Math.abs(model.weights[1]! + 1) < 0.1, `w1 = ${model.weights[1]}`);
    assert.ok(Math.abs(model.scale[0]! - 3) < 0.1);
  });

  it('finds the minimum of the penalised objective: no coordinate step improves it', () => {
    const l2 = defaultLogregParams.l2;
    const best = objective(model, train, l2);
    const fields = ['weights', 'missingWeights'] as const;
    for (const field of fields) {
      for (let c = 0; c < 2; c++) {
        for (const step of [1e-4, -1e-4]) {
          const moved = { ...model, [field]: model[field].map((w, i) => (i === c ? w + step : w)) };
          assert.ok(objective(moved, train, l2) >= best - 1e-9);
        }
      }
    }
    for (const step of [1e-4, -1e-4]) assert.ok(objective({ ...model, intercept: model.intercept + step }, train, l2) >= best - 1e-9);
  });

  it('learns an indicator weight for missing values instead of treating them as 0', () => {
    assert.equal(model.missingWeights[0], 0);
    assert.notEqual(model.missingWeights[1], 0);
    assert.equal(linearMargin(model, Float64Array.from([0, NaN]), 0), model.intercept + (model.weights[0]! * (0 - model.center[0]!)) / model.scale[0]! + model.missingWeights[1]!);
  });

  it('leaves one-hot columns unscaled', () => {
    const m: LabelledMatrix = { x: Float64Array.from([1, 0, 0, 1, 1, 0, 0, 1]), y: Uint8Array.from([1, 0, 1, 0]), rows: 4, columns: 2 };
    const columns: EncodedColumn[] = [{ name: 'c=a', feature: 0, category: 'a' }, { name: 'c=b', feature: 0, category: 'b' }];
    const r = trainLogisticRegression(m, columns, defaultLogregParams);
    assert.deepEqual(Array.from(r.model.center), [0, 0]);
    assert.deepEqual(Array.from(r.model.scale), [1, 1]);
  });
});
