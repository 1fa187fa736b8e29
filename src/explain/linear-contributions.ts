import type { LinearModel } from '../model/linear-model.js';

/**
 * Exact SHAP values of a linear margin with independent features: each column's term minus its
 * training mean. The expected margin is the margin of the mean standardised design row.
 */
export function linearExpectedMargin(model: LinearModel): number {
  let sum = model.intercept;
  for (let c = 0; c < model.columns; c++) sum += model.weights[c]! * model.means[c]! + model.missingWeights[c]! * model.missingRates[c]!;
  return sum;
}

/** Adds each encoded column's contribution to `phi`; returns the margin. */
export function linearContributions(model: LinearModel, x: Float64Array, offset: number, phi: Float64Array): number {
  const { weights, center, scale, missingWeights, means, missingRates } = model;
  let margin = model.intercept;
  for (let c = 0; c < weights.length; c++) {
    const v = x[offset + c]!;
    const missing = v !== v;
    const z = missing ? 0 : (v - center[c]!) / scale[c]!;
    const term = weights[c]! * z + (missing ? missingWeights[c]! : 0);
    margin += term;
    phi[c]! += weights[c]! * (z - means[c]!) + missingWeights[c]! * ((missing ? 1 : 0) - missingRates[c]!);
  }
  return margin;
}
