/**
 * The compact in-memory form of a linear model over the encoded vector. Numeric columns are
 * standardised ((x - center) / scale); a missing value contributes its column's `missingWeight`
 * instead (mean imputation plus a missing indicator), so missing never silently means 0.
 */
export interface LinearModel {
  readonly kind: 'linear';
  readonly columns: number;
  readonly intercept: number;
  readonly weights: Float64Array;
  readonly center: Float64Array;
  readonly scale: Float64Array;
  readonly missingWeights: Float64Array;
  /** Training means of each standardised column (missing counted as 0) and of its missing indicator: the reference point of explanations. */
  readonly means: Float64Array;
  readonly missingRates: Float64Array;
}

export function linearMargin(model: LinearModel, x: Float64Array, offset: number): number {
  const { weights, center, scale, missingWeights } = model;
  let sum = model.intercept;
  for (let c = 0; c < weights.length; c++) {
    const v = x[offset + c]!;
    sum += v === v ? (weights[c]! * (v - center[c]!)) / scale[c]! : missingWeights[c]!;
  }
  return sum;
}
