import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TreeShap } from '../../src/explain/tree-shap.js';
import { LeafTableTreeShap } from '../../src/explain/leaf-table-tree-shap.js';
import { toFloat32Values, xgboostMargins, xgboostPredictions } from '../../src/model/formats/xgboost-evaluator.js';
import { xgboostFromJson } from '../../src/model/formats/xgboost-json.js';

const fixtures = new URL('../../../test/fixtures/xgboost/', import.meta.url);
const names = ['binary-logistic', 'reg-logistic', 'reg-squarederror', 'multi-softprob', 'multi-softmax'];

interface Expected { objective: string; rows: (number | null)[][]; margin: number[] | number[][]; prediction: number[] | number[][]; contributions: number[][] | number[][][] }

function load(name: string) {
  const file = new URL(`${name}.model.json`, fixtures);
  const model = xgboostFromJson(file.pathname, JSON.parse(readFileSync(file, 'utf8')));
  const expected = JSON.parse(readFileSync(new URL(`${name}.expected.json`, fixtures), 'utf8')) as Expected;
  const x = toFloat32Values(Float64Array.from(expected.rows.flat(), (v) => v ?? NaN));
  return { model, expected, x, rows: expected.rows.length };
}

function assertClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]!));
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance * scale, `${what}[${i}]: ${actual[i]} vs XGBoost ${expected[i]}`);
  }
}

describe('XGBoost JSON runtime: parity with python3-xgboost', () => {
  for (const name of names) {
    it(`${name}: margins and predictions match XGBoost to 1e-6`, () => {
      const { model, expected, x, rows } = load(name);
      assert.equal(model.objective, expected.objective);
      const margins = xgboostMargins(model, x, rows);
      assertClose(margins, expected.margin.flat(), 1e-6, 'margin');
      assertClose(xgboostPredictions(model, margins, rows), expected.prediction.flat(), 1e-6, 'prediction');
    });

    it(`${name}: exact TreeSHAP matches pred_contribs=True to 1e-5 (both TreeSHAP implementations)`, () => {
      const { model, expected, x, rows } = load(name);
      const k = model.groups.length;
      const width = model.columns;
      // pred_contribs is [rows, columns + 1] (bias last), or [rows, groups, columns + 1] for multi:*.
      const perGroup = k === 1
        ? [expected.contributions as number[][]]
        : Array.from({ length: k }, (_, g) => (expected.contributions as number[][][]).map((row) => row[g]!));
      for (let g = 0; g < k; g++) {
        const ensemble = model.groups[g]!;
        const explainers = [new TreeShap(ensemble), ...(LeafTableTreeShap.fits(ensemble) ? [new LeafTableTreeShap(ensemble)] : [])];
        for (const shap of explainers) {
          for (let r = 0; r < rows; r++) {
            const phi = new Float64Array(width);
            const margin = shap.explain(x, r * width, phi);
            const want = perGroup[g]![r]!;
            assertClose([...phi, shap.expectedMargin], want, 1e-5, `${shap.constructor.name} group ${g} row ${r}`);
            // Additivity: base value + contributions = margin.
            assert.ok(Math.abs(shap.expectedMargin + phi.reduce((a, b) => a + b, 0) - margin) < 1e-6, `additivity ${shap.constructor.name} row ${r}`);
          }
        }
      }
    });
  }
});
