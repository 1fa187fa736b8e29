import { ChurnError } from '../../errors.js';
import type { TreeModel, TreeModelInput, TreeModelOutput, TreeModelTask } from '../tree-model.js';
import { TreeEnsembleBuilder, type SourceNode } from './tree-builder.js';

/**
 * A LightGBM text model (`Booster.save_model("model.txt")`, format v2 to v4) → TreeModel, with LightGBM's own
 * decisions: x <= threshold goes left (held as x < the next double above it); per node missing_type None (NaN
 * reads as 0), Zero (NaN and 0 take the default side) or NaN (NaN takes the default side); categorical splits
 * send the categories of their bitset left and everything else, NaN and negatives included, right. Node covers
 * are the training counts, which LightGBM's TreeSHAP weighs by.
 */

function corrupt(file: string, problem: string): never {
  throw new ChurnError('ARTIFACT_CORRUPT', `${file}: ${problem}`);
}

function unsupported(file: string, problem: string): never {
  throw new ChurnError('MODEL_UNSUPPORTED', `${file}: ${problem}`);
}

/** LightGBM writes doubles with %.17g, so also inf and nan. */
function parseNumber(token: string): number {
  switch (token.toLowerCase()) {
    case 'inf': case '+inf': case 'infinity': return Infinity;
    case '-inf': case '-infinity': return -Infinity;
    case 'nan': case '-nan': return NaN;
    default: return token === '' ? NaN : Number(token);
  }
}

/** The smallest double greater than t: x <= t exactly when x < nextUp(t) (for finite t). */
const scratch = new DataView(new ArrayBuffer(8));
export function nextUp(t: number): number {
  if (Number.isNaN(t) || t === Infinity) return t;
  if (t === 0) return Number.MIN_VALUE;
  scratch.setFloat64(0, t);
  const bits = scratch.getBigUint64(0);
  scratch.setBigUint64(0, t > 0 ? bits + 1n : bits - 1n);
  return scratch.getFloat64(0);
}

interface Objective { readonly task: TreeModelTask; readonly output: TreeModelOutput; readonly groups: number }

const REGRESSION = new Set(['regression', 'regression_l1', 'huber', 'fair', 'quantile', 'mape']);
const EXP = new Set(['poisson', 'gamma', 'tweedie']);
export const LIGHTGBM_OBJECTIVES: readonly string[] = [
  'binary', 'multiclass', 'multiclassova', ...REGRESSION, ...EXP, 'cross_entropy', 'cross_entropy_lambda',
];

/** The objective line ("binary sigmoid:1", "multiclass num_class:3", "regression sqrt") → task and output. */
function objectiveOf(file: string, line: string | undefined, treesPerIteration: number): Objective {
  if (line === undefined) unsupported(file, 'the model names no objective (trained with a custom objective?), so how its scores become predictions is unknown');
  const [name, ...options] = line!.trim().split(/\s+/);
  const option = (key: string): string | undefined => options.find((o) => o.startsWith(`${key}:`))?.slice(key.length + 1);
  const sigmoid = Number(option('sigmoid') ?? '1');
  if (!Number.isFinite(sigmoid)) corrupt(file, `objective "${line}": sigmoid must be a number`);
  const classes = Number(option('num_class') ?? '1');
  const one = (task: TreeModelTask, output: TreeModelOutput): Objective => {
    if (treesPerIteration !== 1) corrupt(file, `objective ${name} has one tree per iteration, the model says ${treesPerIteration}`);
    return { task, output, groups: 1 };
  };
  switch (name) {
    case 'binary':
      return one('binary', { kind: 'sigmoid', scale: sigmoid });
    case 'multiclass':
    case 'multiclassova':
      if (!(Number.isInteger(classes) && classes >= 2 && classes === treesPerIteration)) {
        corrupt(file, `objective "${line}" must have num_class >= 2 equal to num_tree_per_iteration (${treesPerIteration})`);
      }
      return { task: 'multiclass', output: name === 'multiclass' ? { kind: 'softmax' } : { kind: 'sigmoid', scale: sigmoid }, groups: classes };
    case 'cross_entropy':
      return one('regression', { kind: 'sigmoid', scale: 1 });
    case 'cross_entropy_lambda':
      return one('regression', { kind: 'softplus' });
    default:
      if (REGRESSION.has(name!)) return one('regression', options.includes('sqrt') ? { kind: 'signed-square' } : { kind: 'identity' });
      if (EXP.has(name!)) return one('regression', { kind: 'exp' });
      if (name === 'lambdarank' || name === 'rank_xendcg') unsupported(file, `objective ${name}: ranking models are not served`);
      if (name === 'custom') unsupported(file, 'the model was trained with a custom objective, so how its scores become predictions is unknown');
      return unsupported(file, `objective ${JSON.stringify(name)} is not supported; supported: ${LIGHTGBM_OBJECTIVES.join(', ')}`);
  }
}

/** The text as sections: header key=values (and bare flags), the trees' key=values, the bracketed parameters, pandas_categorical. */
function sections(file: string, text: string) {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== 'tree') corrupt(file, 'not a LightGBM text model (it must start with a "tree" line: Booster.save_model("model.txt"))');
  const header = new Map<string, string>();
  const flags = new Set<string>();
  const trees: Map<string, string>[] = [];
  const parameters = new Map<string, string>();
  let pandasCategorical: string | undefined;
  let i = 1;
  let ended = false;
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (line === 'end of trees') { ended = true; i++; break; }
    const eq = line.indexOf('=');
    if (line.startsWith('Tree=')) {
      trees.push(new Map([['Tree', line.slice(5)]]));
    } else if (trees.length > 0) {
      if (eq < 0) corrupt(file, `tree ${trees.length - 1}: unexpected line ${JSON.stringify(line.slice(0, 60))}`);
      trees[trees.length - 1]!.set(line.slice(0, eq), line.slice(eq + 1));
    } else if (eq < 0) {
      flags.add(line);
    } else {
      header.set(line.slice(0, eq), line.slice(eq + 1));
    }
  }
  if (!ended) corrupt(file, 'no "end of trees" line: the file is truncated');
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const parameter = /^\[([^:\]]+): ?(.*)\]$/.exec(line);
    if (parameter !== null) parameters.set(parameter[1]!, parameter[2]!);
    else if (line.startsWith('pandas_categorical:')) pandasCategorical = line.slice('pandas_categorical:'.length);
  }
  return { header, flags, trees, parameters, pandasCategorical };
}

/** The category names of each categorical column, from pandas_categorical (one list per categorical column, in column order). */
function categoryNames(file: string, json: string | undefined, categoricalColumns: readonly number[], parameterColumns: string | undefined): Map<number, string[]> {
  const names = new Map<number, string[]>();
  if (json === undefined || json.trim() === 'null') return names;
  let lists: unknown;
  try {
    lists = JSON.parse(json);
  } catch {
    corrupt(file, '"pandas_categorical" is not valid JSON');
  }
  if (!Array.isArray(lists) || lists.length === 0) return names;
  // The lists follow the DataFrame's categorical columns; LightGBM made exactly those its categorical features.
  let columns = categoricalColumns;
  if (lists.length !== columns.length && parameterColumns !== undefined && /^\d+(,\d+)*$/.test(parameterColumns)) {
    columns = parameterColumns.split(',').map(Number).sort((a, b) => a - b);
  }
  if (lists.length !== columns.length) {
    corrupt(file, `"pandas_categorical" lists ${lists.length} categorical columns, the model has ${columns.length} categorical features`);
  }
  lists.forEach((list: unknown, i) => {
    if (!Array.isArray(list)) corrupt(file, `"pandas_categorical"[${i}] is not a list`);
    // pandas categories may be numbers; clients send them as the text JSON gives them.
    names.set(columns[i]!, (list as unknown[]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))));
  });
  return names;
}

/** Parses LightGBM's model text into a TreeModel. */
export function lightgbmFromText(file: string, text: string): TreeModel {
  const { header, flags, trees, parameters, pandasCategorical } = sections(file, text);
  const integer = (key: string, fallback?: number): number => {
    const raw = header.get(key);
    const n = raw === undefined ? fallback : Number(raw);
    if (n === undefined || !Number.isInteger(n)) corrupt(file, `"${key}" must be an integer, got ${JSON.stringify(raw)}`);
    return n!;
  };
  const version = header.get('version') ?? 'unknown';
  const columns = integer('max_feature_idx') + 1;
  if (columns < 1) corrupt(file, '"max_feature_idx" must be >= 0');
  const treesPerIteration = integer('num_tree_per_iteration', integer('num_class', 1));
  const objective = objectiveOf(file, header.get('objective'), treesPerIteration);
  const names = header.get('feature_names')?.split(' ');
  const featureNames = names !== undefined && names.length === columns ? names : undefined;
  const infos = header.get('feature_infos')?.split(' ');
  // feature_infos: "[min:max]" for numeric features, "none" for unused ones, category values "a:b:c" for categorical ones.
  const categoricalColumns = infos !== undefined && infos.length === columns
    ? infos.flatMap((info, c) => (info !== 'none' && !info.startsWith('[') ? [c] : []))
    : [];
  const categories = categoryNames(file, pandasCategorical, categoricalColumns, parameters.get('categorical_feature'));
  const categorical = new Set([...categoricalColumns, ...categories.keys()]);
  const inputs: TreeModelInput[] = Array.from({ length: columns }, (_, c) => ({
    name: featureNames?.[c] ?? `Column_${c}`,
    categorical: categorical.has(c),
    ...(categories.has(c) ? { categories: categories.get(c)! } : {}),
  }));

  if (trees.length === 0) corrupt(file, 'the model has no trees');
  if (trees.length % objective.groups !== 0) corrupt(file, `${trees.length} trees do not split evenly into ${objective.groups} classes`);
  const builders = Array.from({ length: objective.groups }, () => new TreeEnsembleBuilder(file, columns));
  trees.forEach((tree, t) => addTree(file, tree, t, builders[t % objective.groups]!));
  const iterations = trees.length / objective.groups;
  return {
    format: 'lightgbm-text', library: 'lightgbm', libraryVersion: version, objective: header.get('objective')!.trim(),
    task: objective.task, columns, featureNames, inputs,
    groups: builders.map((b) => b.build(0)),
    arithmetic: 'float64',
    // Random forests (average_output) average their iterations in predict(); raw scores stay sums.
    averageOver: flags.has('average_output') ? iterations : 1,
    output: objective.output,
  };
}

function addTree(file: string, tree: ReadonlyMap<string, string>, t: number, builder: TreeEnsembleBuilder): void {
  const where = `Tree=${tree.get('Tree') ?? t}`;
  const fail = (problem: string): never => corrupt(file, `${where}: ${problem}`);
  const list = (key: string, length: number, optional = false): number[] => {
    const raw = tree.get(key);
    if (raw === undefined) return optional ? [] : fail(`"${key}" is missing`);
    const values = raw.trim() === '' ? [] : raw.trim().split(/\s+/).map(parseNumber);
    if (values.length !== length) fail(`"${key}" must have ${length} values, it has ${values.length}`);
    return values;
  };
  const leaves = Number(tree.get('num_leaves'));
  if (!(Number.isInteger(leaves) && leaves >= 1)) fail('"num_leaves" must be a positive integer');
  if ((tree.get('is_linear') ?? '0').trim() !== '0') unsupported(file, `${where} is a linear tree (linear_tree=true), which is not served`);
  const leafValue = list('leaf_value', leaves);
  if (leaves === 1) {
    const count = list('leaf_count', 1, true)[0];
    builder.addTree(where, 1, 0, () => ({ leaf: true, value: leafValue[0]!, cover: count ?? 0 }));
    return;
  }
  const internal = leaves - 1;
  const feature = list('split_feature', internal);
  const threshold = list('threshold', internal);
  const decision = list('decision_type', internal);
  const leftChild = list('left_child', internal);
  const rightChild = list('right_child', internal);
  const leafCount = list('leaf_count', leaves);
  const internalCount = list('internal_count', internal);
  const numCat = Number(tree.get('num_cat') ?? '0');
  if (!(Number.isInteger(numCat) && numCat >= 0)) fail('"num_cat" must be a non-negative integer');
  const boundaries = numCat > 0 ? list('cat_boundaries', numCat + 1) : [];
  const catThreshold = numCat > 0 ? list('cat_threshold', boundaries[numCat]!) : [];
  // One id space for the builder: internal nodes 0 .. leaves - 2, then leaf j at internal + j (LightGBM's child ~j).
  const id = (child: number): number => (child >= 0 ? child : internal + ~child);
  builder.addTree(where, internal + leaves, 0, (node): SourceNode => {
    if (node >= internal) return { leaf: true, value: leafValue[node - internal]!, cover: leafCount[node - internal]! };
    const type = decision[node]!;
    const defaultLeft = (type & 2) !== 0;
    const missingType = (type >> 2) & 3;
    const t = threshold[node]!;
    const common = { leaf: false as const, feature: feature[node]!, cover: internalCount[node]!, left: id(leftChild[node]!), right: id(rightChild[node]!) };
    if ((type & 1) !== 0) {
      const index = t;
      if (!(Number.isInteger(index) && index >= 0 && index < numCat)) fail(`node ${node}: category set ${index} does not exist`);
      const bits = catThreshold.slice(boundaries[index]!, boundaries[index + 1]!);
      if (bits.some((w) => !(Number.isInteger(w) && w >= 0 && w <= 0xffffffff))) fail(`node ${node}: "cat_threshold" holds a word that is not 32-bit`);
      return { ...common, defaultLeft: false, split: { kind: 'category-set', inSetGoes: 'left', bits } };
    }
    if (Number.isNaN(t)) fail(`node ${node} has no threshold`);
    const below = nextUp(t);
    const zeroGoesLeft = 0 <= t;
    switch (missingType) {
      case 0: // None: NaN is read as 0.
        return { ...common, defaultLeft: zeroGoesLeft, split: { kind: 'threshold', threshold: below } };
      case 2: // NaN: NaN takes the default side; 0 is compared.
        return { ...common, defaultLeft, split: { kind: 'threshold', threshold: below } };
      case 1: // Zero: NaN and 0 take the default side; a threshold test does it when 0 goes that way anyway.
        return defaultLeft === zeroGoesLeft
          ? { ...common, defaultLeft, split: { kind: 'threshold', threshold: below } }
          : { ...common, defaultLeft, split: { kind: 'zero-is-missing', below } };
      default:
        return fail(`node ${node}: unknown missing type in decision_type ${type}`);
    }
  });
}
