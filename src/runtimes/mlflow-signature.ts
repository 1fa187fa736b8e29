import { ChurnError } from '../errors.js';
import type { FeatureSchema, NumericFeature } from '../features/schema.js';
import { isJsonObject } from '../foundation/json-values.js';

/** What an MLmodel signature says of a model's inputs, in our terms. */
export interface SignatureInputs {
  /** Input names in signature order; absent for a tensor signature or unnamed columns. */
  readonly names?: readonly string[];
  /**
   * The feature schema /predict validates records against (names, types, required): present when every input is a
   * named numeric column. String columns carry no list of categories, so such a signature gives none.
   */
  readonly schema?: FeatureSchema;
  /** Columns the signature requires in a request (column signatures with names); MLflow refuses data without them. */
  readonly required?: readonly string[];
  /** Why the signature gives names but no schema, for the start-up log. */
  readonly note?: string;
}

/**
 * MLflow column types that are numbers, with the range and integrality the type allows, and whether a value may be
 * missing: NaN is a double (MLflow passes it on, and trees route it), while an integer column cannot hold one (MLflow
 * refuses a null there).
 */
const NUMERIC: Record<string, { integer: boolean; minimum: number; maximum: number; missing: boolean; note?: string }> = {
  double: { integer: false, minimum: -Number.MAX_VALUE, maximum: Number.MAX_VALUE, missing: true },
  float: { integer: false, minimum: -3.4028234663852886e38, maximum: 3.4028234663852886e38, missing: true },
  long: { integer: true, minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, missing: false },
  integer: { integer: true, minimum: -(2 ** 31), maximum: 2 ** 31 - 1, missing: false },
  boolean: { integer: true, minimum: 0, maximum: 1, missing: false, note: '0 or 1' },
};

interface ColumnSpec {
  type?: unknown;
  name?: unknown;
  required?: unknown;
  'tensor-spec'?: unknown;
}

/**
 * Reads `signature.inputs` (a JSON string in the MLmodel file) for a model that takes records. A column-based
 * signature of named numeric columns becomes a feature schema, with MLflow's rules: `double`/`float` values may be
 * missing (null), `long`/`integer`/`boolean` ones only in an optional column, and those take integers only; the
 * required columns are listed (a request must carry them, as MLflow checks). Tensor signatures give names
 * only when every tensor is named (one input per feature); the runtime checks their types. Columns no tabular runtime
 * takes (binary, datetime, arrays, objects) stop start-up.
 */
export function signatureInputs(file: string, inputs: unknown, identity: { name: string; version: string }): SignatureInputs {
  if (inputs === undefined || inputs === null) return {};
  const corrupt = (problem: string): never => { throw new ChurnError('ARTIFACT_CORRUPT', `${file}: signature.inputs ${problem}`); };
  let specs: unknown;
  try {
    specs = typeof inputs === 'string' ? JSON.parse(inputs) : inputs;
  } catch (cause) {
    return corrupt(`is not valid JSON (${(cause as Error).message})`);
  }
  if (!Array.isArray(specs) || specs.length === 0) return corrupt('must be a non-empty list of column or tensor specs');
  const columns = specs.map((spec: unknown, i): ColumnSpec => (isJsonObject(spec) ? spec as ColumnSpec : corrupt(`[${i}] is not an object`)));
  const named = columns.every((c) => typeof c.name === 'string' && c.name !== '');
  const names = named ? columns.map((c) => c.name as string) : undefined;
  if (names !== undefined && new Set(names).size !== names.length) corrupt('names a column twice');
  if (columns.some((c) => c.type === 'tensor')) {
    if (!columns.every((c) => c.type === 'tensor' && typeof c['tensor-spec'] === 'object')) corrupt('mixes tensors and columns');
    // One named tensor per feature names the inputs; a single [N, F] matrix (or unnamed tensors) does not.
    return names !== undefined && names.length > 1 ? { names } : {};
  }
  const features: NumericFeature[] = [];
  const strings: string[] = [];
  columns.forEach((column, i) => {
    const type = column.type;
    const label = typeof column.name === 'string' ? `"${column.name}"` : `[${i}]`;
    if (typeof type !== 'string') return corrupt(`${label} has no type`);
    if (type === 'string') return void strings.push(label);
    const numeric = NUMERIC[type];
    if (numeric === undefined) {
      throw new ChurnError('ARTIFACT_UNSUPPORTED_FORMAT', `${file}: input ${label} has MLflow type ${type}; a tabular model here takes numbers and strings`);
    }
    if (column.required !== undefined && typeof column.required !== 'boolean') corrupt(`${label}: "required" must be true or false`);
    if (names === undefined) return;
    features.push({
      name: column.name as string, kind: 'numeric',
      description: `Input "${column.name as string}" of the model (MLflow type ${type}${numeric.note === undefined ? '' : `: ${numeric.note}`})`,
      integer: numeric.integer, minimum: numeric.minimum, maximum: numeric.maximum, nullable: numeric.missing || column.required === false,
    });
  });
  if (names === undefined) return {};
  const required = columns.filter((c) => c.required !== false).map((c) => c.name as string);
  if (strings.length > 0) return { names, required, note: `string inputs ${strings.join(', ')} have no list of categories in the signature: the model runtime checks them` };
  return {
    names,
    required,
    schema: {
      name: `${identity.name}-inputs`, version: identity.version,
      // The pass-through identifier must not be a model input.
      idField: names.includes('customerID') ? '_id' : 'customerID',
      features,
      target: { name: 'label', positive: '1', negative: '0' },
    },
  };
}
