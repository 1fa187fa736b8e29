import * as z from 'zod/mini';
import type { FeatureSchema } from '../features/schema.js';

/**
 * The reference profile of a model: how its inputs and scores were distributed on the data it was trained on,
 * in the bins live traffic is counted into to measure drift (src/monitoring). Counts, not shares, so the
 * profile is exact and a retraining writes the same bytes. See docs/monitoring.md.
 *
 * Bins of a numeric value (and of the score) are cut by ascending `edges`: bin 0 holds values below edges[0],
 * bin i values in [edges[i-1], edges[i]), the last bin values at or above the last edge, so there is one more
 * bin than edges. A feature's missing values are counted apart (`missing`).
 */
export interface CategoricalProfile {
  readonly name: string;
  readonly kind: 'categorical';
  /** The schema's categories, in order; counts[i] is the number of rows with categories[i]. */
  readonly categories: readonly string[];
  readonly counts: readonly number[];
  readonly missing: number;
}

export interface NumericProfile {
  readonly name: string;
  readonly kind: 'numeric';
  /** Quantile cut points of the present values, strictly ascending (equal quantiles merged). */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  readonly missing: number;
  /** Smallest and largest present value seen: live values outside are counted as out of range. */
  readonly minimum: number;
  readonly maximum: number;
}

export type FeatureProfile = CategoricalProfile | NumericProfile;

export interface ScoreProfile {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

export interface ReferenceProfile {
  /** Which rows were counted, in words (`the training slice of the split`, a file name). */
  readonly source: string;
  readonly rows: number;
  /** One per feature of the model's schema, in schema order. */
  readonly features: readonly FeatureProfile[];
  readonly score: ScoreProfile;
}

const count = z.int().check(z.nonnegative());

function strictlyAscending(edges: readonly number[]): boolean {
  return edges.every((edge, i) => i === 0 || edges[i - 1]! < edge);
}

const edges = z.array(z.number()).check(z.refine(strictlyAscending, 'must be strictly ascending'));

/** Counts one longer than the edges: checked where both are known. */
function binsMatchEdges(value: { edges: readonly number[]; counts: readonly number[] }): boolean {
  return value.counts.length === value.edges.length + 1;
}

const categoricalProfile = z.object({
  name: z.string(),
  kind: z.literal('categorical'),
  categories: z.array(z.string()),
  counts: z.array(count),
  missing: count,
}).check(z.refine((p) => p.counts.length === p.categories.length, { message: 'must have one count per category', path: ['counts'] }));

const numericProfile = z.object({
  name: z.string(),
  kind: z.literal('numeric'),
  edges,
  counts: z.array(count),
  missing: count,
  minimum: z.number(),
  maximum: z.number(),
}).check(z.refine(binsMatchEdges, { message: 'must have one count more than there are edges', path: ['counts'] }));

export const referenceProfileShape: z.ZodMiniType<ReferenceProfile> = z.object({
  source: z.string(),
  rows: count.check(z.gte(1, 'must be at least 1')),
  features: z.array(z.discriminatedUnion('kind', [categoricalProfile, numericProfile])),
  score: z.object({ edges, counts: z.array(count) })
    .check(z.refine(binsMatchEdges, { message: 'must have one count more than there are edges', path: ['counts'] })),
}).check(z.superRefine((profile, context) => {
  // Every row is counted once per feature (in a bin or as missing) and once in the score's bins.
  const total = (counts: readonly number[]) => counts.reduce((sum, n) => sum + n, 0);
  profile.features.forEach((feature, i) => {
    if (total(feature.counts) + feature.missing !== profile.rows) {
      context.addIssue({ code: 'custom', message: `counts and missing add up to ${total(feature.counts) + feature.missing}, not rows (${profile.rows})`, path: ['features', i, 'counts'] });
    }
  });
  if (total(profile.score.counts) !== profile.rows) {
    context.addIssue({ code: 'custom', message: `add up to ${total(profile.score.counts)}, not rows (${profile.rows})`, path: ['score', 'counts'] });
  }
}));

/**
 * Where a well-formed profile disagrees with the feature schema it is to be read with (other features, other
 * kinds, other categories), as `<field>: <problem>` lines; empty when it fits.
 */
export function profileSchemaProblems(profile: ReferenceProfile, schema: FeatureSchema, root = 'referenceProfile'): string[] {
  const problems: string[] = [];
  if (profile.features.length !== schema.features.length) {
    problems.push(`"${root}.features" has ${profile.features.length} entries, the feature schema ${schema.features.length}`);
    return problems;
  }
  schema.features.forEach((feature, i) => {
    const entry = profile.features[i]!;
    const at = `${root}.features[${i}]`;
    if (entry.name !== feature.name || entry.kind !== feature.kind) {
      problems.push(`"${at}" is ${entry.kind} "${entry.name}", the schema's feature ${i} is ${feature.kind} "${feature.name}"`);
    } else if (entry.kind === 'categorical' && feature.kind === 'categorical'
      && (entry.categories.length !== feature.categories.length || entry.categories.some((c, k) => c !== feature.categories[k]))) {
      problems.push(`"${at}.categories" are not the schema's categories of "${feature.name}"`);
    }
  });
  return problems;
}
