/**
 * The compact in-memory form of a gradient-boosted tree ensemble: all trees' nodes in flat typed arrays.
 * Loaders (native artifact, XGBoost JSON/UBJSON, LightGBM text) produce it; evaluators only read it.
 *
 * Node n is a leaf when feature[n] < 0. Otherwise a record goes to left[n] when x[feature[n]] < threshold[n],
 * to right[n] when x >= threshold[n], and otherwise (x is NaN, or threshold[n] is NaN) as `rules` says; without
 * rules, or for a DEFAULT node, to the default side (defaultLeft[n]). Nodes whose decision is not a threshold
 * (category sets, LightGBM's zero-as-missing) have threshold NaN, so the common test costs them nothing extra.
 */
export interface TreeEnsemble {
  readonly kind: 'tree-ensemble';
  /** Width of the encoded vector the trees read. */
  readonly columns: number;
  /** Margin (log-odds) before any tree. */
  readonly baseMargin: number;
  /** Index of each tree's root node. */
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly defaultLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Leaf output in margin units (0 for internal nodes). */
  readonly value: Float64Array;
  /** Sum of hessians (XGBoost, native) or count (LightGBM) of the training rows that reached the node (TreeSHAP). */
  readonly cover: Float64Array;
  /** Decisions that are not a threshold test; absent when every split is one (the native model). */
  readonly rules?: SplitRules;
}

/** How a node decides when its threshold test does not (see TreeEnsemble). */
export const SplitRule = {
  /** NaN takes the default side. */
  DEFAULT: 0,
  /** XGBoost's categorical split: NaN takes the default side; a category in the set goes right, any other value left. */
  CATEGORY_SET_RIGHT: 1,
  /** LightGBM's categorical split: a category in the set goes left; anything else, NaN included, goes right. */
  CATEGORY_SET_LEFT: 2,
  /** LightGBM's missing_type Zero: NaN and 0 take the default side; other values go left below `below[n]`. */
  ZERO_IS_MISSING: 3,
} as const;

export interface SplitRules {
  /** A SplitRule per node. */
  readonly kind: Uint8Array;
  /** ZERO_IS_MISSING nodes: values below this go left. */
  readonly below: Float64Array;
  /** Category nodes: their set is the bitset words sets[setStart[n] .. setStart[n] + setWords[n]). */
  readonly setStart: Int32Array;
  readonly setWords: Int32Array;
  readonly sets: Uint32Array;
}

/** Margin of the record encoded at x[offset .. offset + columns). */
export function treeEnsembleMargin(model: TreeEnsemble, x: Float64Array, offset: number): number {
  const { roots, feature, threshold, defaultLeft, left, right, value } = model;
  let sum = model.baseMargin;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t]!;
    let f = feature[node]!;
    while (f >= 0) {
      const v = x[offset + f]!;
      const cut = threshold[node]!;
      // NaN fails both comparisons and takes the learned default direction.
      node = v < cut ? left[node]! : v >= cut ? right[node]! : defaultLeft[node] === 1 ? left[node]! : right[node]!;
      f = feature[node]!;
    }
    sum += value[node]!;
  }
  return sum;
}

// Category codes are the integer part of the value, as the libraries cast it. XGBoost takes [0, 2^24) (what a
// float32 holds exactly); LightGBM casts to a 32-bit int, so (-1, 2^31) reads as a code (-0.5 is category 0).
const XGBOOST_CATEGORY_END = 16777216;
const LIGHTGBM_CATEGORY_END = 2147483648;

function inSet(rules: SplitRules, node: number, code: number): boolean {
  const word = code >>> 5;
  if (word >= rules.setWords[node]!) return false;
  return ((rules.sets[rules.setStart[node]! + word]! >>> (code & 31)) & 1) === 1;
}

/** Whether a record goes left at `node` when the threshold test leaves it undecided (v is NaN, or the node has a rule). */
export function undecidedGoesLeft(model: TreeEnsemble, node: number, v: number): boolean {
  const rules = model.rules;
  const rule = rules === undefined ? SplitRule.DEFAULT : rules.kind[node]!;
  switch (rule) {
    case SplitRule.CATEGORY_SET_RIGHT:
      if (v !== v) return model.defaultLeft[node] === 1;
      return !(v >= 0 && v < XGBOOST_CATEGORY_END && inSet(rules!, node, Math.trunc(v)));
    case SplitRule.CATEGORY_SET_LEFT:
      return v > -1 && v < LIGHTGBM_CATEGORY_END && inSet(rules!, node, Math.trunc(v));
    case SplitRule.ZERO_IS_MISSING:
      return v !== v || v === 0 ? model.defaultLeft[node] === 1 : v < rules!.below[node]!;
    default:
      return model.defaultLeft[node] === 1;
  }
}
