import { undecidedGoesLeft, type TreeEnsemble } from '../model/tree-ensemble.js';

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion and Lee, "Consistent individualized feature attribution
 * for tree ensembles", Algorithm 2), over the compact tree form. Conditional expectations come from node
 * covers, so contributions plus the expected value add up to the model's margin exactly (up to rounding).
 *
 * The "unique path" of the algorithm lives in preallocated typed arrays: each recursion level copies its
 * parent's path into the next segment, so a record is explained without allocating.
 */
export class TreeShap {
  /** Expected margin over the training distribution: baseMargin + each tree's cover-weighted mean leaf. */
  readonly expectedMargin: number;
  private readonly feature: Int32Array;
  private readonly zero: Float64Array;
  private readonly one: Float64Array;
  private readonly weight: Float64Array;

  constructor(private readonly model: TreeEnsemble) {
    let maxDepth = 0;
    let expected = model.baseMargin;
    for (const root of model.roots) {
      maxDepth = Math.max(maxDepth, this.depth(root));
      expected += this.meanValue(root);
    }
    this.expectedMargin = expected;
    // Path segments for depths 0..maxDepth+1, each up to maxDepth+2 long.
    const size = ((maxDepth + 2) * (maxDepth + 3)) / 2 + maxDepth + 3;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
  }

  /**
   * Adds each encoded column's contribution (in margin units) for the record at x[offset..] to `phi`
   * (length = model.columns). Returns the margin, which equals expectedMargin + sum(phi added).
   */
  explain(x: Float64Array, offset: number, phi: Float64Array): number {
    const { roots, value } = this.model;
    let margin = this.model.baseMargin;
    for (let t = 0; t < roots.length; t++) {
      const root = roots[t]!;
      if (this.model.feature[root]! < 0) {
        margin += value[root]!;
        continue;
      }
      margin += this.recurse(x, offset, phi, root, 0, 0, 1, 1, -1);
    }
    return margin;
  }

  private depth(node: number): number {
    const { feature, left, right } = this.model;
    return feature[node]! < 0 ? 0 : 1 + Math.max(this.depth(left[node]!), this.depth(right[node]!));
  }

  private meanValue(node: number): number {
    const { feature, left, right, cover, value } = this.model;
    if (feature[node]! < 0) return value[node]!;
    const l = left[node]!;
    const r = right[node]!;
    return (cover[l]! * this.meanValue(l) + cover[r]! * this.meanValue(r)) / (cover[l]! + cover[r]!);
  }

  /** Returns the leaf value the record reaches below `node` (to compute the margin in the same pass). */
  private recurse(
    x: Float64Array, offset: number, phi: Float64Array, node: number,
    parentStart: number, depth: number, zeroFraction: number, oneFraction: number, featureIndex: number,
  ): number {
    const { feature: pathFeature, zero, one, weight } = this;
    const start = parentStart + depth + 1;
    // The path at this level starts as a copy of the parent's (depth + 1 elements). A plain loop:
    // TypedArray#copyWithin is a runtime call that costs more than these few elements.
    for (let i = 0; i <= depth; i++) {
      pathFeature[start + i] = pathFeature[parentStart + i]!;
      zero[start + i] = zero[parentStart + i]!;
      one[start + i] = one[parentStart + i]!;
      weight[start + i] = weight[parentStart + i]!;
    }
    this.extend(start, depth, zeroFraction, oneFraction, featureIndex);

    const m = this.model;
    const split = m.feature[node]!;
    if (split < 0) {
      const leaf = m.value[node]!;
      for (let i = 1; i <= depth; i++) {
        const w = this.unwoundSum(start, depth, i);
        phi[pathFeature[start + i]!]! += w * (one[start + i]! - zero[start + i]!) * leaf;
      }
      return leaf;
    }

    const v = x[offset + split]!;
    const cut = m.threshold[node]!;
    const goesLeft = v < cut ? true : v >= cut ? false : undecidedGoesLeft(m, node, v);
    const hot = goesLeft ? m.left[node]! : m.right[node]!;
    const cold = goesLeft ? m.right[node]! : m.left[node]!;
    const cover = m.cover[node]!;

    let incomingZero = 1;
    let incomingOne = 1;
    let uniqueDepth = depth;
    // A feature split on again higher up: undo that split so it is accounted for once, here.
    let k = 0;
    while (k <= uniqueDepth && pathFeature[start + k] !== split) k++;
    if (k <= uniqueDepth) {
      incomingZero = zero[start + k]!;
      incomingOne = one[start + k]!;
      this.unwind(start, uniqueDepth, k);
      uniqueDepth -= 1;
    }
    const reached = this.recurse(x, offset, phi, hot, start, uniqueDepth + 1, (m.cover[hot]! / cover) * incomingZero, incomingOne, split);
    this.recurse(x, offset, phi, cold, start, uniqueDepth + 1, (m.cover[cold]! / cover) * incomingZero, 0, split);
    return reached;
  }

  // Divisions dominate TreeSHAP's cost: path lengths are small integers, so divide by them through a
  // table of reciprocals. A path element's one-fraction is always 0 or 1 (hot or cold child), so the
  // algorithm's divisions by it reduce to a branch.

  private extend(start: number, depth: number, zeroFraction: number, oneFraction: number, featureIndex: number): void {
    const { feature, zero, one, weight } = this;
    const inverse = RECIPROCALS[depth + 1]!;
    feature[start + depth] = featureIndex;
    zero[start + depth] = zeroFraction;
    one[start + depth] = oneFraction;
    weight[start + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      weight[start + i + 1]! += oneFraction * weight[start + i]! * (i + 1) * inverse;
      weight[start + i] = zeroFraction * weight[start + i]! * (depth - i) * inverse;
    }
  }

  private unwind(start: number, depth: number, index: number): void {
    const { feature, zero, one, weight } = this;
    const isOne = one[start + index]! !== 0;
    const zeroFraction = zero[start + index]!;
    const inverseZero = 1 / zeroFraction;
    const inverse = RECIPROCALS[depth + 1]!;
    let next = weight[start + depth]!;
    for (let i = depth - 1; i >= 0; i--) {
      if (isOne) {
        const saved = weight[start + i]!;
        const w = next * (depth + 1) * RECIPROCALS[i + 1]!;
        weight[start + i] = w;
        next = saved - w * zeroFraction * (depth - i) * inverse;
      } else {
        weight[start + i] = weight[start + i]! * (depth + 1) * inverseZero * RECIPROCALS[depth - i]!;
      }
    }
    for (let i = index; i < depth; i++) {
      feature[start + i] = feature[start + i + 1]!;
      zero[start + i] = zero[start + i + 1]!;
      one[start + i] = one[start + i + 1]!;
    }
  }

  private unwoundSum(start: number, depth: number, index: number): number {
    const { zero, one, weight } = this;
    const isOne = one[start + index]! !== 0;
    const zeroFraction = zero[start + index]!;
    const inverse = RECIPROCALS[depth + 1]!;
    let next = weight[start + depth]!;
    let total = 0;
    if (isOne) {
      for (let i = depth - 1; i >= 0; i--) {
        const w = next * (depth + 1) * RECIPROCALS[i + 1]!;
        total += w;
        next = weight[start + i]! - w * zeroFraction * (depth - i) * inverse;
      }
    } else {
      const inverseZero = 1 / zeroFraction;
      for (let i = depth - 1; i >= 0; i--) total += weight[start + i]! * inverseZero * (depth + 1) * RECIPROCALS[depth - i]!;
    }
    return total;
  }
}

/** 1 / n for path lengths up to any realistic tree depth. */
const RECIPROCALS = Float64Array.from({ length: 130 }, (_, n) => (n === 0 ? 0 : 1 / n));
