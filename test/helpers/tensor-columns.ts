import type { FeatureSchema } from '../../src/features/schema.js';
import { encodeBytesElements } from '../../src/serving/codecs/tensor-bytes.js';

/** One input tensor per model input, as tritonclient users send them: the column of a feature over the records. */
export interface Column {
  name: string;
  datatype: 'BYTES' | 'FP32' | 'FP64' | 'INT64';
  /** null: missing (NaN in a float tensor). */
  values: (string | number | null)[];
}

/**
 * The records' columns: BYTES for categoricals, INT64 for integer numerics that are never missing, `float`
 * (FP32 or FP64) for the other numerics. FP32 values are rounded to float32, as a client's float32 array holds them.
 */
export function featureColumns(schema: FeatureSchema, records: readonly Record<string, unknown>[], float: 'FP32' | 'FP64' = 'FP64'): Column[] {
  return schema.features.map((feature) => {
    const raw = records.map((r) => (r[feature.name] ?? null) as string | number | null);
    if (feature.kind === 'categorical') return { name: feature.name, datatype: 'BYTES', values: raw };
    if (feature.integer && !feature.nullable) return { name: feature.name, datatype: 'INT64', values: raw };
    return { name: feature.name, datatype: float, values: float === 'FP32' ? raw.map((v) => (v === null ? null : Math.fround(v as number))) : raw };
  });
}

/** The records the columns carry, as the server reads them back. */
export function recordsOf(columns: readonly Column[]): Record<string, unknown>[] {
  const rows = columns[0]?.values.length ?? 0;
  return Array.from({ length: rows }, (_, r) => Object.fromEntries(columns.map((c) => [c.name, c.values[r]])));
}

/** A column's elements as bytes: little-endian numbers (NaN for missing), length-prefixed UTF-8 for BYTES. */
export function columnBytes(column: Column): Buffer {
  if (column.datatype === 'BYTES') return encodeBytesElements(column.values as string[]);
  if (column.datatype === 'INT64') return Buffer.from(BigInt64Array.from(column.values as number[], (v) => BigInt(v)).buffer);
  const values = column.values.map((v) => (v === null ? Number.NaN : (v as number)));
  return Buffer.from((column.datatype === 'FP32' ? Float32Array.from(values) : Float64Array.from(values)).buffer);
}

/** A row-major matrix of numbers as FP32 or FP64 bytes (NaN for null). */
export function matrixBytes(rows: readonly (readonly (number | null)[])[], datatype: 'FP32' | 'FP64'): Buffer {
  const values = rows.flat().map((v) => (v === null ? Number.NaN : v));
  return Buffer.from((datatype === 'FP32' ? Float32Array.from(values) : Float64Array.from(values)).buffer);
}
