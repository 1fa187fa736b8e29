import { ChurnError } from '../../errors.js';
import type { FeatureSchema } from '../../features/schema.js';
import type { RuntimeOutput } from '../../runtimes/model-runtime.js';
import type { InferResult } from '../data-plane.js';
import { decodeTensorBytes, encodeOutputBytes, utf8Text } from './tensor-bytes.js';
import { elementProblem, isV2Datatype, type V2Datatype } from './v2-datatypes.js';
import { elementCount, outputShape, rowsOfTensors, type TensorData, type V2Inference, type V2Tensor } from './v2-tensors.js';

/**
 * The Open Inference Protocol's gRPC messages (inference.ModelInferRequest and friends, proto/
 * open-inference.proto) as protobufjs decodes them, to and from what the data plane takes and answers. Tensors
 * arrive either as typed `contents` or as `raw_input_contents` bytes; the response answers the way the request
 * came (raw bytes for raw inputs, as Triton does and tritonclient expects; typed contents otherwise).
 */

/** An int64 as protobufjs decodes it: a Long object (or a number when no Long library is loaded). */
export type Int64 = number | { toNumber(): number };

export interface InferParameterMessage {
  bool_param?: boolean | null;
  int64_param?: Int64 | null;
  string_param?: string | null;
  double_param?: number | null;
  uint64_param?: Int64 | null;
  parameter_choice?: string;
}

export interface InferTensorContentsMessage {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: Int64[];
  uint_contents?: number[];
  uint64_contents?: Int64[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Uint8Array[];
}

export interface ModelInferRequestMessage {
  model_name?: string;
  model_version?: string;
  id?: string;
  parameters?: Record<string, InferParameterMessage>;
  inputs?: { name?: string; datatype?: string; shape?: Int64[]; parameters?: Record<string, InferParameterMessage>; contents?: InferTensorContentsMessage | null }[];
  outputs?: { name?: string; parameters?: Record<string, InferParameterMessage> }[];
  raw_input_contents?: Uint8Array[];
}

export interface InferOutputTensorMessage {
  name: string;
  datatype: string;
  shape: number[];
  parameters?: Record<string, InferParameterMessage>;
  contents?: InferTensorContentsMessage;
}

export interface ModelInferResponseMessage {
  model_name: string;
  model_version: string;
  id: string;
  outputs: InferOutputTensorMessage[];
  raw_output_contents: Buffer[];
}

/** A decoded ModelInferRequest: the records and options, and whether it sent raw bytes (answered alike). */
export interface GrpcInference extends V2Inference {
  raw: boolean;
}

const bad = (message: string): ChurnError => new ChurnError('INVALID_BODY', message);

export function int64Number(value: Int64): number {
  return typeof value === 'number' ? value : value.toNumber();
}

/** An InferParameter's value: a boolean, a number or a string. */
function parameterValue(parameter: InferParameterMessage): boolean | number | string | undefined {
  switch (parameter.parameter_choice) {
    case 'bool_param': return parameter.bool_param ?? undefined;
    case 'int64_param': return parameter.int64_param == null ? undefined : int64Number(parameter.int64_param);
    case 'uint64_param': return parameter.uint64_param == null ? undefined : int64Number(parameter.uint64_param);
    case 'double_param': return parameter.double_param ?? undefined;
    case 'string_param': return parameter.string_param ?? undefined;
    default: return undefined;
  }
}

/** A parameters map as plain values, as the REST protocol's JSON has them. */
export function parameterValues(parameters: Record<string, InferParameterMessage> | undefined): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const key in parameters) values[key] = parameterValue(parameters[key]!);
  return values;
}

/** Which typed contents field holds a datatype's elements. */
const CONTENTS_FIELD: Record<Exclude<V2Datatype, 'FP16' | 'BF16'>, keyof InferTensorContentsMessage> = {
  BOOL: 'bool_contents', INT8: 'int_contents', INT16: 'int_contents', INT32: 'int_contents', INT64: 'int64_contents',
  UINT8: 'uint_contents', UINT16: 'uint_contents', UINT32: 'uint_contents', UINT64: 'uint64_contents',
  FP32: 'fp32_contents', FP64: 'fp64_contents', BYTES: 'bytes_contents',
};

/** An input's elements from its typed contents. */
function contentsData(name: string, datatype: V2Datatype, count: number, contents: InferTensorContentsMessage | null | undefined): TensorData {
  if (datatype === 'FP16' || datatype === 'BF16') throw bad(`input "${name}": ${datatype} has no typed contents field; send it as raw_input_contents`);
  const field = CONTENTS_FIELD[datatype];
  const values = (contents?.[field] ?? []) as readonly unknown[];
  if (values.length !== count) throw bad(`input "${name}": shape holds ${count} elements, contents.${field} has ${values.length}`);
  if (datatype === 'BYTES') return (values as Uint8Array[]).map((bytes, i) => utf8Text(bytes, `input "${name}" element ${i}`));
  const numbers = datatype === 'INT64' || datatype === 'UINT64' ? (values as Int64[]).map(int64Number) : values;
  for (let i = 0; i < numbers.length; i++) {
    const value = numbers[i];
    // Floats decode to JS numbers as they are: NaN (missing) and infinities go on to the record's own checks.
    if (typeof value === 'number' && (datatype === 'FP32' || datatype === 'FP64')) continue;
    const problem = elementProblem(datatype, value);
    if (problem !== undefined) throw bad(`input "${name}" element ${i}: ${problem}`);
  }
  return numbers;
}

/** Decodes a ModelInferRequest into records for the model's schema (the model name is the transport's to check). */
export function decodeModelInferRequest(message: ModelInferRequestMessage, schema: FeatureSchema): GrpcInference {
  const inputs = message.inputs ?? [];
  const raw = message.raw_input_contents ?? [];
  if (raw.length > 0 && raw.length !== inputs.length) throw bad(`raw_input_contents has ${raw.length} entries for ${inputs.length} input(s): give one per input, in order`);
  const tensors: V2Tensor[] = inputs.map((input, index) => {
    const name = input.name ?? '';
    if (name === '') throw bad(`inputs[${index}].name must be a non-empty string`);
    if (!isV2Datatype(input.datatype)) throw bad(`input "${name}": unknown datatype ${JSON.stringify(input.datatype ?? '')}`);
    const datatype = input.datatype;
    const shape = (input.shape ?? []).map(int64Number);
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad(`input "${name}": shape must be a list of non-negative integers`);
    const count = elementCount(shape);
    const parameters = parameterValues(input.parameters);
    let data: TensorData;
    if (raw.length > 0) {
      if (input.contents != null) throw bad(`input "${name}": a request with raw_input_contents must not also give contents`);
      data = decodeTensorBytes(datatype, count, raw[index]!, `input "${name}"`);
    } else {
      data = contentsData(name, datatype, count, input.contents);
    }
    return { name, shape, datatype, data, parameters };
  });
  const outputs = message.outputs ?? [];
  const parameters = parameterValues(message.parameters);
  return {
    ...(message.id ? { id: message.id } : {}),
    rows: rowsOfTensors(schema, tensors),
    ...(outputs.length === 0 ? {} : { outputs: outputs.map((o) => o.name ?? '') }),
    explain: parameters['explain'] === true,
    raw: raw.length > 0,
  };
}

/** An output's values as the typed contents field of its datatype. */
function outputContents(output: RuntimeOutput): InferTensorContentsMessage {
  if (output.datatype === 'BOOL') return { bool_contents: Array.from(output.data, (v) => v !== 0) };
  if (output.datatype === 'INT64') return { int64_contents: Array.from(output.data) };
  return { fp64_contents: Array.from(output.data) };
}

/** The ModelInferResponse of a scored request: raw bytes when the request sent raw bytes, typed contents otherwise. */
export function encodeModelInferResponse(model: { name: string; version: string }, request: GrpcInference, result: InferResult): ModelInferResponseMessage {
  const outputs: InferOutputTensorMessage[] = [];
  const rawOutputs: Buffer[] = [];
  for (const output of result.outputs) {
    const tensor: InferOutputTensorMessage = { name: output.name, datatype: output.datatype, shape: outputShape(output, result.rows) };
    if (output.name === 'contributions' && result.contributionColumns !== undefined) {
      tensor.parameters = { columns: { string_param: result.contributionColumns.join(',') } };
    }
    if (request.raw) rawOutputs.push(encodeOutputBytes(output.datatype, output.data));
    else tensor.contents = outputContents(output);
    outputs.push(tensor);
  }
  return { model_name: model.name, model_version: model.version, id: request.id ?? '', outputs, raw_output_contents: rawOutputs };
}

