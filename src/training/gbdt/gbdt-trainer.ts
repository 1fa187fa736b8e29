import type { TreeEnsemble } from '../../model/tree-ensemble.js';
import { logLoss, rocAuc } from '../../evaluation/metrics.js';
import type { LabelledMatrix } from '../dataset-matrix.js';
import { SeededRandom } from '../../foundation/seeded-random.js';
import { applyFeatureBins, fitFeatureBins, type FeatureBins } from './feature-bins.js';
import { TreeBuilder, type BuiltTree } from './tree-builder.js';

export interface GbdtParams {
  learningRate: number;
  maxDepth: number;
  minChildWeight: number;
  /** L2 regularisation of leaf values. */
  lambda: number;
  minSplitGain: number;
  /** Fraction of training rows sampled (without replacement, Bernoulli) for each tree. */
  subsample: number;
  /** Fraction of columns sampled for each tree. */
  colsampleByTree: number;
  maxRounds: number;
  /** Stop when validation log loss has not improved for this many rounds; keep the best round. */
  earlyStoppingRounds: number;
  maxBins: number;
}

/** Chosen on the validation slice of the default split (see docs/training.md), not on the test split. */
export const defaultGbdtParams: GbdtParams = {
  learningRate: 0.1,
  maxDepth: 3,
  minChildWeight: 3,
  lambda: 5,
  minSplitGain: 0,
  subsample: 0.8,
  colsampleByTree: 0.8,
  maxRounds: 2000,
  earlyStoppingRounds: 100,
  maxBins: 64,
};

export interface RoundReport {
  round: number;
  trainLoss: number;
  validLoss: number;
  validAuc: number;
}

export interface GbdtResult {
  ensemble: TreeEnsemble;
  /** Rounds kept (the best validation round); `roundsRun` may be larger because of early stopping. */
  rounds: number;
  roundsRun: number;
  history: RoundReport[];
  /** Margins the trainer computed itself for the validation rows (binned routing, best round). */
  validMargins: Float64Array;
  /** Scores any other matrix by the trainer's own binned routing (not the saved thresholds). */
  margins(m: LabelledMatrix): Float64Array;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function addTreeMargins(tree: BuiltTree, data: FeatureBins, margins: Float64Array): void {
  const { bins, rows, missingBin } = data;
  for (let r = 0; r < rows; r++) {
    let node = 0;
    while (tree.feature[node]! >= 0) {
      const column = tree.feature[node]!;
      const b = bins[column * rows + r]!;
      const goLeft = b === missingBin[column]! ? tree.defaultLeft[node] === 1 : b <= tree.splitBin[node]!;
      node = goLeft ? tree.left[node]! : tree.right[node]!;
    }
    margins[r]! += tree.value[node]!;
  }
}

function toEnsemble(trees: readonly BuiltTree[], cuts: readonly Float64Array[], columns: number, baseMargin: number): TreeEnsemble {
  const total = trees.reduce((sum, t) => sum + t.feature.length, 0);
  const ensemble = {
    kind: 'tree-ensemble' as const,
    columns,
    baseMargin,
    roots: new Int32Array(trees.length),
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    defaultLeft: new Uint8Array(total),
    left: new Int32Array(total),
    right: new Int32Array(total),
    value: new Float64Array(total),
    cover: new Float64Array(total),
  };
  let offset = 0;
  trees.forEach((tree, t) => {
    ensemble.roots[t] = offset;
    for (let i = 0; i < tree.feature.length; i++) {
      const n = offset + i;
      const column = tree.feature[i]!;
      ensemble.feature[n] = column;
      ensemble.cover[n] = tree.cover[i]!;
      if (column < 0) {
        ensemble.value[n] = tree.value[i]!;
        ensemble.left[n] = -1;
        ensemble.right[n] = -1;
      } else {
        // "bin <= splitBin" is exactly "value < cuts[splitBin]" (see feature-bins.ts).
        ensemble.threshold[n] = cuts[column]![tree.splitBin[i]!]!;
        ensemble.defaultLeft[n] = tree.defaultLeft[i]!;
        ensemble.left[n] = offset + tree.left[i]!;
        ensemble.right[n] = offset + tree.right[i]!;
      }
    }
    offset += tree.feature.length;
  });
  return ensemble;
}

/** Gradient boosting with log-loss on 0/1 labels, early-stopped on `valid`. */
export function trainGbdt(
  train: LabelledMatrix,
  valid: LabelledMatrix,
  params: GbdtParams,
  seed: number,
  onRound?: (report: RoundReport) => void,
): GbdtResult {
  const { rows, columns } = train;
  const random = new SeededRandom(seed);
  const trainBins = fitFeatureBins(train.x, rows, columns, params.maxBins);
  const validBins = applyFeatureBins(trainBins.cuts, valid.x, valid.rows, columns);
  const builder = new TreeBuilder(trainBins, params);

  let positives = 0;
  for (let r = 0; r < rows; r++) positives += train.y[r]!;
  const prior = Math.min(Math.max(positives / rows, 1e-6), 1 - 1e-6);
  const baseMargin = Math.log(prior / (1 - prior));

  const trainMargins = new Float64Array(rows).fill(baseMargin);
  const validMargins = new Float64Array(valid.rows).fill(baseMargin);
  const bestValidMargins = new Float64Array(validMargins);
  const grad = new Float64Array(rows);
  const hess = new Float64Array(rows);
  const allColumns = Array.from({ length: columns }, (_, c) => c);
  const columnsPerTree = Math.max(1, Math.round(params.colsampleByTree * columns));
  const trees: BuiltTree[] = [];
  const history: RoundReport[] = [];
  const prob = new Float64Array(Math.max(rows, valid.rows));
  let bestLoss = Infinity;
  let bestRounds = 0;

  for (let round = 1; round <= params.maxRounds; round++) {
    for (let r = 0; r < rows; r++) {
      const p = sigmoid(trainMargins[r]!);
      grad[r] = p - train.y[r]!;
      hess[r] = Math.max(p * (1 - p), 1e-16);
    }
    const sampled: number[] = [];
    for (let r = 0; r < rows; r++) if (params.subsample >= 1 || random.next() < params.subsample) sampled.push(r);
    const treeColumns = columnsPerTree >= columns ? allColumns : random.shuffled(allColumns).slice(0, columnsPerTree).sort((a, b) => a - b);
    const tree = builder.build(Uint32Array.from(sampled), grad, hess, treeColumns);
    trees.push(tree);
    addTreeMargins(tree, trainBins, trainMargins);
    addTreeMargins(tree, validBins, validMargins);

    const trainProb = prob.subarray(0, rows);
    for (let r = 0; r < rows; r++) trainProb[r] = sigmoid(trainMargins[r]!);
    const trainLoss = logLoss(train.y, trainProb);
    const validProb = prob.subarray(0, valid.rows);
    for (let r = 0; r < valid.rows; r++) validProb[r] = sigmoid(validMargins[r]!);
    const validLoss = logLoss(valid.y, validProb);
    const report = { round, trainLoss, validLoss, validAuc: rocAuc(valid.y, validProb) };
    history.push(report);
    onRound?.(report);

    if (validLoss < bestLoss) {
      bestLoss = validLoss;
      bestRounds = round;
      bestValidMargins.set(validMargins);
    } else if (round - bestRounds >= params.earlyStoppingRounds) {
      break;
    }
  }

  const kept = trees.slice(0, bestRounds);
  const ensemble = toEnsemble(kept, trainBins.cuts, columns, baseMargin);
  return {
    ensemble,
    rounds: bestRounds,
    roundsRun: trees.length,
    history,
    validMargins: bestValidMargins,
    margins(m: LabelledMatrix): Float64Array {
      const data = applyFeatureBins(trainBins.cuts, m.x, m.rows, columns);
      const out = new Float64Array(m.rows).fill(baseMargin);
      for (const tree of kept) addTreeMargins(tree, data, out);
      return out;
    },
  };
}
