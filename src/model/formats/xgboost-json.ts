import { ChurnError } from '../../errors.js';
import type { TreeModel, TreeModelFormat, TreeModelInput, TreeModelOutput, TreeModelTask } from '../tree-model.js';
import { categoryBitset, TreeEnsembleBuilder, type SourceNode } from './tree-builder.js';

/**
 * XGBoost's model document (Booster.save_model, JSON or UBJSON: the same tree of values) → TreeModel, for the
 * documents XGBoost 1.7, 2.x and 3.x write. Everything XGBoost keeps in float32 (thresholds, leaves, the base
 * margin) is rounded to float32 here, so the evaluator's float32 comparisons and sums are XGBoost's.
 */

/** How an objective's base_score becomes the starting margin (XGBoost's ProbToMargin, in float32). */
type BaseScoreLink = 'logit' | 'log' | 'identity';

interface ObjectiveSpec { readonly task: TreeModelTask; readonly output: TreeModelOutput; readonly base: BaseScoreLink }

const IDENTITY: ObjectiveSpec = { task: 'regression', output: { kind: 'identity' }, base: 'identity' };
const EXP: ObjectiveSpec = { task: 'regression', output: { kind: 'exp' }, base: 'log' };

/** The objectives served, with what predict() returns for each (XGBoost's PredTransform) and their base_score link. */
const OBJECTIVES: Readonly<Record<string, ObjectiveSpec>> = {
  'binary:logistic': { task: 'binary', output: { kind: 'sigmoid', scale: 1 }, base: 'logit' },
  'reg:logistic': { task: 'regression', output: { kind: 'sigmoid', scale: 1 }, base: 'logit' },
  // logitraw predicts the margin; its base_score is a margin in every version (1.7 to 3.x).
  'binary:logitraw': IDENTITY,
  'reg:squarederror': IDENTITY,
  'reg:linear': IDENTITY,
  'reg:squaredlogerror': IDENTITY,
  'reg:pseudohubererror': IDENTITY,
  'reg:absoluteerror': IDENTITY,
  'reg:quantileerror': IDENTITY,
  'count:poisson': EXP,
  'reg:gamma': EXP,
  'reg:tweedie': EXP,
  'multi:softprob': { task: 'multiclass', output: { kind: 'softmax' }, base: 'identity' },
  'multi:softmax': { task: 'multiclass', output: { kind: 'class' }, base: 'identity' },
};

const WHY_NOT: Readonly<Record<string, string>> = {
  'binary:hinge': 'it predicts a class without a probability',
  'rank:': 'ranking models are not served',
  'survival:': 'survival models are not served',
};

export const XGBOOST_OBJECTIVES: readonly string[] = Object.keys(OBJECTIVES).filter((o) => o !== 'reg:linear');

function corrupt(file: string, problem: string): never {
  throw new ChurnError('ARTIFACT_CORRUPT', `${file}: ${problem}`);
}

function unsupported(file: string, problem: string): never {
  throw new ChurnError('MODEL_UNSUPPORTED', `${file}: ${problem}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function field(file: string, object: unknown, path: string): unknown {
  let value: unknown = object;
  for (const key of path.split('.')) {
    if (!isRecord(value) || !Object.hasOwn(value, key)) corrupt(file, `missing "${path}": not an XGBoost model (Booster.save_model("model.json" or "model.ubj"))`);
    value = value[key];
  }
  return value;
}

/** XGBoost writes its parameters as strings ("6"), and base_score as "5E-1", "[5E-1]" or "[a,b,c]" (3.x: one per class). */
function numbersOf(file: string, value: unknown, name: string): number[] {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().replace(/^\[|\]$/g, '') : undefined;
  const numbers = text === undefined || text === '' ? [] : text.split(',').map((s) => Number(s.trim()));
  if (numbers.length === 0 || numbers.some((n) => !Number.isFinite(n))) corrupt(file, `"${name}" must be a number, got ${JSON.stringify(value)}`);
  return numbers;
}

/**
 * A list of numbers: a typed array (UBJSON), or a JSON list whose items are numbers, booleans, or the NaN and
 * infinities XGBoost 1.7 writes as bare words (which parseXGBoostJson turns into strings).
 */
function numberList(file: string, tree: Record<string, unknown>, key: string, length: number, where: string): ArrayLike<number> {
  const list = tree[key];
  if (ArrayBuffer.isView(list) && !(list instanceof DataView)) {
    const typed = list as unknown as ArrayLike<number>;
    if (typed.length < length) corrupt(file, `${where}: "${key}" must hold ${length} numbers, it holds ${typed.length}`);
    return typed;
  }
  if (!Array.isArray(list) || list.length < length) corrupt(file, `${where}: "${key}" must be a list of ${length} numbers`);
  return (list as unknown[]).map((v) => {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    return corrupt(file, `${where}: "${key}" holds ${JSON.stringify(v)}, not a number`);
  });
}

/** The starting margin for base_score b, computed in float32 as XGBoost's ProbToMargin does. */
function baseMargin(file: string, link: BaseScoreLink, b: number): number {
  const score = Math.fround(b);
  switch (link) {
    case 'identity':
      return score;
    case 'log':
      if (!(score > 0)) corrupt(file, `"base_score" ${b} must be positive for this objective`);
      return Math.fround(Math.log(score));
    case 'logit':
      if (!(score >= 0 && score <= 1)) corrupt(file, `"base_score" ${b} must be a probability for this objective`);
      return -Math.fround(Math.log(Math.fround(Math.fround(1 / score) - 1)));
  }
}

/** Category names per feature, from XGBoost >= 3.1's "cats" (UTF-8 bytes of all names, with offsets). */
function categoryNames(file: string, cats: unknown, columns: number): (string[] | undefined)[] {
  const names: (string[] | undefined)[] = new Array<string[] | undefined>(columns).fill(undefined);
  if (!isRecord(cats) || cats['enc'] === undefined) return names;
  const encodings = cats['enc'];
  // No categorical features: an empty list.
  if (Array.isArray(encodings) && encodings.length === 0) return names;
  if (!Array.isArray(encodings) || encodings.length !== columns) corrupt(file, `"cats.enc" must have one entry per feature (${columns})`);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  encodings.forEach((encoding: unknown, c) => {
    const where = `"cats.enc[${c}]"`;
    if (!isRecord(encoding)) corrupt(file, `${where} is not an object`);
    const offsets = numberList(file, encoding, 'offsets', 0, where);
    const values = numberList(file, encoding, 'values', 0, where);
    // Numeric categories (no offsets) keep their codes: a number sent for them is a code, as for any array input.
    if (offsets.length === 0) return;
    const bytes = Uint8Array.from(values as ArrayLike<number>, (v) => v & 0xff);
    const list: string[] = [];
    for (let i = 0; i + 1 < offsets.length; i++) {
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      if (!(start >= 0 && start <= end && end <= bytes.length)) corrupt(file, `${where}: offsets out of range`);
      try {
        list.push(decoder.decode(bytes.subarray(start, end)));
      } catch {
        corrupt(file, `${where}: a category name is not valid UTF-8`);
      }
    }
    names[c] = list;
  });
  return names;
}

/** One tree's node reader (XGBoost's parallel arrays; a leaf's split_conditions entry is its value). */
function treeNodes(file: string, tree: unknown, t: number, categoricalColumns: Set<number>): { nodes: number; node: (id: number) => SourceNode } {
  const where = `tree ${t}`;
  if (!isRecord(tree)) corrupt(file, `${where} is not an object`);
  const param = tree['tree_param'];
  const leafVector = isRecord(param) && param['size_leaf_vector'] !== undefined ? numbersOf(file, param['size_leaf_vector'], 'size_leaf_vector')[0]! : 0;
  if (leafVector > 1) unsupported(file, `${where} has vector leaves (multi_strategy="multi_output_tree"), which are not served`);
  const left0 = tree['left_children'] as { length?: unknown } | undefined;
  const n = isRecord(param) && param['num_nodes'] !== undefined ? numbersOf(file, param['num_nodes'], 'num_nodes')[0]! : Number(left0?.length);
  if (!Number.isInteger(n) || n < 1) corrupt(file, `${where}: invalid "tree_param.num_nodes"`);
  const left = numberList(file, tree, 'left_children', n, where);
  const right = numberList(file, tree, 'right_children', n, where);
  const split = numberList(file, tree, 'split_indices', n, where);
  const condition = numberList(file, tree, 'split_conditions', n, where);
  const defaultLeft = numberList(file, tree, 'default_left', n, where);
  const hessian = numberList(file, tree, 'sum_hessian', n, where);
  const splitType = tree['split_type'] === undefined ? undefined : numberList(file, tree, 'split_type', n, where);
  // Categorical splits: node categories_nodes[i] sends categories[segments[i] .. + sizes[i]] right.
  const sets = new Map<number, Uint32Array>();
  if (splitType !== undefined && Array.prototype.some.call(splitType, (s: number) => s === 1)) {
    const catNodes = numberList(file, tree, 'categories_nodes', 0, where);
    const segments = numberList(file, tree, 'categories_segments', catNodes.length, where);
    const sizes = numberList(file, tree, 'categories_sizes', catNodes.length, where);
    const categories = numberList(file, tree, 'categories', 0, where);
    for (let i = 0; i < catNodes.length; i++) {
      const start = segments[i]!;
      const size = sizes[i]!;
      if (!(Number.isInteger(start) && Number.isInteger(size) && start >= 0 && size >= 0 && start + size <= categories.length)) {
        corrupt(file, `${where}: categories of node ${catNodes[i]} are out of range`);
      }
      const codes = Array.prototype.slice.call(categories, start, start + size) as number[];
      if (codes.some((c) => !(Number.isInteger(c) && c >= 0 && c < 16777216))) corrupt(file, `${where}: node ${catNodes[i]} has an invalid category code`);
      sets.set(catNodes[i]!, categoryBitset(codes));
    }
  }
  const node = (id: number): SourceNode => {
    const cover = Math.fround(hessian[id]!);
    if (left[id] === -1) return { leaf: true, value: Math.fround(condition[id]!), cover };
    const feature = split[id]!;
    const categorical = splitType !== undefined && splitType[id] === 1;
    const common = { leaf: false as const, feature, cover, left: left[id]!, right: right[id]!, defaultLeft: defaultLeft[id] === 1 };
    if (!categorical) return { ...common, split: { kind: 'threshold', threshold: Math.fround(condition[id]!) } };
    const bits = sets.get(id);
    if (bits === undefined) corrupt(file, `${where}: node ${id} is a categorical split without categories`);
    // Split by category whatever feature_types says (a model may have none): the input is a category code.
    categoricalColumns.add(feature);
    return { ...common, split: { kind: 'category-set', inSetGoes: 'right', bits: bits! } };
  };
  return { nodes: n, node };
}

/** Converts a decoded XGBoost model document (JSON or UBJSON) to a TreeModel. */
export function xgboostFromDocument(file: string, document: unknown, format: TreeModelFormat): TreeModel {
  const objective = field(file, document, 'learner.objective.name');
  if (typeof objective !== 'string') corrupt(file, '"learner.objective.name" must be a string');
  const spec = OBJECTIVES[objective];
  if (spec === undefined) {
    const why = Object.entries(WHY_NOT).find(([prefix]) => objective.startsWith(prefix))?.[1];
    unsupported(file, `objective ${JSON.stringify(objective)} is not supported${why !== undefined ? ` (${why})` : ''}; supported: ${XGBOOST_OBJECTIVES.join(', ')}`);
  }
  const booster = field(file, document, 'learner.gradient_booster.name');
  if (booster !== 'gbtree') {
    unsupported(file, `booster ${JSON.stringify(booster)} is not supported (only gbtree${booster === 'dart' ? '; dart weighs its trees at prediction' : ''})`);
  }
  const param = field(file, document, 'learner.learner_model_param') as Record<string, unknown>;
  const columns = numbersOf(file, param['num_feature'], 'num_feature')[0]!;
  if (!(Number.isInteger(columns) && columns >= 1)) corrupt(file, `"num_feature" must be a positive integer, got ${columns}`);
  const targets = param['num_target'] === undefined ? 1 : numbersOf(file, param['num_target'], 'num_target')[0]!;
  if (targets !== 1) unsupported(file, `the model has ${targets} targets (multi-output regression), which are not served`);
  const numClass = numbersOf(file, param['num_class'] ?? '0', 'num_class')[0]!;
  const groupCount = spec!.task === 'multiclass' ? numClass : 1;
  if (!(Number.isInteger(groupCount) && groupCount >= 1)) corrupt(file, `"num_class" must be a positive integer for ${objective}`);
  const baseScores = numbersOf(file, param['base_score'], 'base_score');
  if (baseScores.length !== 1 && baseScores.length !== groupCount) corrupt(file, `"base_score" has ${baseScores.length} values for ${groupCount} outputs`);

  const learner = (document as { learner: Record<string, unknown> }).learner;
  const names = learner['feature_names'];
  const featureNames = Array.isArray(names) && names.length === columns && names.every((s) => typeof s === 'string') ? names as string[] : undefined;
  const types = learner['feature_types'];
  const categoricalColumns = new Set<number>();
  if (Array.isArray(types) && types.length === columns) types.forEach((type, c) => { if (type === 'c') categoricalColumns.add(c); });
  const model = field(file, document, 'learner.gradient_booster.model') as Record<string, unknown>;
  const trees = model['trees'];
  const treeInfo = model['tree_info'];
  if (!Array.isArray(trees)) corrupt(file, '"trees" must be a list');
  const info = treeInfo === undefined ? undefined : numberList(file, model, 'tree_info', trees.length, 'the model');
  if (info === undefined || info.length !== trees.length) corrupt(file, '"trees" and "tree_info" must be lists of the same length');
  const builders = Array.from({ length: groupCount }, () => new TreeEnsembleBuilder(file, columns));
  trees.forEach((tree, t) => {
    const group = info![t]!;
    if (!(Number.isInteger(group) && group >= 0 && group < groupCount)) corrupt(file, `tree ${t} belongs to output group ${group}, the model has ${groupCount}`);
    const { nodes, node } = treeNodes(file, tree, t, categoricalColumns);
    builders[group]!.addTree(`tree ${t}`, nodes, 0, node);
  });
  const categories = categoryNames(file, model['cats'], columns);
  const inputs: TreeModelInput[] = Array.from({ length: columns }, (_, c) => ({
    name: featureNames?.[c] ?? `f${c}`,
    categorical: categoricalColumns.has(c),
    ...(categories[c] !== undefined ? { categories: categories[c]! } : {}),
  }));
  const version = (document as Record<string, unknown>)['version'];
  const versionArray = ArrayBuffer.isView(version) ? Array.from(version as unknown as ArrayLike<number>) : version;
  return {
    format, library: 'xgboost',
    libraryVersion: Array.isArray(versionArray) ? versionArray.join('.') : 'unknown',
    objective, task: spec!.task, columns, featureNames, inputs,
    groups: builders.map((b, g) => b.build(baseMargin(file, spec!.base, baseScores[baseScores.length === 1 ? 0 : g]!))),
    arithmetic: 'float32', averageOver: 1, output: spec!.output,
  };
}

/**
 * Parses an XGBoost JSON model. XGBoost 1.7 writes NaN (categorical splits' conditions) and infinities as bare
 * words, which JSON does not allow: when plain parsing fails, they are read as strings outside string literals.
 */
export function parseXGBoostJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    if (!/\bNaN\b|\bInfinity\b/.test(text)) corrupt(file, `not valid JSON, the file may be truncated (${(first as Error).message})`);
    const quoted = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (token) => (token.startsWith('"') ? token : `"${token}"`));
    try {
      return JSON.parse(quoted);
    } catch (cause) {
      return corrupt(file, `not valid JSON, the file may be truncated (${(cause as Error).message})`);
    }
  }
}

/** An XGBoost JSON model (text) → TreeModel. */
export function xgboostFromJson(file: string, text: string): TreeModel {
  return xgboostFromDocument(file, parseXGBoostJson(file, text), 'xgboost-json');
}
