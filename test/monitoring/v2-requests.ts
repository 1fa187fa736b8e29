import { telcoChurnSchema } from '../../src/features/telco-schema.js';

/**
 * An Open Inference Protocol V2 inference request for records, as KServe's and MLServer's clients send a
 * table: one [n] tensor per feature, BYTES for categoricals, FP64 for numerics (null where missing).
 */
export function v2Body(records: readonly Record<string, unknown>[]): { inputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[] } {
  return {
    inputs: telcoChurnSchema.features.map((f) => ({
      name: f.name, datatype: f.kind === 'categorical' ? 'BYTES' : 'FP64', shape: [records.length], data: records.map((r) => r[f.name] ?? null),
    })),
  };
}
