/**
 * The compact in-memory form of a gradient-boosted tree ensemble: all trees' nodes in flat typed arrays.
 * Loaders (native artifact, later XGBoost JSON) produce it; evaluators only read it.
 *
 * Node n is a leaf when feature[n] < 0. Otherwise a record goes to left[n] when x[feature[n]] < threshold[n],
 * to right[n] when x >= threshold[n], and to the default side (defaultLeft[n]) when x is missing (NaN).
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
  /** Sum of hessians of the training rows that reached the node (for TreeSHAP and inspection). */
  readonly cover: Float64Array;
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
