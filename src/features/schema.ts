/**
 * The feature schema: the single description of a model's inputs. It drives CSV parsing for training,
 * the encoding of a record into the model's numeric vector, request validation, the OpenAPI document
 * and the model card. It is plain data so it can be stored in the model artifact and checked on load.
 */
import * as z from 'zod/mini';
import { shapeProblems } from './shape-problems.js';

export interface CategoricalFeature {
  readonly name: string;
  readonly kind: 'categorical';
  readonly description: string;
  /**
   * Allowed values, in the order of their one-hot columns. Empty for a foreign model's string input whose values
   * the model file does not list: any string is passed to the model as is (it takes no encoded column).
   */
  readonly categories: readonly string[];
  /** Categorical features are never missing in this schema version. */
  readonly nullable: false;
}

export interface NumericFeature {
  readonly name: string;
  readonly kind: 'numeric';
  readonly description: string;
  readonly integer: boolean;
  /** Inclusive bounds a value must lie within. */
  readonly minimum: number;
  readonly maximum: number;
  /** Whether the value may be missing (`null`, absent, or blank in CSV). Missing values stay missing: never 0. */
  readonly nullable: boolean;
  readonly unit?: string;
}

export type FeatureSpec = CategoricalFeature | NumericFeature;

export interface FeatureSchema {
  readonly name: string;
  readonly version: string;
  /** Optional pass-through identifier field (never a model input). */
  readonly idField: string;
  readonly features: readonly FeatureSpec[];
  /** The label column in training data and its positive value. */
  readonly target: { readonly name: string; readonly positive: string; readonly negative: string };
}

/** One column of the encoded numeric vector. */
export interface EncodedColumn {
  /** `tenure` for a numeric feature, `Contract=Two year` for a one-hot column. */
  readonly name: string;
  /** Index of the feature in `schema.features`. */
  readonly feature: number;
  /** For one-hot columns, the category; undefined for numerics. */
  readonly category?: string;
}

/** Numerics take one column (NaN when missing); categoricals take one column per category (one-hot). */
export function encodedColumns(schema: FeatureSchema): EncodedColumn[] {
  const columns: EncodedColumn[] = [];
  schema.features.forEach((feature, index) => {
    if (feature.kind === 'numeric') {
      columns.push({ name: feature.name, feature: index });
    } else {
      for (const category of feature.categories) {
        columns.push({ name: `${feature.name}=${category}`, feature: index, category });
      }
    }
  });
  return columns;
}

/*
 * The feature schema as a zod schema: what a schema read from outside (an artifact, a sidecar manifest) must
 * look like, field by field. Annotated with the FeatureSchema type, so the compiler keeps the two in step.
 */
const name = z.string().check(z.minLength(1, 'must be a non-empty string'));

const categoricalFeature = z.object({
  name,
  kind: z.literal('categorical'),
  description: z.string(),
  categories: z.array(z.string()).check(
    z.minLength(2, 'must list at least two categories'),
    z.refine((list) => new Set(list).size === list.length, 'must be distinct'),
  ),
  nullable: z.literal(false, 'categorical features cannot be nullable'),
});

const numericFeature = z.object({
  name,
  kind: z.literal('numeric'),
  description: z.string(),
  integer: z.boolean(),
  minimum: z.number(),
  maximum: z.number(),
  nullable: z.boolean(),
  unit: z.optional(z.string()),
}).check(z.refine((f) => f.minimum <= f.maximum, { message: 'must not be below minimum', path: ['maximum'] }));

export const featureSchemaShape: z.ZodMiniType<FeatureSchema> = z.object({
  name: z.string(),
  version: z.string(),
  idField: z.string(),
  features: z.array(z.discriminatedUnion('kind', [categoricalFeature, numericFeature])).check(
    z.minLength(1, 'must list at least one feature'),
    z.superRefine((features, context) => {
      const seen = new Set<string>();
      features.forEach((feature, index) => {
        if (seen.has(feature.name)) context.addIssue({ code: 'custom', message: `duplicate feature name "${feature.name}"`, path: [index, 'name'] });
        seen.add(feature.name);
      });
    }),
  ),
  target: z.object({ name: z.string(), positive: z.string(), negative: z.string() }),
});

/**
 * Structural check of a schema read from outside (an artifact): returns the problems found (`"schema.<field>"
 * <what is wrong>`), empty when sound. Kept separate from the loader so tools can lint a schema on its own.
 */
export function schemaProblems(value: unknown): string[] {
  return shapeProblems(featureSchemaShape, value, 'schema');
}
