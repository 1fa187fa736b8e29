import { treeEnsembleMargin } from '../tree-ensemble.js';
import type { XGBoostModel } from './xgboost-json.js';

/**
 * XGBoost reads features as float32 and its thresholds are float32, so a value is rounded to float32 before
 * it meets a threshold: without that, 27.50000001 and 27.5 would go to different sides than in XGBoost.
 * Rounds in place and returns the same matrix.
 */
export function toFloat32Values(x: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(x[i]!);
  return x;
}

/** Margins (rows × groups, row-major) of `rows` float32-rounded rows. */
export function xgboostMargins(model: XGBoostModel, x: Float64Array, rows: number): Float64Array {
  const groups = model.groups;
  const k = groups.length;
  const out = new Float64Array(rows * k);
  for (let g = 0; g < k; g++) {
    const ensemble = groups[g]!;
    for (let r = 0; r < rows; r++) out[r * k + g] = treeEnsembleMargin(ensemble, x, r * model.columns);
  }
  return out;
}

/** The objective's transform from margins to predictions, as XGBoost's `predict()` returns them. */
export function xgboostPredictions(model: XGBoostModel, margins: Float64Array, rows: number): Float64Array {
  const k = model.groups.length;
  switch (model.objective) {
    case 'binary:logistic':
    case 'reg:logistic':
      return margins.map((m) => 1 / (1 + Math.exp(-m)));
    case 'binary:logitraw':
    case 'reg:squarederror':
      return margins.slice();
    case 'multi:softprob': {
      const out = new Float64Array(rows * k);
      for (let r = 0; r < rows; r++) {
        let max = -Infinity;
        for (let g = 0; g < k; g++) max = Math.max(max, margins[r * k + g]!);
        let sum = 0;
        for (let g = 0; g < k; g++) sum += (out[r * k + g] = Math.exp(margins[r * k + g]! - max));
        for (let g = 0; g < k; g++) out[r * k + g]! /= sum;
      }
      return out;
    }
    case 'multi:softmax': {
      const out = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let best = 0;
        // Ties go to the first class, as XGBoost's argmax does.
        for (let g = 1; g < k; g++) if (margins[r * k + g]! > margins[r * k + best]!) best = g;
        out[r] = best;
      }
      return out;
    }
  }
}
