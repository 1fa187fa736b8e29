import { ChurnError, type FieldError } from '../../errors.js';

/**
 * Reads records of numeric columns into a row-major matrix for numeric-only models (XGBoost, ONNX):
 * null or absent is missing (NaN, which trees route by their default direction); anything else not a
 * finite number is an error. A record may also be a plain array of numbers in column order.
 */
export function numericMatrix(records: readonly unknown[], names: readonly string[]): Float64Array {
  const width = names.length;
  const x = new Float64Array(records.length * width);
  let errors: FieldError[] | undefined;
  const bad = (path: string, reason: FieldError['reason'], message: string) => { (errors ??= []).push({ path, reason, message }); };
  for (let r = 0; r < records.length; r++) {
    const record = records[r];
    if (Array.isArray(record)) {
      if (record.length !== width) { bad(`/${r}`, 'type', `expected ${width} values, got ${record.length}`); continue; }
    } else if (typeof record !== 'object' || record === null) {
      bad(`/${r}`, 'not_object', 'a record must be an object or an array of numbers');
      continue;
    }
    for (let c = 0; c < width; c++) {
      const v: unknown = Array.isArray(record) ? record[c] : (record as Record<string, unknown>)[names[c]!];
      if (v === null || v === undefined) x[r * width + c] = NaN;
      else if (typeof v !== 'number') bad(`/${r}/${names[c]}`, 'type', `must be a number, got ${typeof v}`);
      else if (!Number.isFinite(v)) bad(`/${r}/${names[c]}`, 'not_finite', 'must be finite (send null for missing)');
      else x[r * width + c] = v;
    }
  }
  if (errors !== undefined) throw new ChurnError('INVALID_RECORD', `${errors.length} invalid field(s)`, errors);
  return x;
}
