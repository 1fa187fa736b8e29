/**
 * Issue 13's speed figure: the XGBoost and LightGBM evaluators (src/model/tree-model-evaluator.ts) beside the
 * native GBDT evaluator (scoreMatrix), on models of one shape (300 full trees of depth 8, 20 features), scoring a
 * batch of 10,000 rows with 10 % missing values, per row, in the same process. The models are synthesised in
 * each library's own file format (XGBoost JSON, LightGBM text) and read by the real loaders, so the benchmark
 * needs no Python; the native model is the XGBoost model's trees. Times are CPU time of this process.
 */
import { lightgbmFromText } from '../src/model/formats/lightgbm-text.js';
import { xgboostFromDocument } from '../src/model/formats/xgboost-json.js';
import { links } from '../src/model/link.js';
import { marginFunction, scoreMatrix } from '../src/model/scorer.js';
import { treeModelPredictions } from '../src/model/tree-model-evaluator.js';
import type { EncodedRows } from '../src/runtimes/model-runtime.js';
import { XGBoostRuntime } from '../src/runtimes/xgboost-runtime.js';
import { cpuMicros, median, reportBench } from './bench-report.js';

const TREES = 300;
const DEPTH = 8;
const FEATURES = 20;
const ROWS = 10_000;

// A small deterministic generator (mulberry32) so every run scores the same models and rows.
let seed = 20261127;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** One full tree of depth DEPTH, breadth-first: node n's children are 2n + 1 and 2n + 2. */
interface Shape { feature: number[]; threshold: number[]; defaultLeft: boolean[]; leaf: number[] }
function shape(): Shape {
  const internal = 2 ** DEPTH - 1;
  return {
    feature: Array.from({ length: internal }, () => Math.floor(random() * FEATURES)),
    threshold: Array.from({ length: internal }, () => Math.fround(random())),
    defaultLeft: Array.from({ length: internal }, () => random() < 0.5),
    leaf: Array.from({ length: internal + 1 }, () => Math.fround((random() - 0.5) * 0.1)),
  };
}
const shapes = Array.from({ length: TREES }, shape);

function xgboostTree(s: Shape, id: number) {
  const internal = s.feature.length;
  const nodes = 2 * internal + 1;
  const tree = {
    id, left_children: [] as number[], right_children: [] as number[], split_indices: [] as number[], split_conditions: [] as number[],
    default_left: [] as number[], sum_hessian: [] as number[], split_type: [] as number[], base_weights: [] as number[],
    tree_param: { num_nodes: String(nodes), num_feature: String(FEATURES), num_deleted: '0', size_leaf_vector: '1' },
  };
  for (let n = 0; n < nodes; n++) {
    const leaf = n >= internal;
    tree.left_children.push(leaf ? -1 : 2 * n + 1);
    tree.right_children.push(leaf ? -1 : 2 * n + 2);
    tree.split_indices.push(leaf ? 0 : s.feature[n]!);
    tree.split_conditions.push(leaf ? s.leaf[n - internal]! : s.threshold[n]!);
    tree.default_left.push(!leaf && s.defaultLeft[n] ? 1 : 0);
    tree.sum_hessian.push(2 ** (DEPTH - Math.floor(Math.log2(n + 1))));
    tree.split_type.push(0);
    tree.base_weights.push(0);
  }
  return tree;
}

/** LightGBM's layout of the same tree: internal nodes breadth-first, leaves as ~index; missing_type NaN. */
function lightgbmTree(s: Shape, id: number): string {
  const internal = s.feature.length;
  const child = (n: number) => (n < internal ? n : ~(n - internal));
  const list = (f: (n: number) => number | string, length: number) => Array.from({ length }, (_, n) => f(n)).join(' ');
  return [
    `Tree=${id}`, `num_leaves=${internal + 1}`, 'num_cat=0',
    `split_feature=${list((n) => s.feature[n]!, internal)}`, `split_gain=${list(() => 1, internal)}`,
    // x <= t in LightGBM; the threshold just below the float keeps the two models' decisions alike.
    `threshold=${list((n) => s.threshold[n]!, internal)}`,
    `decision_type=${list((n) => 8 | (s.defaultLeft[n] ? 2 : 0), internal)}`,
    `left_child=${list((n) => child(2 * n + 1), internal)}`, `right_child=${list((n) => child(2 * n + 2), internal)}`,
    `leaf_value=${list((n) => s.leaf[n]!, internal + 1)}`, `leaf_weight=${list(() => 1, internal + 1)}`,
    `leaf_count=${list(() => 1, internal + 1)}`, `internal_value=${list(() => 0, internal)}`,
    `internal_weight=${list(() => 1, internal)}`,
    `internal_count=${list((n) => 2 ** (DEPTH - Math.floor(Math.log2(n + 1))), internal)}`,
    'is_linear=0', 'shrinkage=1', '', '',
  ].join('\n');
}

const names = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
const xgb = xgboostFromDocument('synthetic.json', {
  version: [2, 1, 0],
  learner: {
    objective: { name: 'binary:logistic' },
    feature_names: names,
    learner_model_param: { base_score: '5E-1', num_class: '0', num_feature: String(FEATURES), num_target: '1' },
    gradient_booster: { name: 'gbtree', model: { trees: shapes.map(xgboostTree), tree_info: new Array(TREES).fill(0) } },
  },
}, 'xgboost-json');
const lgb = lightgbmFromText('synthetic.txt', [
  'tree', 'version=v4', 'num_class=1', 'num_tree_per_iteration=1', 'label_index=0', `max_feature_idx=${FEATURES - 1}`,
  'objective=binary sigmoid:1', `feature_names=${names.join(' ')}`, `feature_infos=${names.map(() => '[0:1]').join(' ')}`, '',
  ...shapes.map(lightgbmTree), 'end of trees', '',
].join('\n'));
// The native evaluator reads the same compact form; a native model of this size is these trees.
const native = xgb.groups[0]!;
const nativeMargin = marginFunction(native);
const nativeLink = links.sigmoid;
const records = Array.from({ length: ROWS }, () => Object.fromEntries(names.map((n) => [n, random() < 0.1 ? null : random()])));
const runtime = new XGBoostRuntime(xgb, { name: 'synthetic', version: '1' });
/** Validates and encodes records with the runtime's encoder, as the data plane does before the runtime scores them. */
function encode(batch: readonly unknown[]): EncodedRows {
  const x = new Float64Array(batch.length * FEATURES);
  batch.forEach((record, r) => { if (runtime.encoder.encode(record, x, r * FEATURES) !== undefined) throw new Error('invalid record'); });
  return { rows: batch.length, x, records: batch };
}
const matrix = encode(records).x;

// The evaluators take turns on chunks of the batch, in a rotating order, so that a busy machine slows them alike;
// each round sums every chunk's CPU time per evaluator.
const CHUNK = 500;
const evaluators: Record<string, (x: Float64Array, rows: number, chunk: number) => number> = {
  native: (x, rows) => scoreMatrix(native, 'sigmoid', x, rows)[0]!,
  xgboost: (x, rows) => treeModelPredictions(xgb, x, rows)[0]!,
  lightgbm: (x, rows) => treeModelPredictions(lgb, x, rows)[0]!,
  xgboostRecords: (_, rows, chunk) => runtime.predict(encode(records.slice(chunk * CHUNK, chunk * CHUNK + rows)))[0]!.data[0]!,
  // The one-record path of /predict: the native runtime's probability() (its margin function and link), and the XGBoost runtime's.
  nativeOneRow: (x, rows) => {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += nativeLink(nativeMargin(x, r * FEATURES));
    return sum;
  },
  xgboostOneRow: (x, rows) => {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += runtime.probability!(x, r * FEATURES);
    return sum;
  },
};
const evaluatorNames = Object.keys(evaluators);
const chunks = Array.from({ length: ROWS / CHUNK }, (_, c) => matrix.slice(c * CHUNK * FEATURES, (c + 1) * CHUNK * FEATURES));
const runs: Record<string, number[]> = Object.fromEntries(evaluatorNames.map((n) => [n, []]));
let sink = 0;
for (let round = 0; round < 11; round++) {
  const total: Record<string, number> = Object.fromEntries(evaluatorNames.map((n) => [n, 0]));
  chunks.forEach((x, c) => {
    for (let i = 0; i < evaluatorNames.length; i++) {
      const name = evaluatorNames[(round + c + i) % evaluatorNames.length]!;
      total[name]! += cpuMicros(() => { sink += evaluators[name]!(x, CHUNK, c); });
    }
  });
  for (const name of evaluatorNames) runs[name]!.push(total[name]! / ROWS);
}
if (sink === 42) process.stdout.write('');
// The first rounds warm the JIT up.
const steady = (v: number[]) => median(v.slice(2));
const nativeRow = steady(runs['native']!);
const xgboostRow = steady(runs['xgboost']!);
const lightgbmRow = steady(runs['lightgbm']!);
reportBench({
  scenario: 'tree-formats',
  rows: [
    { metric: 'native GBDT evaluator (per row, median of 9 rounds)', value: nativeRow, unit: 'µs', note: 'baseline' },
    { metric: 'XGBoost evaluator, matrix in (per row)', value: xgboostRow, unit: 'µs', note: 'float32 inputs, thresholds and sums' },
    { metric: 'LightGBM evaluator, matrix in (per row)', value: lightgbmRow, unit: 'µs', note: 'float64, zero band' },
    { metric: 'XGBoost runtime, records in (per row)', value: steady(runs['xgboostRecords']!), unit: 'µs', note: 'validating and encoding the records included' },
    { metric: 'native, one row at a time (per row)', value: steady(runs['nativeOneRow']!), unit: 'µs', note: 'what /predict runs' },
    { metric: 'XGBoost runtime probability(), one row at a time (per row)', value: steady(runs['xgboostOneRow']!), unit: 'µs', note: 'layout and float32 pass included' },
    { metric: 'XGBoost / native', value: xgboostRow / nativeRow, unit: 'ratio', note: 'target <= 1.2' },
    { metric: 'LightGBM / native', value: lightgbmRow / nativeRow, unit: 'ratio', note: 'target <= 1.2' },
    { metric: 'XGBoost probability() / native, one row at a time', value: steady(runs['xgboostOneRow']!) / steady(runs['nativeOneRow']!), unit: 'ratio', note: 'target <= 1.2' },
  ],
  extra: { trees: TREES, depth: DEPTH, features: FEATURES, rows: ROWS, nodes: native.feature.length },
});
