import { compileTreeEnsemble } from './compiled-tree-ensemble.js';
import { undecidedGoesLeft, type TreeEnsemble } from './tree-ensemble.js';
import type { TreeModel } from './tree-model.js';

/**
 * Scores a TreeModel exactly as the library that trained it: XGBoost in float32 (inputs, thresholds, leaves and
 * the running sum), LightGBM in float64 with its zero band. Inputs are row-major matrices of model.columns values
 * per row, NaN for missing (src/runtimes/tree-model-runtime.ts builds them from encoded records). The `library*`
 * functions take inputs already read as the library reads them (readAsLibrary). Contributions, with the same
 * decisions: src/explain/tree-model-contributions.ts.
 */

/** LightGBM's kZeroThreshold (the float 1e-35f as a double): it reads |x| <= this as 0. */
const LIGHTGBM_ZERO = 1.0000000180025095e-35;

/** Makes x[start .. end) what the library reads, in place: rounded to float32 (XGBoost), or with LightGBM's zero band made 0. */
export function readAsLibrary(model: TreeModel, x: Float64Array, start = 0, end = x.length): Float64Array {
  if (model.arithmetic === 'float32') {
    for (let i = start; i < end; i++) x[i] = Math.fround(x[i]!);
  } else {
    for (let i = start; i < end; i++) {
      const v = x[i]!;
      if (v <= LIGHTGBM_ZERO && v >= -LIGHTGBM_ZERO) x[i] = 0;
    }
  }
  return x;
}

/** A copy of `x` as the library reads it. */
export function libraryInputs(model: TreeModel, x: Float64Array): Float64Array {
  return readAsLibrary(model, x.slice());
}

/**
 * One record's margin: the native evaluator's loop (treeEnsembleMargin) with two differences only. A test the
 * threshold leaves undecided (NaN, or a node with a rule) consults the node's rule when the ensemble has rules;
 * and XGBoost's sum is float32, from the base margin, one tree at a time (Math.fround of the double sum of two
 * floats is their float sum), where LightGBM's is float64. Written out rather than shared through a per-tree
 * function call: this is the hot path of ensembles with rules, and of any the generated code does not take
 * (compileTreeEnsemble).
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

/**
 * The margin of one group for one row at input[offset..], input read as the library reads it: the generated
 * evaluator when the ensemble allows (compileTreeEnsemble, same decisions and sums), else the loop above.
 */
export function rowMarginFunction(model: TreeModel, group: number): (input: Float64Array, offset: number) => number {
  const ensemble = model.groups[group]!;
  const float32 = model.arithmetic === 'float32';
  return compileTreeEnsemble(ensemble, float32) ?? ((input, offset) => libraryMargin(ensemble, input, offset, float32));
}

/** Margins (rows × groups, row-major) of inputs read as the library reads them. */
export function libraryMargins(model: TreeModel, input: Float64Array, rows: number): Float64Array {
  const { groups, columns } = model;
  const k = groups.length;
  const out = new Float64Array(rows * k);
  for (let g = 0; g < k; g++) {
    const margin = rowMarginFunction(model, g);
    for (let r = 0; r < rows; r++) out[r * k + g] = margin(input, r * columns);
  }
  return out;
}

/** Margins (rows × groups, row-major): XGBoost's output_margin=True, LightGBM's raw_score=True. */
export function treeModelMargins(model: TreeModel, x: Float64Array, rows: number): Float64Array {
  return libraryMargins(model, libraryInputs(model, x), rows);
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

/**
 * What predict() makes of one margin (the average over iterations for LightGBM random forests, then the link),
 * for every output but those across classes (softmax, class); undefined for those.
 */
export function marginTransform(model: TreeModel): ((margin: number) => number) | undefined {
  const n = model.averageOver;
  const output = model.output;
  switch (output.kind) {
    case 'identity':
      return (m) => m / n;
    case 'sigmoid': {
      const s = output.scale;
      return (m) => 1 / (1 + Math.exp(-s * (m / n)));
    }
    case 'exp':
      return (m) => Math.exp(m / n);
    case 'signed-square':
      return (m) => {
        const a = m / n;
        return Math.sign(a) * a * a;
      };
    case 'softplus':
      return (m) => Math.log1p(Math.exp(m / n));
    default:
      return undefined;
  }
}

/** What the library's predict() returns for these margins: one value per row, or per class for class probabilities. */
export function treeModelOutputs(model: TreeModel, raw: Float64Array, rows: number): Float64Array {
  const k = model.groups.length;
  const transform = marginTransform(model);
  if (transform !== undefined) return raw.map(transform);
  const margins = model.averageOver === 1 ? raw : raw.map((m) => m / model.averageOver);
  if (model.output.kind === 'softmax') return softmaxRows(margins, rows, k);
  // 'class': the index of the largest margin; ties go to the first class, as the libraries' argmax does.
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let g = 1; g < k; g++) if (margins[r * k + g]! > margins[r * k + best]!) best = g;
    out[r] = best;
  }
  return out;
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
