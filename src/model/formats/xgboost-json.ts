import { ChurnError } from '../../errors.js';
import type { TreeEnsemble } from '../tree-ensemble.js';

/** What an XGBoost model's outputs mean, named after its objective. */
export type XGBoostObjective = 'binary:logistic' | 'binary:logitraw' | 'reg:logistic' | 'reg:squarederror' | 'multi:softprob' | 'multi:softmax';
const OBJECTIVES: readonly string[] = ['binary:logistic', 'binary:logitraw', 'reg:logistic', 'reg:squarederror', 'multi:softprob', 'multi:softmax'];

/**
 * An XGBoost booster in the project's compact form: one tree ensemble per output group (one for binary and
 * regression objectives, one per class for multi:*), so evaluators and TreeSHAP read it unchanged.
 */
export interface XGBoostModel {
  readonly objective: XGBoostObjective;
  /** Input column names from the model file, when it was trained with feature names. */
  readonly featureNames: readonly string[] | undefined;
  readonly columns: number;
  readonly groups: readonly TreeEnsemble[];
}

function fail(file: string, problem: string): never {
  throw new ChurnError('ARTIFACT_CORRUPT', `${file}: ${problem}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(file: string, object: unknown, path: string): unknown {
  let value: unknown = object;
  for (const key of path.split('.')) {
    if (!isRecord(value) || !(key in value)) fail(file, `missing "${path}": not an XGBoost JSON model (Booster.save_model("model.json"))`);
    value = value[key];
  }
  return value;
}

/** XGBoost writes numbers in its parameters as strings ("6"); 3.x writes base_score as "[5E-1]" or a list per class. */
function numbersOf(file: string, value: unknown, name: string): number[] {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().replace(/^\[|\]$/g, '') : undefined;
  const numbers = text === undefined || text === '' ? [] : text.split(',').map((s) => Number(s.trim()));
  if (numbers.length === 0 || numbers.some((n) => !Number.isFinite(n))) fail(file, `"${name}" must be a number, got ${JSON.stringify(value)}`);
  return numbers;
}

function numberList(file: string, tree: Record<string, unknown>, key: string, length: number, t: number): number[] {
  const list = tree[key];
  if (!Array.isArray(list) || list.length !== length) fail(file, `tree ${t}: "${key}" must be a list of ${length} numbers`);
  for (const v of list) if (typeof v !== 'number' && typeof v !== 'boolean') fail(file, `tree ${t}: "${key}" holds a non-number`);
  return list.map(Number);
}

/** The margin XGBoost starts from: base_score is a probability for logistic objectives, a raw value otherwise. */
function baseMarginOf(objective: XGBoostObjective, baseScore: number): number {
  if (objective === 'binary:logistic' || objective === 'reg:logistic') return Math.log(baseScore / (1 - baseScore));
  return baseScore;
}

interface TreeArrays {
  feature: number[]; threshold: number[]; defaultLeft: number[]; left: number[]; right: number[]; value: number[]; cover: number[]; roots: number[];
}

/** Appends one XGBoost tree in preorder, which drops pruned nodes and puts every child after its parent. */
function appendTree(file: string, tree: unknown, t: number, columns: number, out: TreeArrays): void {
  if (!isRecord(tree)) fail(file, `tree ${t} is not an object`);
  const n = Number((tree['tree_param'] as Record<string, unknown> | undefined)?.['num_nodes'] ?? (tree['left_children'] as unknown[] | undefined)?.length);
  if (!Number.isInteger(n) || n < 1) fail(file, `tree ${t}: invalid "tree_param.num_nodes"`);
  const left = numberList(file, tree, 'left_children', n, t);
  const right = numberList(file, tree, 'right_children', n, t);
  const split = numberList(file, tree, 'split_indices', n, t);
  const condition = numberList(file, tree, 'split_conditions', n, t);
  const defaultLeft = numberList(file, tree, 'default_left', n, t);
  const hessian = numberList(file, tree, 'sum_hessian', n, t);
  const splitType = Array.isArray(tree['split_type']) ? tree['split_type'] as unknown[] : [];
  out.roots.push(out.feature.length);
  const visited = new Uint8Array(n);
  const place = (node: number): number => {
    if (!(node >= 0 && node < n) || visited[node] === 1) fail(file, `tree ${t}: node ${node} is out of range or reached twice`);
    visited[node] = 1;
    const at = out.feature.length;
    const isLeaf = left[node] === -1;
    const f = isLeaf ? -1 : split[node]!;
    if (!isLeaf && (splitType[node] ?? 0) !== 0) {
      throw new ChurnError('ARTIFACT_UNSUPPORTED_FORMAT', `${file}: tree ${t} uses a categorical split, which this runtime does not evaluate (train with one-hot encoded columns)`);
    }
    if (!isLeaf && !(Number.isInteger(f) && f >= 0 && f < columns)) fail(file, `tree ${t}: node ${node} splits on column ${f}, the model has ${columns}`);
    out.feature.push(f);
    // A leaf's split_conditions entry is its output value.
    out.threshold.push(isLeaf ? 0 : condition[node]!);
    out.value.push(isLeaf ? condition[node]! : 0);
    out.defaultLeft.push(defaultLeft[node] ? 1 : 0);
    out.cover.push(hessian[node]!);
    out.left.push(-1);
    out.right.push(-1);
    if (!isLeaf) {
      out.left[at] = place(left[node]!);
      out.right[at] = place(right[node]!);
    }
    return at;
  };
  place(0);
}

/** Converts a parsed `Booster.save_model("*.json")` document (XGBoost 1.7, 2.x, 3.x) to the compact form. */
export function xgboostFromJson(file: string, document: unknown): XGBoostModel {
  const objective = (field(file, document, 'learner.objective.name'));
  if (typeof objective !== 'string' || !OBJECTIVES.includes(objective)) {
    throw new ChurnError('ARTIFACT_UNSUPPORTED_FORMAT', `${file}: objective ${JSON.stringify(objective)} is not supported (supported: ${OBJECTIVES.join(', ')})`);
  }
  const obj = objective as XGBoostObjective;
  const booster = field(file, document, 'learner.gradient_booster.name');
  if (booster !== 'gbtree') throw new ChurnError('ARTIFACT_UNSUPPORTED_FORMAT', `${file}: booster ${JSON.stringify(booster)} is not supported (only gbtree)`);
  const param = field(file, document, 'learner.learner_model_param');
  const columns = numbersOf(file, (param as Record<string, unknown>)['num_feature'], 'num_feature')[0]!;
  const numClass = numbersOf(file, (param as Record<string, unknown>)['num_class'] ?? '0', 'num_class')[0]!;
  const groupCount = obj.startsWith('multi:') ? numClass : 1;
  if (!Number.isInteger(groupCount) || groupCount < 1) fail(file, `"num_class" must be a positive integer for ${obj}`);
  const baseScores = numbersOf(file, (param as Record<string, unknown>)['base_score'], 'base_score');
  if (baseScores.length !== 1 && baseScores.length !== groupCount) fail(file, `"base_score" has ${baseScores.length} values for ${groupCount} outputs`);

  const trees = field(file, document, 'learner.gradient_booster.model.trees');
  const treeInfo = field(file, document, 'learner.gradient_booster.model.tree_info');
  if (!Array.isArray(trees) || !Array.isArray(treeInfo) || trees.length !== treeInfo.length) fail(file, '"trees" and "tree_info" must be lists of the same length');
  const arrays: TreeArrays[] = Array.from({ length: groupCount }, () => ({ feature: [], threshold: [], defaultLeft: [], left: [], right: [], value: [], cover: [], roots: [] }));
  trees.forEach((tree, t) => {
    const group = treeInfo[t];
    if (!(Number.isInteger(group) && group >= 0 && group < groupCount)) fail(file, `tree ${t} belongs to output group ${String(group)}, the model has ${groupCount}`);
    appendTree(file, tree, t, columns, arrays[group as number]!);
  });
  const groups = arrays.map((a, g): TreeEnsemble => ({
    kind: 'tree-ensemble', columns,
    baseMargin: baseMarginOf(obj, baseScores[baseScores.length === 1 ? 0 : g]!),
    roots: Int32Array.from(a.roots), feature: Int32Array.from(a.feature), threshold: Float64Array.from(a.threshold),
    defaultLeft: Uint8Array.from(a.defaultLeft), left: Int32Array.from(a.left), right: Int32Array.from(a.right),
    value: Float64Array.from(a.value), cover: Float64Array.from(a.cover),
  }));
  const names = (document as { learner: Record<string, unknown> }).learner['feature_names'];
  const featureNames = Array.isArray(names) && names.length === columns && names.every((s) => typeof s === 'string') ? names as string[] : undefined;
  return { objective: obj, featureNames, columns, groups };
}
