/**
 * Issue 8's speed figure: the XGBoost JSON runtime on a 300-tree, depth-8 model scoring a batch of 10,000
 * rows, per row, beside the native GBDT evaluator (scoreMatrix) on a native model of the same size.
 * The model is synthesised in XGBoost's JSON format (full trees, 20 features, 10 % missing values) so the
 * benchmark needs no Python; both models have the same shape. Times are CPU time of this process.
 */
import { scoreMatrix } from '../src/model/scorer.js';
import type { TreeEnsemble } from '../src/model/tree-ensemble.js';
import { XGBoostRuntime } from '../src/runtimes/xgboost-runtime.js';
import { toFloat32Values, xgboostMargins, xgboostPredictions } from '../src/model/formats/xgboost-evaluator.js';
import { xgboostFromJson } from '../src/model/formats/xgboost-json.js';
import { cpuMicros, median, reportBench } from './bench-report.js';

const TREES = 300;
const DEPTH = 8;
const FEATURES = 20;
const ROWS = 10_000;

// A small deterministic generator (mulberry32) so every run scores the same model and rows.
let seed = 20261127;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** One full tree of the given depth in XGBoost's JSON layout (breadth-first node ids). */
function xgboostTree(id: number) {
  const nodes = 2 ** (DEPTH + 1) - 1;
  const internal = 2 ** DEPTH - 1;
  const tree = {
    id, left_children: [] as number[], right_children: [] as number[], split_indices: [] as number[], split_conditions: [] as number[],
    default_left: [] as number[], sum_hessian: [] as number[], split_type: [] as number[], base_weights: [] as number[],
    tree_param: { num_nodes: String(nodes), num_feature: String(FEATURES), num_deleted: '0', size_leaf_vector: '0' },
  };
  for (let n = 0; n < nodes; n++) {
    const leaf = n >= internal;
    tree.left_children.push(leaf ? -1 : 2 * n + 1);
    tree.right_children.push(leaf ? -1 : 2 * n + 2);
    tree.split_indices.push(leaf ? 0 : Math.floor(random() * FEATURES));
    tree.split_conditions.push(Math.fround(leaf ? (random() - 0.5) * 0.1 : random()));
    tree.default_left.push(random() < 0.5 ? 1 : 0);
    tree.sum_hessian.push(2 ** (DEPTH - Math.floor(Math.log2(n + 1))));
    tree.split_type.push(0);
    tree.base_weights.push(0);
  }
  return tree;
}

const document = {
  version: [2, 1, 0],
  learner: {
    objective: { name: 'binary:logistic' },
    learner_model_param: { base_score: '5E-1', num_class: '0', num_feature: String(FEATURES), num_target: '1' },
    gradient_booster: { name: 'gbtree', model: { trees: Array.from({ length: TREES }, (_, t) => xgboostTree(t)), tree_info: new Array(TREES).fill(0) } },
  },
};
const xgb = xgboostFromJson('synthetic.json', JSON.parse(JSON.stringify(document)));
// The native evaluator reads the same compact form; a native model of this size is these trees.
const native: TreeEnsemble = xgb.groups[0]!;
const names = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
const records = Array.from({ length: ROWS }, () => Object.fromEntries(names.map((n) => [n, random() < 0.1 ? null : random()])));
const { encoder } = new XGBoostRuntime(xgb, { name: 'synthetic', version: '1', inputs: names });
/** Validates and encodes the records as the data plane does before the runtime scores them. */
function numericMatrix(rows: readonly unknown[]): Float64Array {
  const x = new Float64Array(rows.length * FEATURES);
  rows.forEach((record, r) => encoder.encode(record, x, r * FEATURES));
  return x;
}
const matrix = numericMatrix(records);

let sink = 0;
const runs = { xgboostEndToEnd: [] as number[], xgboostMatrix: [] as number[], native: [] as number[] };
for (let round = 0; round < 9; round++) {
  runs.xgboostEndToEnd.push(cpuMicros(() => {
    const x = toFloat32Values(numericMatrix(records));
    sink += xgboostPredictions(xgb, xgboostMargins(xgb, x, ROWS), ROWS)[0]!;
  }) / ROWS);
  runs.xgboostMatrix.push(cpuMicros(() => {
    sink += xgboostPredictions(xgb, xgboostMargins(xgb, toFloat32Values(matrix.slice()), ROWS), ROWS)[0]!;
  }) / ROWS);
  runs.native.push(cpuMicros(() => { sink += scoreMatrix(native, 'sigmoid', matrix, ROWS)[0]!; }) / ROWS);
}
if (sink === 42) process.stdout.write('');
// The first rounds warm the JIT up.
const steady = (v: number[]) => median(v.slice(2));
const xgbRow = steady(runs.xgboostMatrix);
const nativeRow = steady(runs.native);
reportBench({
  scenario: 'xgboost-runtime',
  rows: [
    { metric: 'XGBoost runtime, matrix in (per row, median of 7)', value: xgbRow, unit: 'µs', note: 'target <= native' },
    { metric: 'XGBoost runtime, records in (per row, median of 7)', value: steady(runs.xgboostEndToEnd), unit: 'µs', note: 'reading the records included' },
    { metric: 'native GBDT evaluator, same size (per row, median of 7)', value: nativeRow, unit: 'µs' },
    { metric: 'XGBoost / native', value: xgbRow / nativeRow, unit: 'ratio', note: 'target <= 1' },
  ],
  extra: { trees: TREES, depth: DEPTH, features: FEATURES, rows: ROWS, nodes: xgb.groups[0]!.feature.length },
});
