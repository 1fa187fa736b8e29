import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  brierScore, calibrationTable, evaluate, f1OptimalThreshold, logLoss, prAuc, rocAuc, thresholdMetrics,
} from '../../src/evaluation/metrics.js';

// Worked by hand: positives at 0.9, 0.7, 0.6; negatives at 0.8, 0.3, 0.1.
const labels = [1, 0, 1, 1, 0, 0];
const scores = [0.9, 0.8, 0.7, 0.6, 0.3, 0.1];
const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

describe('metrics', () => {
  it('ROC AUC counts the positive-over-negative pairs: 7 of 9', () => close(rocAuc(labels, scores), 7 / 9));

  it('ROC AUC counts ties as half a pair', () => {
    close(rocAuc([1, 0], [0.5, 0.5]), 0.5);
    close(rocAuc([1, 0, 1, 0], [0.8, 0.8, 0.4, 0.2]), 2.5 / 4);
  });

  it('ROC AUC does not depend on the order of the input', () => {
    close(rocAuc([...labels].reverse(), [...scores].reverse()), 7 / 9);
  });

  it('ROC AUC is NaN with a single class', () => assert.ok(Number.isNaN(rocAuc([1, 1], [0.2, 0.3]))));

  it('average precision sums precision at each recall step: (1 + 2/3 + 3/4) / 3', () => close(prAuc(labels, scores), (1 + 2 / 3 + 3 / 4) / 3));

  it('log loss of [1, 0] at [0.8, 0.4] is -(ln 0.8 + ln 0.6) / 2', () => close(logLoss([1, 0], [0.8, 0.4]), -(Math.log(0.8) + Math.log(0.6)) / 2));

  it('log loss clips certain mistakes instead of returning Infinity', () => assert.ok(Number.isFinite(logLoss([1], [0]))));

  it('Brier score of [1, 0] at [0.8, 0.4] is (0.04 + 0.16) / 2', () => close(brierScore([1, 0], [0.8, 0.4]), 0.1));

  it('threshold metrics count probability >= threshold as churn', () => {
    const m = thresholdMetrics(labels, scores, 0.7);
    assert.deepEqual([m.truePositives, m.falsePositives, m.trueNegatives, m.falseNegatives], [2, 1, 2, 1]);
    close(m.accuracy, 4 / 6);
    close(m.precision, 2 / 3);
    close(m.recall, 2 / 3);
    close(m.f1, 2 / 3);
  });

  it('threshold metrics report 0, not NaN, when nothing is predicted positive', () => {
    const m = thresholdMetrics(labels, scores, 0.95);
    assert.equal(m.precision, 0);
    assert.equal(m.f1, 0);
  });

  it('the F1-optimal threshold is 0.6 here (F1 = 6/7)', () => {
    assert.equal(f1OptimalThreshold(labels, scores), 0.6);
    close(thresholdMetrics(labels, scores, 0.6).f1, 6 / 7);
  });

  it('calibration bins hold counts, mean predictions and observed rates; the last bin includes 1', () => {
    const table = calibrationTable([0, 1, 0, 1, 1], [0.05, 0.15, 0.15, 0.95, 1.0]);
    assert.equal(table.length, 10);
    assert.deepEqual([table[0]!.count, table[0]!.meanPredicted, table[0]!.observedRate], [1, 0.05, 0]);
    assert.deepEqual([table[1]!.count, table[1]!.observedRate], [2, 0.5]);
    close(table[1]!.meanPredicted!, 0.15);
    assert.deepEqual([table[9]!.count, table[9]!.observedRate], [2, 1]);
    close(table[9]!.meanPredicted!, 0.975);
    assert.equal(table[5]!.meanPredicted, null);
  });

  it('evaluate gathers everything for the artifact', () => {
    const report = evaluate(labels, scores, 0.6);
    assert.equal(report.examples, 6);
    assert.equal(report.positives, 3);
    close(report.rocAuc, 7 / 9);
    assert.equal(report.atThreshold.threshold, 0.6);
  });

  it('rejects inputs of different lengths', () => assert.throws(() => rocAuc([1, 0], [0.5])));
});
