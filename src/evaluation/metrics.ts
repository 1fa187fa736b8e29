/**
 * Binary classification metrics over labels (0/1) and predicted probabilities. Plain functions over
 * array-likes so training, the benchmark and tests share one definition. Conventions follow
 * scikit-learn where it has one (ties in ROC AUC, step-wise average precision, clipped log loss).
 */

export type Labels = ArrayLike<number>;
export type Scores = ArrayLike<number>;

function checkSameLength(labels: Labels, scores: Scores): void {
  if (labels.length !== scores.length) throw new RangeError(`labels (${labels.length}) and scores (${scores.length}) differ in length`);
  if (labels.length === 0) throw new RangeError('metrics need at least one example');
}

/** Indices sorted by descending score (stable, so results do not depend on engine sort details). */
function byDescendingScore(scores: Scores): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (scores[b]! - scores[a]!) || a - b);
}

/** Area under the ROC curve: the probability a random positive outranks a random negative, ties counting half. */
export function rocAuc(labels: Labels, scores: Scores): number {
  checkSameLength(labels, scores);
  const order = byDescendingScore(scores);
  let positives = 0;
  let negatives = 0;
  for (let i = 0; i < labels.length; i++) labels[i] === 1 ? positives++ : negatives++;
  if (positives === 0 || negatives === 0) return NaN;
  // Walk groups of tied scores; each negative in a group is outranked by all positives seen before it
  // and ties with half of the positives in its own group.
  let positivesAbove = 0;
  let sum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    let groupPositives = 0;
    let groupNegatives = 0;
    while (j < order.length && scores[order[j]!] === scores[order[i]!]) {
      labels[order[j]!] === 1 ? groupPositives++ : groupNegatives++;
      j++;
    }
    sum += groupNegatives * (positivesAbove + groupPositives / 2);
    positivesAbove += groupPositives;
    i = j;
  }
  return sum / (positives * negatives);
}

/** Average precision (area under the precision-recall curve, step-wise as in scikit-learn). */
export function prAuc(labels: Labels, scores: Scores): number {
  checkSameLength(labels, scores);
  const order = byDescendingScore(scores);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  if (positives === 0) return NaN;
  let truePositives = 0;
  let seen = 0;
  let previousRecall = 0;
  let area = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && scores[order[j]!] === scores[order[i]!]) {
      if (labels[order[j]!] === 1) truePositives++;
      seen++;
      j++;
    }
    const recall = truePositives / positives;
    area += (recall - previousRecall) * (truePositives / seen);
    previousRecall = recall;
    i = j;
  }
  return area;
}

/** Mean negative log-likelihood, probabilities clipped to [eps, 1 - eps]. */
export function logLoss(labels: Labels, probabilities: Scores, eps = 1e-15): number {
  checkSameLength(labels, probabilities);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probabilities[i]!, eps), 1 - eps);
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/** Mean squared difference between probability and outcome. */
export function brierScore(labels: Labels, probabilities: Scores): number {
  checkSameLength(labels, probabilities);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (probabilities[i]! - labels[i]!) ** 2;
  return sum / labels.length;
}

export interface ThresholdMetrics {
  threshold: number;
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Confusion counts and derived rates when "churn" means probability >= threshold. Undefined ratios are 0. */
export function thresholdMetrics(labels: Labels, probabilities: Scores, threshold: number): ThresholdMetrics {
  checkSameLength(labels, probabilities);
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const predicted = probabilities[i]! >= threshold;
    if (labels[i] === 1) predicted ? tp++ : fn++;
    else predicted ? fp++ : tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    threshold, truePositives: tp, falsePositives: fp, trueNegatives: tn, falseNegatives: fn,
    accuracy: (tp + tn) / labels.length, precision, recall, f1,
  };
}

export interface CalibrationBin {
  /** Bin covers [lower, upper), the last bin includes 1. */
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability in the bin (null when empty). */
  meanPredicted: number | null;
  /** Fraction of positives in the bin (null when empty). */
  observedRate: number | null;
}

/** Reliability table over equal-width probability bins. */
export function calibrationTable(labels: Labels, probabilities: Scores, bins = 10): CalibrationBin[] {
  checkSameLength(labels, probabilities);
  const count = new Float64Array(bins);
  const predictedSum = new Float64Array(bins);
  const positiveSum = new Float64Array(bins);
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b]! += 1;
    predictedSum[b]! += p;
    positiveSum[b]! += labels[i] === 1 ? 1 : 0;
  }
  return Array.from({ length: bins }, (_, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: count[b]!,
    meanPredicted: count[b]! === 0 ? null : predictedSum[b]! / count[b]!,
    observedRate: count[b]! === 0 ? null : positiveSum[b]! / count[b]!,
  }));
}

/**
 * The threshold that maximises F1, searched over every distinct predicted probability. Chosen on the
 * validation slice, never the test split, so test metrics stay unbiased. Ties go to the higher threshold.
 */
export function f1OptimalThreshold(labels: Labels, probabilities: Scores): number {
  checkSameLength(labels, probabilities);
  const order = byDescendingScore(probabilities);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  let bestF1 = -1;
  let best = 0.5;
  let tp = 0;
  let predictedPositive = 0;
  for (let i = 0; i < order.length;) {
    const threshold = probabilities[order[i]!]!;
    while (i < order.length && probabilities[order[i]!] === threshold) {
      if (labels[order[i]!] === 1) tp++;
      predictedPositive++;
      i++;
    }
    const f1 = positives === 0 ? 0 : (2 * tp) / (predictedPositive + positives);
    if (f1 > bestF1) {
      bestF1 = f1;
      best = threshold;
    }
  }
  return best;
}

export interface EvaluationReport {
  examples: number;
  positives: number;
  rocAuc: number;
  prAuc: number;
  logLoss: number;
  brierScore: number;
  atThreshold: ThresholdMetrics;
  calibration: CalibrationBin[];
}

export function evaluate(labels: Labels, probabilities: Scores, threshold: number): EvaluationReport {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  return {
    examples: labels.length,
    positives,
    rocAuc: rocAuc(labels, probabilities),
    prAuc: prAuc(labels, probabilities),
    logLoss: logLoss(labels, probabilities),
    brierScore: brierScore(labels, probabilities),
    atThreshold: thresholdMetrics(labels, probabilities, threshold),
    calibration: calibrationTable(labels, probabilities),
  };
}
