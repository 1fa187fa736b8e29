import { ChurnError, type FieldError } from '../../src/errors.js';
import type { Contributions, EncodedRows, ModelRuntime, RuntimeOutput } from '../../src/runtimes/model-runtime.js';

/** Records validated and encoded by a runtime's own encoder, as the data plane hands them over; any invalid record throws INVALID_RECORD (paths `/<row>/<field>`). */
export function encodeRows(runtime: ModelRuntime, records: readonly unknown[]): EncodedRows {
  const width = runtime.encoder.width;
  const x = new Float64Array(records.length * width);
  const errors: FieldError[] = [];
  records.forEach((record, r) => { errors.push(...(runtime.encoder.encode(record, x, r * width, `/${r}`) ?? [])); });
  if (errors.length > 0) throw new ChurnError('INVALID_RECORD', `${errors.length} invalid field(s)`, errors);
  return { rows: records.length, x, records };
}

/** A runtime's outputs for records (the runtime interface, without the data plane). */
export async function predictRecords(runtime: ModelRuntime, records: readonly unknown[]): Promise<RuntimeOutput[]> {
  return runtime.predict(encodeRows(runtime, records));
}

/** A runtime's contributions for records; the runtime must explain. */
export async function explainRecords(runtime: ModelRuntime, records: readonly unknown[]): Promise<Contributions> {
  if (runtime.explain === undefined) throw new Error(`${runtime.description.format} runtime cannot explain`);
  return runtime.explain(encodeRows(runtime, records));
}
