import { ChurnError } from '../../errors.js';
import type { FeatureSchema } from '../../features/schema.js';
import { isJsonObject } from '../../foundation/json-values.js';
import type { RuntimeOutput } from '../../runtimes/model-runtime.js';
import type { InferOptions, InferResult } from '../data-plane.js';
import { elementProblem, isNumericDatatype, isV2Datatype, type V2Datatype } from './v2-datatypes.js';

/**
 * The Open Inference Protocol's tensors, as JSON (V2 REST) and as the gRPC transport hands them over: a
 * request's inputs become records for the data plane; its outputs become response tensors.
 */

export interface V2Tensor { name: string; shape: number[]; datatype: V2Datatype; data: unknown[]; parameters?: Record<string, unknown> }

export interface V2ResponseOutput { name: string; shape: number[]; datatype: string; data: (number | boolean)[]; parameters?: Record<string, string> }

/** A decoded inference request: the records, and what the caller asked of the answer. */
export interface V2Inference extends InferOptions {
  id?: string;
  records: Record<string, unknown>[];
}

const bad = (message: string): ChurnError => new ChurnError('INVALID_BODY', message);

/** Nested or flat tensor data, row-major, as one flat list. */
function flatten(data: unknown): unknown[] {
  if (!Array.isArray(data)) return [data];
  return data.some(Array.isArray) ? data.flat(Infinity) : data;
}

/** Checks one `$request_input` and returns it with flat data. */
export function checkTensor(value: unknown, index: number): V2Tensor {
  const where = `inputs[${index}]`;
  if (!isJsonObject(value)) throw bad(`${where} must be an object`);
  const { name, shape, datatype, data, parameters } = value;
  if (typeof name !== 'string' || name === '') throw bad(`${where}.name must be a non-empty string`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) throw bad(`input "${name}": shape must be a list of non-negative integers`);
  if (!isV2Datatype(datatype)) throw bad(`input "${name}": unknown datatype ${JSON.stringify(datatype)}`);
  if (data === undefined) throw bad(`input "${name}": data is required`);
  if (parameters !== undefined && !isJsonObject(parameters)) throw bad(`input "${name}": parameters must be an object`);
  const flat = flatten(data);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (flat.length !== count) throw bad(`input "${name}": shape [${(shape as number[]).join(', ')}] holds ${count} elements, data has ${flat.length}`);
  for (let i = 0; i < flat.length; i++) {
    const problem = elementProblem(datatype, flat[i]);
    if (problem !== undefined) throw bad(`input "${name}" element ${i}: ${problem}`);
  }
  return { name, shape: shape as number[], datatype, data: flat, ...(parameters !== undefined ? { parameters } : {}) };
}

/** A BYTES [N] input whose elements are records as JSON text (`parameters.content_type: "json"`). */
function jsonRecords(input: V2Tensor): Record<string, unknown>[] {
  if (input.datatype !== 'BYTES' || input.shape.length !== 1) throw bad(`input "${input.name}": JSON records are a BYTES [N] tensor`);
  return input.data.map((text, r) => {
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
 * Turns a request's tensors into records. Three layouts: records as JSON text in one BYTES input with
 * `parameters.content_type: "json"`; one input per model input (MLServer's `content_type: pd`: BYTES for
 * categoricals, numbers for numerics, each [N] or [N, 1]); or, for models whose inputs are all numeric, a
 * single numeric [N, F] input in model input order.
 */
export function recordsOfTensors(schema: FeatureSchema, inputs: readonly V2Tensor[]): Record<string, unknown>[] {
  const features = schema.features;
  if (inputs.length === 0) throw bad('inputs must not be empty');
  const allNumeric = features.every((f) => f.kind === 'numeric');
  const only = inputs[0]!;
  if (inputs.length === 1 && only.parameters?.['content_type'] === 'json') return jsonRecords(only);
  if (inputs.length === 1 && allNumeric && only.shape.length === 2 && features.length > 1 && !features.some((f) => f.name === only.name)) {
    if (!isNumericDatatype(only.datatype)) throw bad(`input "${only.name}": a [N, F] input must be numeric, got ${only.datatype}`);
    const [rows, width] = only.shape as [number, number];
    if (width !== features.length) throw bad(`input "${only.name}": the model reads ${features.length} features, the input has ${width} columns`);
    return Array.from({ length: rows }, (_, r) => Object.fromEntries(features.map((f, c) => [f.name, only.data[r * width + c]])));
  }
  const seen = new Set<string>();
  let rows: number | undefined;
  for (const input of inputs) {
    const feature = features.find((f) => f.name === input.name);
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
  return Array.from({ length: rows! }, (_, r) => {
    const record: Record<string, unknown> = {};
    for (const input of inputs) record[input.name] = input.data[r];
    return record;
  });
}

/** Decodes a V2 REST inference request body (`$inference_request`) for the model's schema. */
export function decodeInferenceRequest(body: unknown, schema: FeatureSchema): V2Inference {
  if (!isJsonObject(body)) throw bad('the request body must be a JSON object (an inference request)');
  const { id, parameters, inputs, outputs } = body;
  if (id !== undefined && typeof id !== 'string') throw bad('id must be a string');
  if (parameters !== undefined && !isJsonObject(parameters)) throw bad('parameters must be an object');
  if (!Array.isArray(inputs)) throw bad('inputs must be a list of tensors');
  if (outputs !== undefined && !(Array.isArray(outputs) && outputs.every((o) => isJsonObject(o) && typeof o['name'] === 'string'))) {
    throw bad('outputs must be a list of {"name": ...}');
  }
  return {
    ...(id === undefined ? {} : { id }),
    records: recordsOfTensors(schema, inputs.map(checkTensor)),
    ...(outputs === undefined ? {} : { outputs: (outputs as { name: string }[]).map((o) => o.name) }),
    explain: parameters?.['explain'] === true,
  };
}

/** A runtime output as a `$response_output`: shape [N] for scalars, [N, width] otherwise. */
export function responseTensor(output: RuntimeOutput, rows: number): V2ResponseOutput {
  const data = output.datatype === 'BOOL' ? Array.from(output.data, (v) => v === 1) : Array.from(output.data);
  return { name: output.name, datatype: output.datatype, shape: output.width === 1 ? [rows] : [rows, output.width], data };
}

/** The `$inference_response` of a scored request. */
export function encodeInferenceResponse(model: { name: string; version: string }, request: V2Inference, result: InferResult): Record<string, unknown> {
  const outputs = result.outputs.map((o) => {
    const tensor = responseTensor(o, result.rows);
    // The columns of a contributions row: each input's contribution to the margin (log-odds), then the base value.
    return o.name === 'contributions' && result.contributionColumns !== undefined ? { ...tensor, parameters: { columns: result.contributionColumns.join(',') } } : tensor;
  });
  return { model_name: model.name, model_version: model.version, ...(request.id === undefined ? {} : { id: request.id }), outputs };
}
