import type { ModelRuntime, RuntimeOutput } from '../../model/runtimes/model-runtime.js';
import { elementProblem, isNumericDatatype, isV2Datatype, type V2Datatype } from './v2-datatypes.js';

/** A request was not a valid inference request for this model: answered 400 with the message. */
export class V2BadRequest extends Error {}

export interface V2RequestInput { name: string; shape: number[]; datatype: V2Datatype; data: unknown[]; parameters?: Record<string, unknown> }

export interface V2ResponseOutput { name: string; shape: number[]; datatype: string; data: (number | boolean)[]; parameters?: Record<string, string> }

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Nested or flat tensor data, row-major, as one flat list. */
function flatten(data: unknown): unknown[] {
  if (!Array.isArray(data)) return [data];
  return data.some(Array.isArray) ? data.flat(Infinity) : data;
}

/** Checks one `$request_input` and returns it with flat data. */
export function checkInput(value: unknown, index: number): V2RequestInput {
  const where = `inputs[${index}]`;
  if (!isRecord(value)) throw new V2BadRequest(`${where} must be an object`);
  const { name, shape, datatype, data, parameters } = value;
  if (typeof name !== 'string' || name === '') throw new V2BadRequest(`${where}.name must be a non-empty string`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) throw new V2BadRequest(`input "${name}": shape must be a list of non-negative integers`);
  if (!isV2Datatype(datatype)) throw new V2BadRequest(`input "${name}": unknown datatype ${JSON.stringify(datatype)}`);
  if (data === undefined) throw new V2BadRequest(`input "${name}": data is required`);
  if (parameters !== undefined && !isRecord(parameters)) throw new V2BadRequest(`input "${name}": parameters must be an object`);
  const flat = flatten(data);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (flat.length !== count) throw new V2BadRequest(`input "${name}": shape [${(shape as number[]).join(', ')}] holds ${count} elements, data has ${flat.length}`);
  for (let i = 0; i < flat.length; i++) {
    const problem = elementProblem(datatype, flat[i]);
    if (problem !== undefined) throw new V2BadRequest(`input "${name}" element ${i}: ${problem}`);
  }
  return { name, shape: shape as number[], datatype, data: flat, ...(parameters !== undefined ? { parameters } : {}) };
}

/** A BYTES [N] input whose elements are records as JSON text (`parameters.content_type: "json"`). */
function jsonRecords(input: V2RequestInput): Record<string, unknown>[] {
  if (input.datatype !== 'BYTES' || input.shape.length !== 1) throw new V2BadRequest(`input "${input.name}": JSON records are a BYTES [N] tensor`);
  return input.data.map((text, r) => {
    let record: unknown;
    try {
      record = JSON.parse(text as string);
    } catch {
      throw new V2BadRequest(`input "${input.name}" element ${r} is not valid JSON`);
    }
    if (!isRecord(record)) throw new V2BadRequest(`input "${input.name}" element ${r} must be a JSON object (one record)`);
    return record;
  });
}

/**
 * Turns the request's tensors into records for the runtime. Three layouts: records as JSON text in one BYTES
 * input with `parameters.content_type: "json"`; one input per model input
 * or (MLServer's `content_type: pd`: BYTES for categoricals, numbers for numerics, each [N] or [N, 1]), or, for
 * models whose inputs are all numeric, a single numeric [N, F] input in model input order.
 */
export function recordsOf(runtime: ModelRuntime, inputs: readonly V2RequestInput[]): Record<string, unknown>[] {
  const spec = runtime.description.inputs;
  if (inputs.length === 0) throw new V2BadRequest('inputs must not be empty');
  const allNumeric = spec.every((s) => s.type === 'number');
  const only = inputs[0]!;
  if (inputs.length === 1 && only.parameters?.['content_type'] === 'json') return jsonRecords(only);
  if (inputs.length === 1 && allNumeric && only.shape.length === 2 && spec.length > 1 && !spec.some((s) => s.name === only.name)) {
    if (!isNumericDatatype(only.datatype)) throw new V2BadRequest(`input "${only.name}": a [N, F] input must be numeric, got ${only.datatype}`);
    const [rows, width] = only.shape as [number, number];
    if (width !== spec.length) throw new V2BadRequest(`input "${only.name}": the model reads ${spec.length} features, the input has ${width} columns`);
    return Array.from({ length: rows }, (_, r) => Object.fromEntries(spec.map((s, c) => [s.name, only.data[r * width + c]])));
  }
  const seen = new Set<string>();
  let rows: number | undefined;
  for (const input of inputs) {
    const feature = spec.find((s) => s.name === input.name);
    if (feature === undefined) throw new V2BadRequest(`unknown input "${input.name}"; the model's inputs are ${spec.map((s) => s.name).join(', ')}`);
    if (seen.has(input.name)) throw new V2BadRequest(`input "${input.name}" is given twice`);
    seen.add(input.name);
    if (input.shape.length === 0 || input.shape.length > 2 || (input.shape.length === 2 && input.shape[1] !== 1)) {
      throw new V2BadRequest(`input "${input.name}": shape must be [N] or [N, 1], got [${input.shape.join(', ')}]`);
    }
    if (feature.type === 'category' && input.datatype !== 'BYTES') throw new V2BadRequest(`input "${input.name}" is categorical: send BYTES, not ${input.datatype}`);
    if (feature.type === 'number' && !isNumericDatatype(input.datatype)) throw new V2BadRequest(`input "${input.name}" is numeric: send an integer or FP32/FP64 tensor, not ${input.datatype}`);
    if (rows !== undefined && input.shape[0] !== rows) throw new V2BadRequest(`input "${input.name}" has ${input.shape[0]} rows, other inputs have ${rows}`);
    rows = input.shape[0]!;
  }
  return Array.from({ length: rows! }, (_, r) => {
    const record: Record<string, unknown> = {};
    for (const input of inputs) record[input.name] = input.data[r];
    return record;
  });
}

/** A runtime output as a `$response_output`: shape [N] for scalars, [N, width] otherwise. */
export function responseOutput(output: RuntimeOutput, rows: number): V2ResponseOutput {
  const data = output.datatype === 'BOOL' ? Array.from(output.data, (v) => v === 1) : Array.from(output.data);
  return { name: output.name, datatype: output.datatype, shape: output.width === 1 ? [rows] : [rows, output.width], data };
}
