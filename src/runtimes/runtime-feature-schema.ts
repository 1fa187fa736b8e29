import type { FeatureSchema, FeatureSpec } from '../features/schema.js';

/** One input of a foreign model as its file describes it: a number, or a string (with its values when known). */
export interface ModelInput {
  readonly name: string;
  readonly type: 'number' | 'category';
  readonly categories?: readonly string[];
}

/**
 * The feature schema of a foreign model (XGBoost, ONNX) derived from its inputs, so /predict, CSV batches, the
 * OpenAPI document and validation work for it as for the native artifact. The model file says nothing of
 * ranges, so numerics are unbounded and may be missing (trees route a missing value by each split's default);
 * string inputs take the values the file lists, or any string when it lists none.
 */
export function runtimeFeatureSchema(name: string, version: string, inputs: readonly ModelInput[]): FeatureSchema {
  const features: FeatureSpec[] = inputs.map((input) => (input.type === 'category'
    ? { name: input.name, kind: 'categorical', description: `Input "${input.name}" of the model`, categories: input.categories ?? [], nullable: false }
    : {
      name: input.name, kind: 'numeric', description: `Input "${input.name}" of the model`,
      integer: false, minimum: -Number.MAX_VALUE, maximum: Number.MAX_VALUE, nullable: true,
    }));
  return { name: `${name}-inputs`, version, idField: 'customerID', features, target: { name: 'label', positive: '1', negative: '0' } };
}

/** A model's inputs as the V2 protocol and the model card list them, from its schema. */
export function modelInputs(schema: FeatureSchema): ModelInput[] {
  return schema.features.map((f) => (f.kind === 'categorical'
    ? { name: f.name, type: 'category' as const, ...(f.categories.length > 0 ? { categories: f.categories } : {}) }
    : { name: f.name, type: 'number' as const }));
}
