/**
 * The Open Inference Protocol's tensor datatypes and what a JSON element of each may be. FP16 and BF16 are
 * refused: the specification notes they cannot be sent reliably as JSON numbers.
 */
export const v2Datatypes = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES', 'BF16'] as const;
export type V2Datatype = (typeof v2Datatypes)[number];

const integerRanges: Partial<Record<V2Datatype, [number, number]>> = {
  UINT8: [0, 255], UINT16: [0, 65535], UINT32: [0, 4294967295], UINT64: [0, Number.MAX_SAFE_INTEGER],
  INT8: [-128, 127], INT16: [-32768, 32767], INT32: [-2147483648, 2147483647], INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

export function isV2Datatype(value: unknown): value is V2Datatype {
  return typeof value === 'string' && (v2Datatypes as readonly string[]).includes(value);
}

export function isNumericDatatype(datatype: V2Datatype): boolean {
  return datatype === 'FP32' || datatype === 'FP64' || integerRanges[datatype] !== undefined;
}

/**
 * Checks one element against its declared datatype: the reason it is invalid, or undefined. Numeric
 * tensors may hold null for a missing value (coerced to NaN, which trees route by their default direction).
 */
export function elementProblem(datatype: V2Datatype, value: unknown): string | undefined {
  if (datatype === 'FP16' || datatype === 'BF16') return `${datatype} cannot be sent reliably as JSON numbers; send FP32 or FP64`;
  if (datatype === 'BYTES') return typeof value === 'string' ? undefined : 'BYTES elements must be strings';
  if (datatype === 'BOOL') return typeof value === 'boolean' ? undefined : 'BOOL elements must be true or false';
  if (value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${datatype} elements must be finite numbers (or null for missing)`;
  const range = integerRanges[datatype];
  if (range !== undefined && !(Number.isInteger(value) && value >= range[0] && value <= range[1])) return `${value} is not a valid ${datatype}`;
  return undefined;
}
