import { LeafTableTreeShap } from '../explain/leaf-table-tree-shap.js';
import { TreeShap } from '../explain/tree-shap.js';
import { undecidedGoesLeft, type TreeEnsemble } from './tree-ensemble.js';
import type { TreeModel } from './tree-model.js';

/**
 * Scores and explains a TreeModel exactly as the library that trained it: XGBoost in float32 (inputs, thresholds,
 * leaves and the running sum), LightGBM in float64 with its zero band. Inputs are row-major matrices of
 * model.columns values per row, NaN for missing (tree-model-records.ts builds them from records).
 */

/** LightGBM's kZeroThreshold (the float 1e-35f as a double): it reads |x| <= this as 0. */
const LIGHTGBM_ZERO = 1.0000000180025095e-35;

/** A copy of `x` as the library reads it: rounded to float32 (XGBoost), or with LightGBM's zero band made 0. */
export function libraryInputs(model: TreeModel, x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  if (model.arithmetic === 'float32') {
    for (let i = 0; i < x.length; i++) out[i] = Math.fround(x[i]!);
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v <= LIGHTGBM_ZERO && v >= -LIGHTGBM_ZERO ? 0 : v;
    }
  }
  return out;
}

/**
 * One record's margin: the native evaluator's loop (treeEnsembleMargin) with two differences only. A test the
 * threshold leaves undecided (NaN, or a node with a rule) consults the node's rule when the ensemble has rules;
 * and XGBoost's sum is float32, from the base margin, one tree at a time (Math.fround of the double sum of two
 * floats is their float sum), where LightGBM's is float64. Written out rather than shared through a per-tree
 * function call: this is the hot path (bench/tree-formats).
 */
function libraryMargin(model: TreeEnsemble, x: Float64Array, offset: number, float32: boolean): number {
  const { roots, feature, threshold, defaultLeft, left, right, value, rules } = model;
  let sum = model.baseMargin;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t]!;
    let f = feature[node]!;
    while (f >= 0) {
      const v = x[offset + f]!;
      const cut = threshold[node]!;
      node = v < cut ? left[node]! : v >= cut ? right[node]!
        : (rules === undefined ? defaultLeft[node] === 1 : undecidedGoesLeft(model, node, v)) ? left[node]! : right[node]!;
      f = feature[node]!;
    }
    sum = float32 ? Math.fround(sum + value[node]!) : sum + value[node]!;
  }
  return sum;
}

/** Margins (rows × groups, row-major) of inputs already in libraryInputs form. */
export function marginsOfLibraryInputs(model: TreeModel, input: Float64Array, rows: number): Float64Array {
  const { groups, columns } = model;
  const k = groups.length;
  const out = new Float64Array(rows * k);
  const float32 = model.arithmetic === 'float32';
  for (let g = 0; g < k; g++) {
    const ensemble = groups[g]!;
    for (let r = 0; r < rows; r++) out[r * k + g] = libraryMargin(ensemble, input, r * columns, float32);
  }
  return out;
}

/** Margins (rows × groups, row-major): XGBoost's output_margin=True, LightGBM's raw_score=True. */
export function treeModelMargins(model: TreeModel, x: Float64Array, rows: number): Float64Array {
  return marginsOfLibraryInputs(model, libraryInputs(model, x), rows);
}

function softmaxRows(margins: Float64Array, rows: number, k: number): Float64Array {
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

/** What the library's predict() returns for these margins (width: predictionWidth(model)). */
export function treeModelOutputs(model: TreeModel, raw: Float64Array, rows: number): Float64Array {
  const k = model.groups.length;
  const output = model.output;
  const margins = model.averageOver === 1 ? raw : raw.map((m) => m / model.averageOver);
  switch (output.kind) {
    case 'identity':
      return margins.slice();
    case 'sigmoid': {
      const s = output.scale;
      return margins.map((m) => 1 / (1 + Math.exp(-s * m)));
    }
    case 'exp':
      return margins.map(Math.exp);
    case 'softmax':
      return softmaxRows(margins, rows, k);
    case 'class': {
      const out = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let best = 0;
        // Ties go to the first class, as the libraries' argmax does.
        for (let g = 1; g < k; g++) if (margins[r * k + g]! > margins[r * k + best]!) best = g;
        out[r] = best;
      }
      return out;
    }
    case 'signed-square':
      return margins.map((m) => Math.sign(m) * m * m);
    case 'softplus':
      return margins.map((m) => Math.log1p(Math.exp(m)));
  }
}

/** What the library's predict() returns for `rows` rows of x. */
export function treeModelPredictions(model: TreeModel, x: Float64Array, rows: number): Float64Array {
  return treeModelOutputs(model, treeModelMargins(model, x, rows), rows);
}

/**
 * Class probabilities (rows × classes) of a multi-class model, also for multi:softmax, whose predict() gives only
 * the class: the softmax multi:softprob would give. One-vs-all models give each class's own sigmoid.
 */
export function treeModelClassProbabilities(model: TreeModel, margins: Float64Array, rows: number): Float64Array {
  if (model.output.kind === 'sigmoid') return treeModelOutputs(model, margins, rows);
  return treeModelOutputs({ ...model, output: { kind: 'softmax' } }, margins, rows);
}

/** The index of each row's largest margin, first on ties: the class the libraries predict. */
export function treeModelClasses(model: TreeModel, margins: Float64Array, rows: number): Float64Array {
  return treeModelOutputs({ ...model, output: { kind: 'class' } }, margins, rows);
}

type Explainer = TreeShap | LeafTableTreeShap;
const explainers = new WeakMap<TreeEnsemble, Explainer>();

function explainerOf(ensemble: TreeEnsemble): Explainer {
  let explainer = explainers.get(ensemble);
  if (explainer === undefined) {
    explainer = LeafTableTreeShap.fits(ensemble) ? new LeafTableTreeShap(ensemble) : new TreeShap(ensemble);
    explainers.set(ensemble, explainer);
  }
  return explainer;
}

/**
 * Exact TreeSHAP contributions to the margin, rows × groups × (columns + 1), the bias (expected margin) last in
 * each group: XGBoost's pred_contribs=True, LightGBM's pred_contrib=True (which lays the groups side by side, the
 * same order). The same decisions as treeModelMargins, so each group's values add up to its margin.
 */
export function treeModelContributions(model: TreeModel, x: Float64Array, rows: number): Float64Array {
  const input = libraryInputs(model, x);
  const { groups, columns } = model;
  const k = groups.length;
  const width = columns + 1;
  const out = new Float64Array(rows * k * width);
  for (let g = 0; g < k; g++) {
    const shap = explainerOf(groups[g]!);
    for (let r = 0; r < rows; r++) {
      const at = (r * k + g) * width;
      shap.explain(input, r * columns, out.subarray(at, at + columns));
      out[at + columns] = shap.expectedMargin;
    }
  }
  return out;
}
