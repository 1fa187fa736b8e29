import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { stratifiedSplit, trainValidTestSplit } from '../../src/training/split.js';

const ids = Array.from({ length: 1000 }, (_, i) => `C-${i}`);
const labels = Uint8Array.from(ids, (_, i) => (i % 4 === 0 ? 1 : 0));

describe('split', () => {
  it('holds out 20% of each class for test and 15% of the rest for validation', () => {
    const s = trainValidTestSplit(ids, labels, 42);
    const positives = (rows: Uint32Array) => Array.from(rows).filter((r) => labels[r] === 1).length;
    assert.equal(s.test.length, 200);
    assert.equal(positives(s.test), 50);
    assert.equal(s.validation.length, 120);
    assert.equal(positives(s.validation), 30);
    assert.equal(s.train.length, 680);
  });

  it('partitions the rows: disjoint and complete', () => {
    const s = trainValidTestSplit(ids, labels, 42);
    const all = [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 1000 }, (_, i) => i));
  });

  it('is a function of the seed and the ids alone', () => {
    assert.deepEqual(trainValidTestSplit(ids, labels, 42), trainValidTestSplit(ids, labels, 42));
    assert.notDeepEqual(trainValidTestSplit(ids, labels, 42).test, trainValidTestSplit(ids, labels, 7).test);
    // Shuffling the row order moves the same customers to the test split.
    const order = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const shuffled = trainValidTestSplit(order.map((i) => ids[i]!), order.map((i) => labels[i]!), 42);
    const testIds = (rows: Uint32Array, idOf: (r: number) => string) => Array.from(rows, idOf).sort();
    assert.deepEqual(testIds(shuffled.test, (r) => ids[order[r]!]!), testIds(trainValidTestSplit(ids, labels, 42).test, (r) => ids[r]!));
  });

  it('can be reproduced from its documented rule with sha256 alone', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => i);
    const documented = (label: number) => rows.filter((r) => labels[r] === label)
      .map((r) => ({ r, key: createHash('sha256').update(`42:test:${ids[r]}`).digest('hex') }))
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .slice(0, Math.round(0.2 * rows.filter((r) => labels[r] === label).length))
      .map(({ r }) => r);
    const expected = [...documented(0), ...documented(1)].sort((a, b) => a - b);
    assert.deepEqual(Array.from(stratifiedSplit(rows, ids, labels, 0.2, 42, 'test').heldOut), expected);
  });

  it('rejects fractions outside (0, 1)', () => {
    assert.throws(() => stratifiedSplit([0], ids, labels, 1, 42, 'test'), RangeError);
  });
});
