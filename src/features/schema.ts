/**
 * The feature schema: the single description of a model's inputs. It drives CSV parsing for training,
 * the encoding of a record into the model's numeric vector, request validation, the OpenAPI document
 * and the model card. It is plain data so it can be stored in the model artifact and checked on load.
 */

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

/**
 * Structural check of a schema read from outside (an artifact): returns the problems found, empty when sound.
 * Kept separate from the loader so tools can lint a schema on its own.
 */
export function schemaProblems(value: unknown): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) return ['schema is not an object'];
  const schema = value as Record<string, unknown>;
  for (const key of ['name', 'version', 'idField'] as const) {
    if (typeof schema[key] !== 'string') problems.push(`schema.${key} must be a string`);
  }
  const target = schema['target'] as Record<string, unknown> | undefined;
  if (typeof target !== 'object' || target === null || typeof target['name'] !== 'string'
    || typeof target['positive'] !== 'string' || typeof target['negative'] !== 'string') {
    problems.push('schema.target must have string name, positive and negative');
  }
  if (!Array.isArray(schema['features']) || schema['features'].length === 0) {
    problems.push('schema.features must be a non-empty array');
    return problems;
  }
  const seen = new Set<string>();
  schema['features'].forEach((raw: unknown, i: number) => {
    const f = raw as Record<string, unknown>;
    const at = `schema.features[${i}]`;
    if (typeof f !== 'object' || f === null || typeof f['name'] !== 'string' || f['name'] === '') {
      problems.push(`${at} must have a name`);
      return;
    }
    if (seen.has(f['name'])) problems.push(`${at}: duplicate feature name "${f['name']}"`);
    seen.add(f['name']);
    if (f['kind'] === 'categorical') {
      const cats = f['categories'];
      if (!Array.isArray(cats) || cats.length < 2 || !cats.every((c) => typeof c === 'string')
        || new Set(cats).size !== cats.length) {
        problems.push(`${at} (${f['name']}): categories must be at least two distinct strings`);
      }
      if (f['nullable'] !== false) problems.push(`${at} (${f['name']}): categorical features cannot be nullable`);
    } else if (f['kind'] === 'numeric') {
      const min = f['minimum'];
      const max = f['maximum'];
      if (typeof min !== 'number' || typeof max !== 'number' || !(min <= max)) {
        problems.push(`${at} (${f['name']}): minimum and maximum must be numbers with minimum <= maximum`);
      }
      if (typeof f['integer'] !== 'boolean' || typeof f['nullable'] !== 'boolean') {
        problems.push(`${at} (${f['name']}): integer and nullable must be booleans`);
      }
    } else {
      problems.push(`${at} (${f['name']}): kind must be "categorical" or "numeric"`);
    }
  });
  return problems;
}
