import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateRowBinning, rowBinningLoop, type CategoricalSlots, type NumericSlots } from '../../src/monitoring/row-binning.js';

// Two categoricals and two numerics, interleaved as a schema's features are; the second numeric has no cuts.
const categoricals: CategoricalSlots[] = [
  { feature: 0, firstColumn: 0, categories: 3, base: 0 },
  { feature: 2, firstColumn: 3, categories: 2, base: 10 },
];
const numerics: NumericSlots[] = [
  { feature: 1, column: 5, base: 4, edges: Float64Array.of(1, 2.5, 10), missing: 4, minimum: 0, maximum: 20, outOfRange: 30, inRange: 33 },
  { feature: 3, column: 6, base: 14, edges: new Float64Array(0), missing: 1, minimum: -5, maximum: -1, outOfRange: 31, inRange: 33 },
];
const MARKS = 5;

/** One-hot groups as the encoder writes them, and as it does not (none hot, two hot). */
const groups = (size: number): number[][] => [
  ...Array.from({ length: size }, (_, hot) => Array.from({ length: size }, (_, c) => (c === hot ? 1 : 0))),
  Array.from({ length: size }, () => 0),
  Array.from({ length: size }, () => 1),
];
// Every cut exactly, either side of it, the bounds exactly and past them, missing, and the extremes.
const values = [NaN, -Infinity, Infinity, 0, -0, 1, 0.9999999999999999, 2.5, 2.4999999999999996, 10, 10.000000000000002, 20, 20.000000000000004, -5, -1, -1.0000000000000002, -5.000000000000001, 1e308];

describe('generated row binning', () => {
  it('writes exactly the slots the loop writes, for every combination of the probes', () => {
    const generated = generateRowBinning(categoricals, numerics, MARKS);
    assert.ok(generated, 'generates');
    const loop = rowBinningLoop(categoricals, numerics, MARKS);
    let rows = 0;
    for (const first of groups(3)) for (const second of groups(2)) for (const a of values) for (const b of values) {
      // At an offset, as rows of a batch are binned.
      const x = Float64Array.from([9, ...first, ...second, a, b]);
      const expected = new Uint16Array(20).fill(999);
      const written = new Uint16Array(20).fill(999);
      loop(x, 1, expected, 3);
      generated(x, 1, written, 3);
      assert.deepEqual(written, expected, JSON.stringify([...x]));
      rows += 1;
    }
    assert.equal(rows, 5 * 4 * values.length ** 2);
  });

  it('the same for a group too wide for a table, cuts repeated or out of order, and more cuts than are counted', () => {
    const wide: CategoricalSlots[] = [{ feature: 0, firstColumn: 0, categories: 9, base: 0 }];
    const cuts = (edges: Float64Array, feature: number, column: number): NumericSlots => ({ feature, column, base: 10 * feature, edges, missing: edges.length + 1, minimum: -1, maximum: 10, outOfRange: 40, inRange: 41 });
    const unusual: NumericSlots[] = [
      cuts(Float64Array.of(1, 1, 2.5, 2.5, 10), 1, 9),
      cuts(Float64Array.of(10, 1, 2.5), 2, 10),
      cuts(Float64Array.from({ length: 17 }, (_, k) => k / 2), 3, 11),
      cuts(Float64Array.of(1, Number.NaN, 2.5), 4, 12),
    ];
    const generated = generateRowBinning(wide, unusual, MARKS);
    assert.ok(generated, 'generates');
    const loop = rowBinningLoop(wide, unusual, MARKS);
    for (const group of groups(9)) for (const a of values) for (const b of values) {
      const x = Float64Array.from([...group, a, b, a, b]);
      const expected = new Uint16Array(12).fill(999);
      const written = new Uint16Array(12).fill(999);
      loop(x, 0, expected, 0);
      generated(x, 0, written, 0);
      assert.deepEqual(written, expected, JSON.stringify([...x]));
    }
  });

  it('the loop itself: the hot column picks the bin, a value on a cut goes above it, missing is the last bin', () => {
    const loop = rowBinningLoop(categoricals, numerics, MARKS);
    const slots = new Uint16Array(MARKS + 2);
    loop(Float64Array.of(0, 0, 1, 0, 0, 2.5, NaN), 0, slots, 0);
    // Features 0..3, the score's slot (4) untouched, then the two numerics' marks.
    assert.deepEqual([...slots], [2, 4 + 2, 10 + 2, 14 + 1, 0, 33, 33]);
  });
});
