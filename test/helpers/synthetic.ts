import { SeededRandom } from '../../src/foundation/seeded-random.js';
import type { LabelledMatrix } from '../../src/training/dataset-matrix.js';

/** Rows of uniform [0, 1) columns labelled by `label(row, random)`; `missing` sets a cell to NaN when it returns true. */
export function syntheticMatrix(
  rows: number,
  columns: number,
  seed: number,
  label: (row: Float64Array, random: SeededRandom) => number,
  missing: (column: number, random: SeededRandom) => boolean = () => false,
): LabelledMatrix {
  const random = new SeededRandom(seed);
  const x = new Float64Array(rows * columns);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * columns, (r + 1) * columns);
    for (let c = 0; c < columns; c++) row[c] = random.next();
    y[r] = label(row, random);
    for (let c = 0; c < columns; c++) if (missing(c, random)) row[c] = NaN;
  }
  return { x, y, rows, columns };
}

/** Standard normal draw (Box-Muller) from the seeded generator. */
export function normal(random: SeededRandom): number {
  const u = Math.max(random.next(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}
