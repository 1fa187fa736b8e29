import { encodedColumns, type FeatureSchema } from '../features/schema.js';
import type { FeatureProfile, ReferenceProfile } from '../model/reference-profile.js';
import { binOf } from './feature-bins.js';

/** Quantile bins per numeric feature and for the score: deciles, the usual choice for PSI. */
export const REFERENCE_BINS = 10;

/**
 * Cut points at the 1/bins, 2/bins, ... quantiles of sorted values, each one a value of the data; repeated
 * quantiles (a value that fills several deciles, such as SeniorCitizen's 0) are merged, and a cut at the
 * smallest value is dropped, so no bin is empty by construction.
 */
export function quantileEdges(sorted: Float64Array, bins = REFERENCE_BINS): number[] {
  const edges: number[] = [];
  const n = sorted.length;
  if (n === 0) return edges;
  for (let k = 1; k < bins; k++) {
    const edge = sorted[Math.min(n - 1, Math.floor((k * n) / bins))]!;
    if (edge > sorted[0]! && (edges.length === 0 || edge > edges[edges.length - 1]!)) edges.push(edge);
  }
  return edges;
}

function histogram(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const cut = Float64Array.from(edges);
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) counts[binOf(cut, values[i]!)]!++;
  return counts;
}

export interface ProfileInput {
  schema: FeatureSchema;
  /** Encoded rows (row-major, the record encoder's layout): NaN where a numeric value is missing. */
  x: Float64Array;
  rows: number;
  /** The model's score (positive-class probability) per row. */
  scores: ArrayLike<number>;
  /** Which rows these are, in words. */
  source: string;
}

/** Counts the rows into the bins live traffic will be counted into (src/monitoring/feature-bins.ts). */
export function buildReferenceProfile({ schema, x, rows, scores, source }: ProfileInput): ReferenceProfile {
  const columns = encodedColumns(schema);
  const width = columns.length;
  if (x.length !== rows * width) throw new RangeError(`${rows} rows of ${width} columns need ${rows * width} values, got ${x.length}`);
  if (scores.length !== rows) throw new RangeError(`${rows} rows need as many scores, got ${scores.length}`);
  const features: FeatureProfile[] = schema.features.map((feature, index) => {
    const first = columns.findIndex((c) => c.feature === index);
    if (feature.kind === 'categorical') {
      const counts = new Array<number>(feature.categories.length).fill(0);
      let missing = 0;
      for (let r = 0; r < rows; r++) {
        const hot = feature.categories.findIndex((_, c) => x[r * width + first + c] === 1);
        if (hot < 0) missing++;
        else counts[hot]!++;
      }
      return { name: feature.name, kind: 'categorical', categories: [...feature.categories], counts, missing };
    }
    const present: number[] = [];
    for (let r = 0; r < rows; r++) {
      const value = x[r * width + first]!;
      if (!Number.isNaN(value)) present.push(value);
    }
    const sorted = Float64Array.from(present).sort();
    const edges = quantileEdges(sorted);
    return {
      name: feature.name, kind: 'numeric', edges, counts: histogram(sorted, edges), missing: rows - present.length,
      // An all-missing feature has no range: every present live value is then out of it.
      minimum: sorted.length > 0 ? sorted[0]! : 0, maximum: sorted.length > 0 ? sorted[sorted.length - 1]! : -1,
    };
  });
  const sortedScores = Float64Array.from(scores).sort();
  const scoreEdges = quantileEdges(sortedScores);
  return { source, rows, features, score: { edges: scoreEdges, counts: histogram(sortedScores, scoreEdges) } };
}
