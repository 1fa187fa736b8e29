import { ChurnError, type FieldError } from '../../errors.js';
import type { FeatureSchema } from '../../features/schema.js';
import { isJsonObject } from '../../foundation/json-values.js';
import type { ModelDescription, RuntimeOutput } from '../../runtimes/model-runtime.js';
import type { InferResult } from '../data-plane.js';

/**
 * The MLflow scoring protocol (`mlflow models serve`'s POST /invocations), without a transport: the four JSON
 * input fields and CSV rows become records for the data plane, and the data plane's outputs become
 * `{"predictions": …}` as MLflow's pyfunc answers for the same model.
 */

/** The JSON fields a request carries its data in: exactly one of them. */
export const mlflowInputFields = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;
type InputField = (typeof mlflowInputFields)[number];

/** A decoded request: its records, the columns it carries, and where each record's fields are in the body. */
export interface MlflowInput {
  readonly records: readonly Record<string, unknown>[];
  /** The columns the request carries (a column is there even when all its values are missing, as in pandas). */
  readonly columns: ReadonlySet<string>;
  /** The body's JSON Pointer to a field of a record, given as the data plane reports it (`/<row>/<field>`). */
  pointer(path: string): string;
}

function shape(message: string, path: string, reason: FieldError['reason'] = 'type'): ChurnError {
  return new ChurnError('INVALID_BODY', message, [{ path, reason, message }]);
}

const token = (name: string): string => name.replace(/~/g, '~0').replace(/\//g, '~1');
const untoken = (text: string): string => text.replace(/~1/g, '/').replace(/~0/g, '~');

/** `/<row>/<field…>` (the data plane's paths) → row and field name; undefined for other paths. */
function rowAndField(path: string): { row: number; field: string | undefined } | undefined {
  const match = /^\/(\d+)(?:\/([^/]*))?/.exec(path);
  if (match === null) return undefined;
  return { row: Number(match[1]), field: match[2] === undefined ? undefined : untoken(match[2]) };
}

/**
 * The records of a JSON body. `dataframe_split` is pandas' split orientation ({columns, data}); `dataframe_records`
 * its records; `instances` and `inputs` (TF-serving style) take a list of records or an object of columns (arrays of
 * one length, or scalars for one row). Rows given as plain lists are read in the schema's order when `positional`
 * (a model without a column signature), and refused otherwise, as MLflow refuses them for a column signature.
 * `params` is accepted and ignored: no model here takes inference parameters (MLflow ignores them likewise).
 */
export function decodeMlflowJson(body: unknown, schema: FeatureSchema, positional: boolean): MlflowInput {
  if (!isJsonObject(body)) {
    throw shape(`the body must be a JSON object with exactly one of the fields ${mlflowInputFields.join(', ')}${Array.isArray(body) ? ', not a list' : ''}`, '', 'not_object');
  }
  const fields = mlflowInputFields.filter((f) => body[f] !== undefined);
  if (fields.length !== 1) {
    throw shape(`the body must have exactly one of the fields ${mlflowInputFields.join(', ')}; it has ${fields.length === 0 ? 'none' : fields.join(', ')} (fields: ${Object.keys(body).join(', ') || 'none'})`, '', 'required');
  }
  const field = fields[0]!;
  const value = body[field];
  switch (field) {
    case 'dataframe_split': return splitFrame(value);
    case 'dataframe_records': return recordList(field, value, schema, false);
    default: return Array.isArray(value) ? recordList(field, value, schema, positional) : columnar(field, value);
  }
}

/** `{"columns": [...], "data": [[...], ...]}` (an `index` is allowed and unused). */
function splitFrame(value: unknown): MlflowInput {
  const at = '/dataframe_split';
  if (!isJsonObject(value)) throw shape('dataframe_split must be an object {"columns": [...], "data": [[...], ...]}', at);
  const columns = value['columns'];
  const data = value['data'];
  if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) {
    throw shape('dataframe_split.columns must list the column names (pandas\' DataFrame.to_json(orient="split") writes them)', `${at}/columns`, columns === undefined ? 'required' : 'type');
  }
  if (!Array.isArray(data)) throw shape('dataframe_split.data must be a list of rows', `${at}/data`, data === undefined ? 'required' : 'type');
  const records = data.map((row, r) => {
    if (!Array.isArray(row) || row.length !== columns.length) {
      throw shape(`dataframe_split.data[${r}] must be a list of ${columns.length} values, one per column`, `${at}/data/${r}`);
    }
    const record: Record<string, unknown> = {};
    columns.forEach((name, c) => { record[name] = row[c]; });
    return record;
  });
  return {
    records,
    columns: new Set(columns),
    pointer: (path) => {
      const found = rowAndField(path);
      if (found === undefined) return `${at}/data${path}`;
      const c = found.field === undefined ? -1 : columns.indexOf(found.field);
      return c < 0 ? `${at}/data/${found.row}` : `${at}/data/${found.row}/${c}`;
    },
  };
}

/** A list of records (objects keyed by column), or of plain rows in the schema's order when `positional`. */
function recordList(field: InputField, value: unknown, schema: FeatureSchema, positional: boolean): MlflowInput {
  const at = `/${field}`;
  if (!Array.isArray(value)) throw shape(`${field} must be a list of records`, at);
  const names = schema.features.map((f) => f.name);
  const columns = new Set<string>();
  const records = value.map((row, r): Record<string, unknown> => {
    if (Array.isArray(row)) {
      if (!positional) {
        throw shape(`${field}[${r}] is a list; this model's signature names its columns, so each row must be an object keyed by them (${names.join(', ')})`, `${at}/${r}`);
      }
      if (row.length !== names.length) throw shape(`${field}[${r}] must hold ${names.length} values, in the order ${names.join(', ')}`, `${at}/${r}`);
      names.forEach((name) => columns.add(name));
      return Object.fromEntries(names.map((name, c) => [name, row[c]]));
    }
    if (!isJsonObject(row)) throw shape(`${field}[${r}] must be an object keyed by column name`, `${at}/${r}`, 'not_object');
    for (const name of Object.keys(row)) columns.add(name);
    return row;
  });
  return {
    records,
    columns,
    pointer: (path) => {
      const found = rowAndField(path);
      if (found === undefined || found.field === undefined || !Array.isArray(value[found.row])) return `${at}${path}`;
      return `${at}/${found.row}/${names.indexOf(found.field)}`;
    },
  };
}

/** `{"column": [values…], …}`, or `{"column": value, …}` for one row. */
function columnar(field: InputField, value: unknown): MlflowInput {
  const at = `/${field}`;
  if (!isJsonObject(value)) throw shape(`${field} must be a list of records or an object of columns`, at);
  const entries = Object.entries(value);
  const lists = entries.filter(([, v]) => Array.isArray(v));
  let records: Record<string, unknown>[];
  if (lists.length === 0) {
    records = entries.length === 0 ? [] : [Object.fromEntries(entries)];
  } else {
    const scalar = entries.find(([, v]) => !Array.isArray(v));
    if (scalar !== undefined) throw shape(`${field}.${scalar[0]} must be a list like the other columns`, `${at}/${token(scalar[0])}`);
    const length = (lists[0]![1] as unknown[]).length;
    const uneven = lists.find(([, v]) => (v as unknown[]).length !== length);
    if (uneven !== undefined) throw shape(`the columns of ${field} must have one length: ${lists[0]![0]} has ${length} values, ${uneven[0]} ${(uneven[1] as unknown[]).length}`, `${at}/${token(uneven[0])}`);
    records = Array.from({ length }, (_, r) => Object.fromEntries(lists.map(([name, v]) => [name, (v as unknown[])[r]])));
  }
  return {
    records,
    columns: new Set(entries.map(([name]) => name)),
    pointer: (path) => {
      const found = rowAndField(path);
      if (found === undefined || found.field === undefined) return `${at}${path}`;
      return lists.length === 0 ? `${at}/${token(found.field)}` : `${at}/${token(found.field)}/${found.row}`;
    },
  };
}

/** CSV rows (the data plane parsed them with the schema): pointers as the REST protocol's CSV batches give them. */
export function csvInput(records: readonly Record<string, unknown>[]): MlflowInput {
  const columns = new Set<string>();
  for (const record of records) for (const name of Object.keys(record)) columns.add(name);
  return { records, columns, pointer: (path) => `/rows${path}` };
}

/**
 * MLflow refuses data without a column its signature requires, even one whose values may all be missing: so does
 * this protocol (INVALID_BODY, one detail per column). An empty request has nothing to check.
 */
export function checkRequiredColumns(input: MlflowInput, required: readonly string[]): void {
  if (input.records.length === 0) return;
  const missing = required.filter((name) => !input.columns.has(name));
  if (missing.length === 0) return;
  throw new ChurnError('INVALID_BODY', `the data lacks ${missing.length} column(s) the model's signature requires: ${missing.join(', ')}`,
    missing.map((name) => ({ path: `/columns/${token(name)}`, reason: 'required', message: `the model's signature requires the column ${name}` })));
}

/** The INVALID_RECORD error of the data plane with its paths pointing into this request's body. */
export function locatedInBody(error: ChurnError, input: MlflowInput): ChurnError {
  if (error.code !== 'INVALID_RECORD') return error;
  return new ChurnError(error.code, error.message, error.details.map((d) => ({ ...d, path: input.pointer(d.path) })), { cause: error });
}

function output(result: InferResult, name: string): RuntimeOutput {
  const found = result.outputs.find((o) => o.name === name);
  if (found === undefined) throw new Error(`the data plane answered no ${name} output`);
  return found;
}

/** One output's values per row: a number (or boolean) for width 1, a list otherwise. */
function rowValues(o: RuntimeOutput, rows: number): unknown[] {
  const value = (v: number): number | boolean => (o.datatype === 'BOOL' ? v !== 0 : v);
  return Array.from({ length: rows }, (_, r) => (o.width === 1 ? value(o.data[r]!) : Array.from(o.data.subarray(r * o.width, (r + 1) * o.width), value)));
}

/**
 * What `predictions` holds, as MLflow's pyfunc answers for the same model:
 * - scikit-learn API classifiers (XGBClassifier, LGBMClassifier): class labels (binary: at the served threshold);
 * - tree models loaded as boosters (XGBoost, LightGBM): Booster.predict — the positive class's probability for a binary
 *   model, each class's probabilities for a multi-class one (the class for XGBoost's multi:softmax), the value for a
 *   regression;
 * - ONNX: one object per row with every output of the graph, as mlflow.onnx answers a DataFrame (a value per output
 *   of one value per row; MLflow cannot answer wider outputs, which come as lists here);
 * - the native model: one object per row with churnProbability and churn, the outputs its MLflow signature declares.
 */
export function mlflowPredictions(description: ModelDescription, result: InferResult): unknown[] {
  const rows = result.rows;
  if (description.pyfunc?.predictsLabels === true && description.task !== 'regression') {
    return rowValues(output(result, 'label'), rows).map(Number);
  }
  switch (description.format) {
    case 'native': {
      const probability = output(result, 'probability').data;
      const label = output(result, 'label').data;
      return Array.from({ length: rows }, (_, r) => ({ churnProbability: probability[r], churn: label[r] !== 0 }));
    }
    case 'onnx': {
      const own = description.outputs.map((spec) => ({ name: spec.name, values: rowValues(output(result, spec.name), rows) }));
      return Array.from({ length: rows }, (_, r) => Object.fromEntries(own.map((o) => [o.name, o.values[r]])));
    }
    default: {
      if (description.task === 'multiclass' && description.card?.['objective'] === 'multi:softmax') return rowValues(output(result, 'label'), rows);
      const positive = description.positiveProbability;
      if (description.task === 'binary' && positive !== undefined) {
        const o = output(result, positive.output);
        return Array.from({ length: rows }, (_, r) => o.data[r * o.width + positive.column]);
      }
      return rowValues(output(result, description.outputs[0]!.name), rows);
    }
  }
}
