import { ChurnError } from '../../errors.js';
import type { FeatureSchema } from '../../features/schema.js';
import { isJsonObject } from '../../foundation/json-values.js';
import type { RuntimeOutput } from '../../runtimes/model-runtime.js';
import type { DataPlane, InferOptions, InferResult } from '../data-plane.js';
import type { MaybePromise } from '../maybe-promise.js';
import type { Protocol } from '../protocol.js';
import { decodeTensorBytes, encodeOutputBytes, type TensorElements } from './tensor-bytes.js';
import { elementProblem, isNumericDatatype, isV2Datatype, type V2Datatype } from './v2-datatypes.js';

/**
 * The Open Inference Protocol's tensors, whichever way they travel (V2 REST JSON, the REST binary data
 * extension, gRPC contents or raw bytes): a request's inputs become records for the data plane; its outputs
 * become response tensors.
 */

/** Flat, row-major elements: JSON values, or typed elements decoded from bytes. */
export type TensorData = readonly unknown[] | TensorElements;

export interface V2Tensor { name: string; shape: number[]; datatype: V2Datatype; data: TensorData; parameters?: Record<string, unknown> }

export interface V2ResponseOutput { name: string; shape: number[]; datatype: string; data?: (number | boolean)[]; parameters?: Record<string, string | number> }

/** Which outputs the REST binary data extension answers as bytes: those named true, else the request's default. */
export interface BinaryOutputs {
  readonly byDefault: boolean;
  readonly named: ReadonlyMap<string, boolean>;
}

/**
 * The rows a request's tensors carry: records, or — an all-numeric model's single [N, F] tensor — the row-major
 * matrix itself, which the data plane validates and encodes without making a record per row.
 */
export type TensorRows = { records: Record<string, unknown>[] } | { matrix: ArrayLike<number | null>; count: number };

/** A decoded inference request: its rows, and what the caller asked of the answer. */
export interface V2Inference extends InferOptions {
  id?: string;
  rows: TensorRows;
  /** REST only: outputs to answer in the binary section. */
  binaryOutputs?: BinaryOutputs;
}

/** A REST inference response: the JSON part, and the bytes of outputs answered as binary data (in order). */
export interface V2Response {
  json: Record<string, unknown>;
  binary: Buffer[];
}

const bad = (message: string): ChurnError => new ChurnError('INVALID_BODY', message);

/** Nested or flat tensor data, row-major, as one flat list. */
function flatten(data: unknown): unknown[] {
  if (!Array.isArray(data)) return [data];
  return data.some(Array.isArray) ? data.flat(Infinity) : data;
}

/** Elements a shape holds. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Checks a shape: a list of non-negative integers. */
export function checkShape(name: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) throw bad(`input "${name}": shape must be a list of non-negative integers`);
  return shape as number[];
}

/** The binary section of a REST request (binary data extension), handed out input by input, in order. */
export class BinarySection {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  take(size: number, where: string): Uint8Array {
    if (this.offset + size > this.bytes.length) throw bad(`${where}: binary_data_size is ${size}, only ${this.bytes.length - this.offset} byte(s) of binary data remain`);
    const slice = this.bytes.subarray(this.offset, this.offset + size);
    this.offset += size;
    return slice;
  }

  /** Every byte must belong to an input. */
  finish(): void {
    const left = this.bytes.length - this.offset;
    if (left > 0) throw bad(`${left} byte(s) of binary data follow the inputs that claim theirs (binary_data_size)`);
  }
}

/**
 * Checks one `$request_input` and returns it with flat data: JSON `data`, or — with `parameters.binary_data_size`
 * (the binary data extension) — that many bytes of the request's binary section.
 */
export function checkTensor(value: unknown, index: number, binary?: BinarySection): V2Tensor {
  const where = `inputs[${index}]`;
  if (!isJsonObject(value)) throw bad(`${where} must be an object`);
  const { name, shape, datatype, data, parameters } = value;
  if (typeof name !== 'string' || name === '') throw bad(`${where}.name must be a non-empty string`);
  const dims = checkShape(name, shape);
  if (!isV2Datatype(datatype)) throw bad(`input "${name}": unknown datatype ${JSON.stringify(datatype)}`);
  if (parameters !== undefined && !isJsonObject(parameters)) throw bad(`input "${name}": parameters must be an object`);
  const count = elementCount(dims);
  const size = parameters?.['binary_data_size'];
  if (size !== undefined) {
    if (binary === undefined) throw bad(`input "${name}": binary_data_size needs a binary body (Inference-Header-Content-Length)`);
    if (!Number.isInteger(size) || (size as number) < 0) throw bad(`input "${name}": binary_data_size must be a non-negative integer`);
    if (data !== undefined) throw bad(`input "${name}": give data or binary_data_size, not both`);
    const bytes = binary.take(size as number, `input "${name}"`);
    return { name, shape: dims, datatype, data: decodeTensorBytes(datatype, count, bytes, `input "${name}"`), parameters };
  }
  if (data === undefined) throw bad(`input "${name}": data is required`);
  const flat = flatten(data);
  if (flat.length !== count) throw bad(`input "${name}": shape [${dims.join(', ')}] holds ${count} elements, data has ${flat.length}`);
  for (let i = 0; i < flat.length; i++) {
    const problem = elementProblem(datatype, flat[i]);
    if (problem !== undefined) throw bad(`input "${name}" element ${i}: ${problem}`);
  }
  return { name, shape: dims, datatype, data: flat, ...(parameters !== undefined ? { parameters } : {}) };
}

/** Element i as a record value: a floating-point NaN (how bytes say "missing") reads as null, like JSON's. */
function elementAt(data: TensorData, i: number): unknown {
  const value = data[i];
  return typeof value === 'number' && value !== value ? null : value;
}

const featureMaps = new WeakMap<FeatureSchema, ReadonlyMap<string, FeatureSchema['features'][number]>>();

/** The schema's features by name, built once per schema (a lookup per input on the hot path). */
function featuresByName(schema: FeatureSchema): ReadonlyMap<string, FeatureSchema['features'][number]> {
  let map = featureMaps.get(schema);
  if (map === undefined) {
    map = new Map(schema.features.map((f) => [f.name, f]));
    featureMaps.set(schema, map);
  }
  return map;
}

/** A BYTES [N] input whose elements are records as JSON text (`parameters.content_type: "json"`). */
function jsonRecords(input: V2Tensor): Record<string, unknown>[] {
  if (input.datatype !== 'BYTES' || input.shape.length !== 1) throw bad(`input "${input.name}": JSON records are a BYTES [N] tensor`);
  return Array.from(input.data as readonly unknown[], (text, r) => {
    let record: unknown;
    try {
      record = JSON.parse(text as string);
    } catch {
      throw bad(`input "${input.name}" element ${r} is not valid JSON`);
    }
    if (!isJsonObject(record)) throw bad(`input "${input.name}" element ${r} must be a JSON object (one record)`);
    return record;
  });
}

/**
 * Turns a request's tensors into rows. Three layouts: records as JSON text in one BYTES input with
 * `parameters.content_type: "json"`; one input per model input (MLServer's `content_type: pd`, what tritonclient
 * users send: BYTES for categoricals, numbers for numerics, each [N] or [N, 1]); or, for models whose inputs are
 * all numeric, a single numeric [N, F] input in model input order (kept as the matrix it is).
 */
export function rowsOfTensors(schema: FeatureSchema, inputs: readonly V2Tensor[]): TensorRows {
  const features = schema.features;
  const byName = featuresByName(schema);
  if (inputs.length === 0) throw bad('inputs must not be empty');
  const allNumeric = features.every((f) => f.kind === 'numeric');
  const only = inputs[0]!;
  if (inputs.length === 1 && only.parameters?.['content_type'] === 'json') return { records: jsonRecords(only) };
  if (inputs.length === 1 && allNumeric && only.shape.length === 2 && features.length > 1 && !byName.has(only.name)) {
    if (!isNumericDatatype(only.datatype)) throw bad(`input "${only.name}": a [N, F] input must be numeric, got ${only.datatype}`);
    const [rows, width] = only.shape as [number, number];
    if (width !== features.length) throw bad(`input "${only.name}": the model reads ${features.length} features, the input has ${width} columns`);
    return { matrix: only.data as ArrayLike<number | null>, count: rows };
  }
  const seen = new Set<string>();
  let rows: number | undefined;
  for (const input of inputs) {
    const feature = byName.get(input.name);
    if (feature === undefined) throw bad(`unknown input "${input.name}"; the model's inputs are ${features.map((f) => f.name).join(', ')}`);
    if (seen.has(input.name)) throw bad(`input "${input.name}" is given twice`);
    seen.add(input.name);
    if (input.shape.length === 0 || input.shape.length > 2 || (input.shape.length === 2 && input.shape[1] !== 1)) {
      throw bad(`input "${input.name}": shape must be [N] or [N, 1], got [${input.shape.join(', ')}]`);
    }
    if (feature.kind === 'categorical' && input.datatype !== 'BYTES') throw bad(`input "${input.name}" is categorical: send BYTES, not ${input.datatype}`);
    if (feature.kind === 'numeric' && !isNumericDatatype(input.datatype)) throw bad(`input "${input.name}" is numeric: send an integer or FP32/FP64 tensor, not ${input.datatype}`);
    if (rows !== undefined && input.shape[0] !== rows) throw bad(`input "${input.name}" has ${input.shape[0]} rows, other inputs have ${rows}`);
    rows = input.shape[0]!;
  }
  const records: Record<string, unknown>[] = new Array(rows!);
  for (let r = 0; r < rows!; r++) {
    const record: Record<string, unknown> = {};
    for (const input of inputs) record[input.name] = elementAt(input.data, r);
    records[r] = record;
  }
  return { records };
}

/** Scores a decoded request's rows through the data plane, the matrix way when the request carried one. */
export function inferRows(plane: DataPlane, inference: V2Inference, protocol: Protocol, requestId?: string): MaybePromise<InferResult> {
  const { rows } = inference;
  return 'matrix' in rows ? plane.inferMatrix(rows.matrix, rows.count, inference, protocol, requestId) : plane.infer(rows.records, inference, protocol, requestId);
}

/** `binary_data_output` and each requested output's `binary_data`, when the request uses them. */
function binaryOutputsOf(parameters: Record<string, unknown> | undefined, outputs: readonly Record<string, unknown>[] | undefined): BinaryOutputs | undefined {
  const byDefault = parameters?.['binary_data_output'];
  if (byDefault !== undefined && typeof byDefault !== 'boolean') throw bad('parameters.binary_data_output must be true or false');
  const named = new Map<string, boolean>();
  for (const output of outputs ?? []) {
    const asked = (output['parameters'] as Record<string, unknown> | undefined)?.['binary_data'];
    if (asked === undefined) continue;
    if (typeof asked !== 'boolean') throw bad(`output "${String(output['name'])}": parameters.binary_data must be true or false`);
    named.set(output['name'] as string, asked);
  }
  return byDefault === true || named.size > 0 ? { byDefault: byDefault === true, named } : undefined;
}

/**
 * Decodes a V2 REST inference request body (`$inference_request`) for the model's schema; `binary` is the
 * section after the JSON header when the request uses the binary data extension.
 */
export function decodeInferenceRequest(body: unknown, schema: FeatureSchema, binary?: Uint8Array): V2Inference {
  if (!isJsonObject(body)) throw bad('the request body must be a JSON object (an inference request)');
  const { id, parameters, inputs, outputs } = body;
  if (id !== undefined && typeof id !== 'string') throw bad('id must be a string');
  if (parameters !== undefined && !isJsonObject(parameters)) throw bad('parameters must be an object');
  if (!Array.isArray(inputs)) throw bad('inputs must be a list of tensors');
  if (outputs !== undefined && !(Array.isArray(outputs) && outputs.every((o) => isJsonObject(o) && typeof o['name'] === 'string'
    && (o['parameters'] === undefined || isJsonObject(o['parameters']))))) {
    throw bad('outputs must be a list of {"name": ..., "parameters"?: {...}}');
  }
  const section = binary === undefined ? undefined : new BinarySection(binary);
  const tensors = inputs.map((input, index) => checkTensor(input, index, section));
  section?.finish();
  const requested = outputs as Record<string, unknown>[] | undefined;
  const binaryOutputs = binaryOutputsOf(parameters, requested);
  return {
    ...(id === undefined ? {} : { id }),
    rows: rowsOfTensors(schema, tensors),
    ...(requested === undefined ? {} : { outputs: requested.map((o) => o['name'] as string) }),
    explain: parameters?.['explain'] === true,
    ...(binaryOutputs === undefined ? {} : { binaryOutputs }),
  };
}

/** The shape of an output of `rows` rows: [N] for scalars, [N, width] otherwise. */
export function outputShape(output: RuntimeOutput, rows: number): number[] {
  return output.width === 1 ? [rows] : [rows, output.width];
}

/** A runtime output as a `$response_output` with JSON data. */
export function responseTensor(output: RuntimeOutput, rows: number): V2ResponseOutput {
  const data = output.datatype === 'BOOL' ? Array.from(output.data, (v) => v === 1) : Array.from(output.data);
  return { name: output.name, datatype: output.datatype, shape: outputShape(output, rows), data };
}

/**
 * The `$inference_response` of a scored request: outputs as JSON data, or as bytes in the binary section for
 * those the request asked so (`binary_data_output`, an output's `binary_data`).
 */
export function encodeInferenceResponse(model: { name: string; version: string }, request: V2Inference, result: InferResult): V2Response {
  const binary: Buffer[] = [];
  const asked = request.binaryOutputs;
  const outputs = result.outputs.map((o) => {
    // The columns of a contributions row: each input's contribution to the margin (log-odds), then the base value.
    const columns = o.name === 'contributions' && result.contributionColumns !== undefined ? { columns: result.contributionColumns.join(',') } : undefined;
    if (asked !== undefined && (asked.named.get(o.name) ?? asked.byDefault)) {
      const bytes = encodeOutputBytes(o.datatype, o.data);
      binary.push(bytes);
      return { name: o.name, datatype: o.datatype, shape: outputShape(o, result.rows), parameters: { ...columns, binary_data_size: bytes.length } };
    }
    const tensor = responseTensor(o, result.rows);
    return columns === undefined ? tensor : { ...tensor, parameters: columns };
  });
  return { json: { model_name: model.name, model_version: model.version, ...(request.id === undefined ? {} : { id: request.id }), outputs }, binary };
}
