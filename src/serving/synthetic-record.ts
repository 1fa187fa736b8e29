import type { FeatureSchema } from '../features/schema.js';

/**
 * A record every schema accepts, for warm-up and examples: numerics at 0 or the bound nearest it (a foreign
 * model's unbounded range would otherwise give -1.8e308), categoricals at their first category (an open
 * one at the empty string).
 */
export function syntheticRecord(schema: FeatureSchema): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const feature of schema.features) {
    record[feature.name] = feature.kind === 'numeric' ? Math.min(Math.max(0, feature.minimum), feature.maximum) : feature.categories[0] ?? '';
  }
  return record;
}
