import type { FeatureBins } from './feature-bins.js';

/** Regularisation and shape limits of one tree (XGBoost's names and meaning). */
export interface TreeLimits {
  readonly maxDepth: number;
  /** Minimum hessian sum in each child. */
  readonly minChildWeight: number;
  /** L2 penalty on leaf values. */
  readonly lambda: number;
  /** Minimum loss reduction to make a split. */
  readonly minSplitGain: number;
  /** Leaf values are multiplied by it (shrinkage). */
  readonly learningRate: number;
}

/** One tree in preorder, with the bin of each split so training rows can be routed without real values. */
export interface BuiltTree {
  feature: number[];
  splitBin: number[];
  defaultLeft: number[];
  left: number[];
  right: number[];
  value: number[];
  cover: number[];
}

interface Split {
  gain: number;
  column: number;
  bin: number;
  defaultLeft: boolean;
}

/**
 * Grows one regression tree on gradients/hessians by exact search over histogram bins, trying missing
 * values on both sides of each split and keeping the better one (the learned default direction).
 */
export class TreeBuilder {
  private readonly histGrad: Float64Array;
  private readonly histHess: Float64Array;

  constructor(private readonly data: FeatureBins, private readonly limits: TreeLimits) {
    this.histGrad = new Float64Array(256);
    this.histHess = new Float64Array(256);
  }

  build(rows: Uint32Array, grad: Float64Array, hess: Float64Array, columns: readonly number[]): BuiltTree {
    const tree: BuiltTree = { feature: [], splitBin: [], defaultLeft: [], left: [], right: [], value: [], cover: [] };
    this.grow(tree, rows, grad, hess, columns, 0);
    return tree;
  }

  private score(g: number, h: number): number {
    return (g * g) / (h + this.limits.lambda);
  }

  private grow(tree: BuiltTree, rows: Uint32Array, grad: Float64Array, hess: Float64Array, columns: readonly number[], depth: number): number {
    let g = 0;
    let h = 0;
    for (let i = 0; i < rows.length; i++) {
      g += grad[rows[i]!]!;
      h += hess[rows[i]!]!;
    }
    const node = tree.feature.length;
    tree.feature.push(-1);
    tree.splitBin.push(-1);
    tree.defaultLeft.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(0);
    tree.cover.push(h);

    const split = depth < this.limits.maxDepth ? this.bestSplit(rows, grad, hess, columns, g, h) : undefined;
    if (split === undefined) {
      tree.value[node] = (-g / (h + this.limits.lambda)) * this.limits.learningRate;
      return node;
    }
    const { bins, rows: n, missingBin } = this.data;
    const base = split.column * n;
    const missing = missingBin[split.column]!;
    let leftCount = 0;
    for (let i = 0; i < rows.length; i++) {
      const b = bins[base + rows[i]!]!;
      if (b === missing ? split.defaultLeft : b <= split.bin) leftCount++;
    }
    const leftRows = new Uint32Array(leftCount);
    const rightRows = new Uint32Array(rows.length - leftCount);
    let li = 0;
    let ri = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const b = bins[base + r]!;
      if (b === missing ? split.defaultLeft : b <= split.bin) leftRows[li++] = r;
      else rightRows[ri++] = r;
    }
    tree.feature[node] = split.column;
    tree.splitBin[node] = split.bin;
    tree.defaultLeft[node] = split.defaultLeft ? 1 : 0;
    tree.left[node] = this.grow(tree, leftRows, grad, hess, columns, depth + 1);
    tree.right[node] = this.grow(tree, rightRows, grad, hess, columns, depth + 1);
    return node;
  }

  private bestSplit(rows: Uint32Array, grad: Float64Array, hess: Float64Array, columns: readonly number[], g: number, h: number): Split | undefined {
    const { bins, rows: n, missingBin, cuts } = this.data;
    const { minChildWeight, minSplitGain } = this.limits;
    const parentScore = this.score(g, h);
    const hg = this.histGrad;
    const hh = this.histHess;
    let best: Split | undefined;
    for (const column of columns) {
      const valueBins = cuts[column]!.length + 1;
      if (valueBins < 2) continue;
      const missing = missingBin[column]!;
      hg.fill(0, 0, missing + 1);
      hh.fill(0, 0, missing + 1);
      const base = column * n;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        const b = bins[base + r]!;
        hg[b]! += grad[r]!;
        hh[b]! += hess[r]!;
      }
      const gMissing = hg[missing]!;
      const hMissing = hh[missing]!;
      const hasMissing = hMissing > 0;
      let gLeft = 0;
      let hLeft = 0;
      for (let b = 0; b < valueBins - 1; b++) {
        gLeft += hg[b]!;
        hLeft += hh[b]!;
        // Missing values right (or none present), then missing values left.
        for (let side = 0; side < (hasMissing ? 2 : 1); side++) {
          const gl = side === 0 ? gLeft : gLeft + gMissing;
          const hl = side === 0 ? hLeft : hLeft + hMissing;
          const gr = g - gl;
          const hr = h - hl;
          if (hl < minChildWeight || hr < minChildWeight) continue;
          const gain = 0.5 * (this.score(gl, hl) + this.score(gr, hr) - parentScore) - minSplitGain;
          if (gain > 1e-12 && (best === undefined || gain > best.gain)) {
            // With no missing values here, send future missing values to the heavier child.
            const defaultLeft = hasMissing ? side === 1 : hl >= hr;
            best = { gain, column, bin: b, defaultLeft };
          }
        }
      }
    }
    return best;
  }
}
