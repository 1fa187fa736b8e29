import type { EncodedColumn, FeatureSchema } from '../features/schema.js';
import { binOf } from '../features/value-bins.js';
import type { ReferenceProfile } from '../model/reference-profile.js';

export { binOf };

/*
 * Which bin of a feature (or of the score) a value falls in: the same rule when the reference profile is built
 * and when live traffic is counted, so the two histograms compare bin for bin. Bins are cut by ascending
 * edges (bin i holds [edges[i-1], edges[i])); a feature's last bin holds its missing values.
 */

/** How one feature is read from an encoded row and binned. */
export type FeatureBinning =
  | { readonly kind: 'numeric'; readonly name: string; readonly column: number; readonly edges: Float64Array; readonly minimum: number; readonly maximum: number; readonly bins: number }
  | { readonly kind: 'categorical'; readonly name: string; readonly firstColumn: number; readonly bins: number };

/**
 * Per feature of the schema: its column(s) in the encoded row and its bins, one more than the profile's for the
 * missing values. Numeric bins come from the profile; categorical bins are the categories, in schema order.
 */
export function featureBinnings(schema: FeatureSchema, columns: readonly EncodedColumn[], profile: ReferenceProfile): FeatureBinning[] {
  return schema.features.map((feature, index) => {
    const first = columns.findIndex((c) => c.feature === index);
    const entry = profile.features[index]!;
    if (feature.kind === 'numeric' && entry.kind === 'numeric') {
      return {
        kind: 'numeric', name: feature.name, column: first, edges: Float64Array.from(entry.edges),
        minimum: entry.minimum, maximum: entry.maximum, bins: entry.edges.length + 2,
      };
    }
    const categories = feature.kind === 'categorical' ? feature.categories.length : 0;
    return { kind: 'categorical', name: feature.name, firstColumn: first, bins: categories + 1 };
  });
}
