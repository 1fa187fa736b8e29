/**
 * Histogram binning: each column's values are mapped to at most `maxBins` ordered bins once, before
 * training, so split search scans bins instead of sorted values. Missing values (NaN) get their own bin.
 *
 * Bin b of a column holds values v with cuts[b-1] <= v < cuts[b]; "split after bin b" therefore equals
 * the real-valued test `v < cuts[b]`, which is what the saved trees store. Cuts are observed values,
 * not midpoints, so the two tests agree exactly.
 */
import { binOf } from '../../features/value-bins.js';

export interface FeatureBins {
  readonly rows: number;
  readonly columns: number;
  /** cuts[c] ascending; column c has cuts[c].length + 1 value bins. */
  readonly cuts: readonly Float64Array[];
  /** Column-major bin indices: bins[c * rows + r]. The missing bin of column c is `missingBin[c]`. */
  readonly bins: Uint8Array;
  readonly missingBin: Uint8Array;
  /** Whether a column has any missing value in this data. */
  readonly hasMissing: Uint8Array;
}

export const MAX_BINS = 254;

/** Number of cuts <= value: the value bin of `value` (shared with drift monitoring's bins). */
export { binOf };

function columnCuts(values: Float64Array, maxBins: number): Float64Array {
  const present = Array.from(values).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const unique: number[] = [];
  for (const v of present) if (unique.length === 0 || unique[unique.length - 1] !== v) unique.push(v);
  if (unique.length <= maxBins) return Float64Array.from(unique.slice(1));
  // Quantile cuts: each bin holds about the same number of rows; cuts are observed values.
  const cuts: number[] = [];
  for (let b = 1; b < maxBins; b++) {
    const value = present[Math.floor((b * present.length) / maxBins)]!;
    if (value > present[0]! && (cuts.length === 0 || value > cuts[cuts.length - 1]!)) cuts.push(value);
  }
  return Float64Array.from(cuts);
}

/** Learns cuts from `x` (row-major, rows x columns) and bins it. */
export function fitFeatureBins(x: Float64Array, rows: number, columns: number, maxBins = MAX_BINS): FeatureBins {
  if (maxBins < 2 || maxBins > MAX_BINS) throw new RangeError(`maxBins must be within 2..${MAX_BINS}`);
  const cuts: Float64Array[] = [];
  const column = new Float64Array(rows);
  for (let c = 0; c < columns; c++) {
    for (let r = 0; r < rows; r++) column[r] = x[r * columns + c]!;
    cuts.push(columnCuts(column, maxBins));
  }
  return applyFeatureBins(cuts, x, rows, columns);
}

/** Bins new data with cuts learned elsewhere (validation and test rows). */
export function applyFeatureBins(cuts: readonly Float64Array[], x: Float64Array, rows: number, columns: number): FeatureBins {
  const bins = new Uint8Array(rows * columns);
  const missingBin = new Uint8Array(columns);
  const hasMissing = new Uint8Array(columns);
  for (let c = 0; c < columns; c++) {
    const columnCutsC = cuts[c]!;
    missingBin[c] = columnCutsC.length + 1;
    for (let r = 0; r < rows; r++) {
      const v = x[r * columns + c]!;
      if (Number.isNaN(v)) {
        bins[c * rows + r] = missingBin[c]!;
        hasMissing[c] = 1;
      } else {
        bins[c * rows + r] = binOf(columnCutsC, v);
      }
    }
  }
  return { rows, columns, cuts, bins, missingBin, hasMissing };
}
