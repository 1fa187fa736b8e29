import type { FeatureSchema, FeatureSpec } from '../../features/schema.js';
import type { RuntimeDescription } from './model-runtime.js';

/**
 * The feature schema of a foreign model (XGBoost, ONNX), derived from its inputs, so /predict, CSV batches and
 * the OpenAPI document work for it as they do for the native artifact. The manifest's schema wins when it has
 * one; otherwise the model says nothing of ranges,
 * so numerics are unbounded and may be missing (trees route a missing value by each split's default).
 */
export function runtimeFeatureSchema(description: RuntimeDescription): FeatureSchema {
  if (description.schema !== undefined) return description.schema;
  const features: FeatureSpec[] = description.inputs.map((input) => (input.type === 'category'
    ? { name: input.name, kind: 'categorical', description: `Input "${input.name}" of the model`, categories: input.categories ?? [], nullable: false }
    : {
      name: input.name, kind: 'numeric', description: `Input "${input.name}" of the model`,
      integer: false, minimum: -Number.MAX_VALUE, maximum: Number.MAX_VALUE, nullable: true,
    }));
  return {
    name: `${description.name}-inputs`,
    version: description.version,
    idField: 'customerID',
    features,
    target: { name: 'label', positive: '1', negative: '0' },
  };
}
