import type { EncodedColumn } from '../features/schema.js';
import type { LinearModel } from '../model/linear-model.js';
import type { LabelledMatrix } from './dataset-matrix.js';

export interface LogregParams {
  /** L2 penalty strength (1 / C in scikit-learn terms); the intercept is not penalised. */
  l2: number;
  maxIterations: number;
  /** Newton's method stops when no coefficient moves by more than this. */
  tolerance: number;
}

export const defaultLogregParams: LogregParams = { l2: 1, maxIterations: 100, tolerance: 1e-10 };

export interface LogregResult {
  model: LinearModel;
  iterations: number;
}

/**
 * L2-regularised logistic regression fitted by Newton's method (exact, deterministic, a handful of
 * iterations for a few dozen columns). Numeric columns are standardised on the training rows; missing
 * numeric values are mean-imputed and get a learned indicator weight. One-hot columns stay 0/1.
 */
export function trainLogisticRegression(train: LabelledMatrix, encoded: readonly EncodedColumn[], params: LogregParams): LogregResult {
  const { rows, columns, x, y } = train;
  const center = new Float64Array(columns);
  const scale = new Float64Array(columns).fill(1);
  const hasMissing = new Uint8Array(columns);
  for (let c = 0; c < columns; c++) {
    if (encoded[c]!.category !== undefined) continue;
    let n = 0, sum = 0, sumSq = 0;
    for (let r = 0; r < rows; r++) {
      const v = x[r * columns + c]!;
      if (Number.isNaN(v)) { hasMissing[c] = 1; continue; }
      n++; sum += v; sumSq += v * v;
    }
    const mean = n > 0 ? sum / n : 0;
    const variance = n > 0 ? sumSq / n - mean * mean : 0;
    center[c] = mean;
    scale[c] = variance > 1e-24 ? Math.sqrt(variance) : 1;
  }
  // Parameter layout: [intercept, one weight per column, one indicator weight per column with missing values].
  const indicatorColumns = Array.from({ length: columns }, (_, c) => c).filter((c) => hasMissing[c] === 1);
  const p = 1 + columns + indicatorColumns.length;
  const design = new Float64Array(rows * p);
  for (let r = 0; r < rows; r++) {
    const row = r * p;
    design[row] = 1;
    for (let c = 0; c < columns; c++) {
      const v = x[r * columns + c]!;
      design[row + 1 + c] = Number.isNaN(v) ? 0 : (v - center[c]!) / scale[c]!;
    }
    indicatorColumns.forEach((c, k) => {
      design[row + 1 + columns + k] = Number.isNaN(x[r * columns + c]!) ? 1 : 0;
    });
  }

  const beta = new Float64Array(p);
  const gradient = new Float64Array(p);
  const hessian = new Float64Array(p * p);
  let iterations = 0;
  for (; iterations < params.maxIterations; iterations++) {
    gradient.fill(0);
    hessian.fill(0);
    for (let r = 0; r < rows; r++) {
      const row = r * p;
      let z = 0;
      for (let j = 0; j < p; j++) z += design[row + j]! * beta[j]!;
      const prob = 1 / (1 + Math.exp(-z));
      const residual = prob - y[r]!;
      const weight = prob * (1 - prob);
      for (let j = 0; j < p; j++) {
        const dj = design[row + j]!;
        if (dj === 0) continue;
        gradient[j]! += residual * dj;
        const wdj = weight * dj;
        for (let k = 0; k <= j; k++) hessian[j * p + k]! += wdj * design[row + k]!;
      }
    }
    for (let j = 1; j < p; j++) {
      gradient[j]! += params.l2 * beta[j]!;
      hessian[j * p + j]! += params.l2;
    }
    const step = solveSymmetricPositiveDefinite(hessian, gradient, p);
    let largest = 0;
    for (let j = 0; j < p; j++) {
      beta[j]! -= step[j]!;
      largest = Math.max(largest, Math.abs(step[j]!));
    }
    if (largest < params.tolerance) { iterations++; break; }
  }

  const means = new Float64Array(columns);
  const missingRates = new Float64Array(columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) means[c]! += design[r * p + 1 + c]!;
    indicatorColumns.forEach((c, k) => { missingRates[c]! += design[r * p + 1 + columns + k]!; });
  }
  for (let c = 0; c < columns; c++) {
    means[c]! /= rows;
    missingRates[c]! /= rows;
  }
  const weights = beta.slice(1, 1 + columns);
  const missingWeights = new Float64Array(columns);
  indicatorColumns.forEach((c, k) => { missingWeights[c] = beta[1 + columns + k]!; });
  return {
    model: { kind: 'linear', columns, intercept: beta[0]!, weights, center, scale, missingWeights, means, missingRates },
    iterations,
  };
}

/** Cholesky solve of A s = b, A given by its lower triangle (row-major p x p). */
function solveSymmetricPositiveDefinite(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * p + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * p + k]! * l[j * p + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new Error('logistic regression: Hessian is not positive definite');
        l[i * p + i] = Math.sqrt(sum);
      } else {
        l[i * p + j] = sum / l[j * p + j]!;
      }
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * p + k]! * z[k]!;
    z[i] = sum / l[i * p + i]!;
  }
  const s = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let sum = z[i]!;
    for (let k = i + 1; k < p; k++) sum -= l[k * p + i]! * s[k]!;
    s[i] = sum / l[i * p + i]!;
  }
  return s;
}
