import type { FieldError } from '../errors.js';
import { ID_MAX_LENGTH, type CategoricalPlan, type FieldPlan, type NumericPlan } from './field-plans.js';
import { generateRecordCheck } from './generated-record-check.js';
import { encodedColumns, type EncodedColumn, type FeatureSchema } from './schema.js';

/**
 * Validates a record against the schema and writes its numeric encoding in the same pass, so the
 * hot path touches each field once. Compiled once per schema; `encode` allocates nothing on success.
 */
export interface RecordEncoder {
  readonly schema: FeatureSchema;
  readonly columns: readonly EncodedColumn[];
  /** Length of one encoded vector. */
  readonly width: number;
  /**
   * Writes the encoding of `record` into `out[offset .. offset + width)` and returns undefined, or returns
   * every failing field (paths prefixed by `pathPrefix`, e.g. `/records/7`) and leaves `out` partly written.
   */
  encode(record: unknown, out: Float64Array, offset?: number, pathPrefix?: string): FieldError[] | undefined;
  /** The pass-through identifier of a record, when present and a string. */
  idOf(record: unknown): string | undefined;
  /**
   * The rule `encode` applies to each feature, in schema order: for decoders that validate while they parse (the
   * one-pass JSON and CSV batch decoders), so they accept exactly what `encode` accepts.
   */
  readonly fields: readonly FieldPlan[];
  /**
   * For schemas whose features are all numeric (one encoded column each, in schema order): validates and writes
   * `rows` rows of a row-major matrix (`values[r * width + c]` is feature c of row r; NaN or null is missing) into
   * `out`, by the same rules as `encode`, without a record per row. Returns every failing field (paths
   * `/<row>/<feature>`), or undefined. Undefined for schemas with a categorical feature.
   */
  readonly encodeMatrix?: (values: ArrayLike<number | null>, rows: number, out: Float64Array) => FieldError[] | undefined;
}

function pointerToken(name: string): string {
  return '/' + name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** ` (one of "a", "b")` for messages; nothing for an open categorical. */
function oneOf(plan: CategoricalPlan): string {
  return plan.choices === '' ? '' : ` (one of ${plan.choices})`;
}

/** Appends an error, creating the list on first use (the valid path allocates nothing). */
function withError(errors: FieldError[] | undefined, path: string, reason: FieldError['reason'], message: string): FieldError[] {
  const list = errors ?? [];
  list.push({ path, reason, message });
  return list;
}

export interface EncoderOptions {
  /** Run the valid path as generated code (generateRecordCheck) where it can be; false keeps the loop alone. */
  readonly generate?: boolean;
}

export function compileRecordEncoder(schema: FeatureSchema, options: EncoderOptions = {}): RecordEncoder {
  const columns = encodedColumns(schema);
  const plans: FieldPlan[] = [];
  let column = 0;
  for (const feature of schema.features) {
    const pointer = pointerToken(feature.name);
    if (feature.kind === 'numeric') {
      plans.push({
        kind: 'numeric', key: feature.name, pointer, column,
        integer: feature.integer, minimum: feature.minimum, maximum: feature.maximum, nullable: feature.nullable,
      });
      column += 1;
    } else {
      plans.push({
        kind: 'categorical', key: feature.name, pointer, firstColumn: column, categories: feature.categories,
        choices: feature.categories.map((c) => `"${c}"`).join(', '),
      });
      column += feature.categories.length;
    }
  }
  const idKey = schema.idField;
  const idPointer = pointerToken(idKey);

  const check = options.generate === false ? undefined : generateRecordCheck(plans, idKey);

  function encode(record: unknown, out: Float64Array, offset = 0, pathPrefix = ''): FieldError[] | undefined {
    if (check !== undefined && check(record, out, offset)) return undefined;
    return encodeByLoop(record, out, offset, pathPrefix);
  }

  /** Every field checked and written in turn, each failure worded: the rule the generated check follows for valid records. */
  function encodeByLoop(record: unknown, out: Float64Array, offset: number, pathPrefix: string): FieldError[] | undefined {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return [{ path: pathPrefix, reason: 'not_object', message: `record must be an object, got ${describe(record)}` }];
    }
    const fields = record as Record<string, unknown>;
    let errors: FieldError[] | undefined;
    for (let p = 0; p < plans.length; p++) {
      const plan = plans[p]!;
      const value = fields[plan.key];
      if (plan.kind === 'numeric') {
        if (value === undefined || value === null) {
          if (plan.nullable) out[offset + plan.column] = NaN;
          else errors = withError(errors, pathPrefix + plan.pointer, 'required', `${plan.key} is required`);
        } else if (typeof value !== 'number') {
          errors = withError(errors, pathPrefix + plan.pointer, 'type', `${plan.key} must be a number, got ${describe(value)}`);
        } else if (!Number.isFinite(value)) {
          errors = withError(errors, pathPrefix + plan.pointer, 'not_finite', `${plan.key} must be a finite number, got ${value}`);
        } else if (value < plan.minimum || value > plan.maximum) {
          errors = withError(errors, pathPrefix + plan.pointer, 'range', `${plan.key} must be between ${plan.minimum} and ${plan.maximum}, got ${value}`);
        } else if (plan.integer && !Number.isInteger(value)) {
          errors = withError(errors, pathPrefix + plan.pointer, 'integer', `${plan.key} must be an integer, got ${value}`);
        } else {
          out[offset + plan.column] = value;
        }
      } else {
        if (value === undefined || value === null) {
          errors = withError(errors, pathPrefix + plan.pointer, 'required', `${plan.key} is required${oneOf(plan)}`);
        } else if (typeof value !== 'string') {
          errors = withError(errors, pathPrefix + plan.pointer, 'type', `${plan.key} must be a string${oneOf(plan)}, got ${describe(value)}`);
        } else if (plan.categories.length > 0) {
          // A linear scan beats a Map for the handful of categories a feature has.
          const categories = plan.categories;
          const start = offset + plan.firstColumn;
          let found = false;
          for (let c = 0; c < categories.length; c++) {
            const hit = categories[c] === value;
            out[start + c] = hit ? 1 : 0;
            found ||= hit;
          }
          if (!found) {
            errors = withError(errors, pathPrefix + plan.pointer, 'category', `${plan.key} must be one of ${plan.choices}, got ${describe(value)}`);
          }
        }
      }
    }
    const id = fields[idKey];
    if (id !== undefined && id !== null && (typeof id !== 'string' || id.length > ID_MAX_LENGTH)) {
      errors = withError(errors, pathPrefix + idPointer, 'type', `${idKey} must be a string of at most ${ID_MAX_LENGTH} characters`);
    }
    return errors;
  }

  function idOf(record: unknown): string | undefined {
    if (typeof record !== 'object' || record === null) return undefined;
    const id = (record as Record<string, unknown>)[idKey];
    return typeof id === 'string' ? id : undefined;
  }

  const numericPlans = plans.every((p): p is NumericPlan => p.kind === 'numeric') ? plans : undefined;

  function encodeMatrix(values: ArrayLike<number | null>, rows: number, out: Float64Array): FieldError[] | undefined {
    const numeric = numericPlans!;
    const width = numeric.length;
    let errors: FieldError[] | undefined;
    for (let r = 0; r < rows; r++) {
      const base = r * width;
      for (let c = 0; c < width; c++) {
        // Within the matrix by construction (rows * width values).
        const value = values[base + c] as number | null;
        const plan = numeric[c]!;
        if (value !== null && value === value && value >= plan.minimum && value <= plan.maximum && (!plan.integer || Number.isInteger(value))) {
          out[base + c] = value;
          continue;
        }
        // The rare path: missing, or invalid, as `encode` words it.
        const path = `/${r}${plan.pointer}`;
        if (value === null || value === undefined || value !== value) {
          if (plan.nullable) out[base + c] = NaN;
          else errors = withError(errors, path, 'required', `${plan.key} is required`);
        } else if (!Number.isFinite(value)) {
          errors = withError(errors, path, 'not_finite', `${plan.key} must be a finite number, got ${value}`);
        } else if (value < plan.minimum || value > plan.maximum) {
          errors = withError(errors, path, 'range', `${plan.key} must be between ${plan.minimum} and ${plan.maximum}, got ${value}`);
        } else {
          errors = withError(errors, path, 'integer', `${plan.key} must be an integer, got ${value}`);
        }
      }
    }
    return errors;
  }

  const encoder = { schema, columns, width: column, encode, idOf, fields: plans };
  return numericPlans === undefined ? encoder : { ...encoder, encodeMatrix };
}
