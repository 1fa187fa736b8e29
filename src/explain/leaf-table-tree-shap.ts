import { undecidedGoesLeft, type TreeEnsemble } from '../model/tree-ensemble.js';

/**
 * Exact path-dependent TreeSHAP by precomputed leaf tables (the idea of "Fast TreeSHAP" v2, Yang 2021).
 *
 * For a leaf whose path splits on k distinct features, the leaf's share of feature j's Shapley value is
 *   value × (o_j − z_j) × Σ_{S ⊆ A∖{j}} |S|!(k−|S|−1)!/k! × Π_{i ∉ S, i ≠ j} z_i
 * where z_i is the share of training cover that follows the path at feature i's splits, o_i is 1 when the
 * record follows them all, and A is the set of features with o_i = 1. Only A depends on the record, and
 * there are 2^k of them: the sums are computed once per leaf at construction, so explaining a record is
 * O(trees × leaves × depth) instead of O(trees × leaves × depth²) with a division in the inner loop.
 * Tables grow as 2^k, so `fits` says whether a model is shallow enough (see MAX_TABLE_ENTRIES).
 */
export class LeafTableTreeShap {
  readonly expectedMargin: number;
  private readonly model: TreeEnsemble;
  private readonly decisions: Uint8Array;
  private readonly leafValue: Float64Array;
  private readonly leafSlots: Int32Array;
  private readonly slotStart: Int32Array;
  private readonly slotFeature: Int32Array;
  private readonly slotZero: Float64Array;
  private readonly conditionStart: Int32Array;
  private readonly conditionNode: Int32Array;
  private readonly conditionLeft: Uint8Array;
  private readonly conditionSlot: Int32Array;
  private readonly tableStart: Int32Array;
  private readonly table: Float64Array;

  static readonly MAX_TABLE_ENTRIES = 4_000_000;

  /** Whether the leaf tables of `model` stay within MAX_TABLE_ENTRIES. */
  static fits(model: TreeEnsemble): boolean {
    let entries = 0;
    for (const leaf of collectLeaves(model)) entries += (1 << leaf.features.length) * leaf.features.length;
    return entries <= LeafTableTreeShap.MAX_TABLE_ENTRIES;
  }

  constructor(model: TreeEnsemble) {
    this.model = model;
    const leaves = collectLeaves(model);
    this.decisions = new Uint8Array(model.feature.length);
    this.leafValue = Float64Array.from(leaves, (l) => l.value);
    this.leafSlots = Int32Array.from(leaves, (l) => l.features.length);
    this.slotStart = new Int32Array(leaves.length + 1);
    this.conditionStart = new Int32Array(leaves.length + 1);
    this.tableStart = new Int32Array(leaves.length + 1);
    leaves.forEach((l, i) => {
      this.slotStart[i + 1] = this.slotStart[i]! + l.features.length;
      this.conditionStart[i + 1] = this.conditionStart[i]! + l.conditions.length;
      this.tableStart[i + 1] = this.tableStart[i]! + (1 << l.features.length) * l.features.length;
    });
    this.slotFeature = Int32Array.from(leaves.flatMap((l) => l.features));
    this.slotZero = Float64Array.from(leaves.flatMap((l) => l.zeroFractions));
    this.conditionNode = Int32Array.from(leaves.flatMap((l) => l.conditions.map((c) => c.node)));
    this.conditionLeft = Uint8Array.from(leaves.flatMap((l) => l.conditions.map((c) => (c.left ? 1 : 0))));
    this.conditionSlot = Int32Array.from(leaves.flatMap((l) => l.conditions.map((c) => c.slot)));
    this.table = new Float64Array(this.tableStart[leaves.length]!);
    leaves.forEach((l, i) => fillLeafTable(l.zeroFractions, this.table, this.tableStart[i]!));

    let expected = model.baseMargin;
    for (const l of leaves) expected += l.value * l.coverShare;
    this.expectedMargin = expected;
  }

  /** Adds each encoded column's contribution to `phi`; returns the margin. */
  explain(x: Float64Array, offset: number, phi: Float64Array): number {
    const { feature, threshold, left, right, value, roots } = this.model;
    const decisions = this.decisions;
    for (let n = 0; n < feature.length; n++) {
      const f = feature[n]!;
      if (f < 0) continue;
      const v = x[offset + f]!;
      const cut = threshold[n]!;
      decisions[n] = v < cut ? 1 : v >= cut ? 0 : undecidedGoesLeft(this.model, n, v) ? 1 : 0;
    }
    let margin = this.model.baseMargin;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t]!;
      while (feature[node]! >= 0) node = decisions[node] === 1 ? left[node]! : right[node]!;
      margin += value[node]!;
    }

    const { leafValue, leafSlots, slotStart, slotFeature, slotZero, conditionStart, conditionNode, conditionLeft, conditionSlot, tableStart, table } = this;
    for (let leaf = 0; leaf < leafValue.length; leaf++) {
      const k = leafSlots[leaf]!;
      if (k === 0) continue;
      let followed = (1 << k) - 1;
      for (let c = conditionStart[leaf]!; c < conditionStart[leaf + 1]!; c++) {
        if (decisions[conditionNode[c]!] !== conditionLeft[c]) followed &= ~(1 << conditionSlot[c]!);
      }
      const row = tableStart[leaf]! + followed * k;
      const first = slotStart[leaf]!;
      const v = leafValue[leaf]!;
      for (let j = 0; j < k; j++) {
        const one = (followed >> j) & 1;
        phi[slotFeature[first + j]!]! += v * (one - slotZero[first + j]!) * table[row + j]!;
      }
    }
    return margin;
  }
}

interface LeafPath {
  value: number;
  /** Leaf cover / root cover: the leaf's weight in the expected value. */
  coverShare: number;
  /** Distinct split columns on the path, in order of first use (the leaf's "slots"). */
  features: number[];
  zeroFractions: number[];
  conditions: { node: number; left: boolean; slot: number }[];
}

function collectLeaves(model: TreeEnsemble): LeafPath[] {
  const { feature, left, right, cover, value, roots } = model;
  const leaves: LeafPath[] = [];
  const walk = (node: number, rootCover: number, path: { node: number; left: boolean }[]) => {
    if (feature[node]! < 0) {
      const features: number[] = [];
      const zeroFractions: number[] = [];
      const conditions: LeafPath['conditions'] = [];
      for (const step of path) {
        const f = feature[step.node]!;
        let slot = features.indexOf(f);
        const child = step.left ? left[step.node]! : right[step.node]!;
        const share = cover[child]! / cover[step.node]!;
        if (slot < 0) {
          slot = features.length;
          features.push(f);
          zeroFractions.push(share);
        } else {
          zeroFractions[slot]! *= share;
        }
        conditions.push({ node: step.node, left: step.left, slot });
      }
      leaves.push({ value: value[node]!, coverShare: cover[node]! / rootCover, features, zeroFractions, conditions });
      return;
    }
    walk(left[node]!, rootCover, [...path, { node, left: true }]);
    walk(right[node]!, rootCover, [...path, { node, left: false }]);
  };
  for (const root of roots) walk(root, cover[root]!, []);
  return leaves;
}

/** table[start + mask × k + j] = Σ_{S ⊆ mask∖{j}} |S|!(k−|S|−1)!/k! × Π_{i ∉ S, i ≠ j} z_i. */
function fillLeafTable(zero: readonly number[], table: Float64Array, start: number): void {
  const k = zero.length;
  const factorial = [1];
  for (let n = 1; n <= k; n++) factorial.push(factorial[n - 1]! * n);
  const popcount = (m: number) => { let c = 0; for (; m !== 0; m &= m - 1) c++; return c; };
  for (let mask = 0; mask < 1 << k; mask++) {
    for (let j = 0; j < k; j++) {
      const others = mask & ~(1 << j);
      let sum = 0;
      // Every subset S of `others`, by the standard submask walk (including the empty set).
      for (let s = others; ; s = (s - 1) & others) {
        let product = 1;
        for (let i = 0; i < k; i++) if (i !== j && ((s >> i) & 1) === 0) product *= zero[i]!;
        const size = popcount(s);
        sum += (factorial[size]! * factorial[k - size - 1]! / factorial[k]!) * product;
        if (s === 0) break;
      }
      table[start + mask * k + j] = sum;
    }
  }
}
