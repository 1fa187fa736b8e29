import ort from 'onnxruntime-node';
import { basename, extname } from 'node:path';
import { ChurnError } from '../errors.js';
import { compileRecordEncoder, type RecordEncoder } from '../features/record-encoder.js';
import type { FeatureSchema } from '../features/schema.js';
import type { EncodedRows, ModelDescription, ModelRuntime, ModelTask, OutputDatatype, RuntimeOutput } from './model-runtime.js';
import { runtimeFeatureSchema, type ModelInput } from './runtime-feature-schema.js';
import { readSidecarManifest } from './sidecar-manifest.js';

type Metadata = ort.InferenceSession.ValueMetadata;
type TensorMetadata = Extract<Metadata, { isTensor: true }>;

const NUMERIC = new Set(['float32', 'float64', 'int32', 'int64']);
const OUTPUT_TYPES: Record<string, OutputDatatype> = { float32: 'FP64', float64: 'FP64', int32: 'INT64', int64: 'INT64', bool: 'BOOL' };

/** Output names that hold class probabilities without a manifest saying so. */
const PROBABILITY_OUTPUTS = ['probability', 'probabilities', 'output_probability'];

function throwMismatch(file: string, problem: string): never {
  throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `${file}: ${problem}`);
}

function unsupported(file: string, problem: string): never {
  throw new ChurnError('ARTIFACT_UNSUPPORTED_FORMAT', `${file}: ${problem}`);
}

function tensorMetadata(file: string, m: Metadata): TensorMetadata {
  if (!m.isTensor) unsupported(file, `"${m.name}" is not a tensor (convert classifiers without ZipMap, e.g. skl2onnx options {zipmap: False})`);
  return m;
}

/** Values per row of a [N, ...] tensor; symbolic or absent trailing dimensions count as 1. */
function rowWidth(shape: readonly (number | string)[]): number {
  return shape.slice(1).reduce<number>((w, d) => w * (typeof d === 'number' && d > 0 ? d : 1), 1);
}

/**
 * An ONNX model through onnxruntime-node (asynchronous). Two input layouts: one input per feature ([N] or
 * [N, 1]; string tensors are categoricals, as `churn-predictor export` writes), or a single numeric [N, F]
 * matrix whose column names come from the sidecar manifest (f0… otherwise). Every tensor output is returned
 * as it is; the graph's own label output, when it has one, is its own (the served threshold applies to /predict).
 */
export class OnnxRuntime implements ModelRuntime {
  readonly description: ModelDescription;
  readonly encoder: RecordEncoder;
  private readonly matrixInput: TensorMetadata | undefined;
  /** Per-feature inputs with where each reads its values: a column of the encoded rows, or the record's string. */
  private readonly columnInputs: readonly { metadata: TensorMetadata; column: number }[];

  private constructor(private readonly session: ort.InferenceSession, file: string, sidecar: ReturnType<typeof readSidecarManifest>) {
    const inputs = session.inputMetadata.map((m) => tensorMetadata(file, m));
    const outputs = session.outputMetadata.map((m) => tensorMetadata(file, m));
    for (const input of inputs) if (input.type !== 'string' && !NUMERIC.has(input.type)) unsupported(file, `input "${input.name}" has type ${input.type}`);
    const single = inputs.length === 1 && inputs[0]!.type !== 'string' && rowWidth(inputs[0]!.shape) > 1 ? inputs[0] : undefined;
    this.matrixInput = single;
    let described: ModelInput[];
    if (single !== undefined) {
      const width = rowWidth(single.shape);
      const names = sidecar?.inputs ?? Array.from({ length: width }, (_, i) => `f${i}`);
      if (names.length !== width) throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `${file}: the manifest names ${names.length} inputs, the model reads ${width} columns`);
      described = names.map((name) => ({ name, type: 'number' as const }));
    } else {
      for (const input of inputs) if (rowWidth(input.shape) !== 1) unsupported(file, `input "${input.name}" has shape [${input.shape.join(', ')}]; expected one [N, F] matrix or one [N, 1] input per feature`);
      described = inputs.map((m) => ({ name: m.name, type: m.type === 'string' ? 'category' as const : 'number' as const }));
    }
    const outputSpecs = outputs.map((m) => {
      const datatype = OUTPUT_TYPES[m.type] ?? unsupported(file, `output "${m.name}" has type ${m.type}`);
      return { name: m.name, datatype, width: rowWidth(m.shape) };
    });
    const probabilityName = sidecar?.probabilityOutput;
    const probability = probabilityName === undefined
      ? outputSpecs.find((o) => PROBABILITY_OUTPUTS.includes(o.name))
      : outputSpecs.find((o) => o.name === probabilityName)
        ?? throwMismatch(file, `the manifest's probabilityOutput "${probabilityName}" is not an output of the model (${outputSpecs.map((o) => o.name).join(', ')})`);
    // A binary classifier writes one probability per row, or both classes' (skl2onnx, onnxmltools: [N, 2]).
    const task: ModelTask = probability === undefined ? 'regression' : probability.width > 2 ? 'multiclass' : 'binary';
    const name = sidecar?.name ?? basename(file, extname(file));
    const version = sidecar?.version ?? '1';
    const schema = sidecar?.schema === undefined ? runtimeFeatureSchema(name, version, described) : checkedSchema(file, sidecar.schema, described);
    this.encoder = compileRecordEncoder(schema);
    const columns = this.encoder.columns;
    this.columnInputs = single !== undefined ? [] : inputs.map((metadata) => {
      const feature = schema.features.findIndex((f) => f.name === metadata.name);
      return { metadata, column: columns.findIndex((c) => c.feature === feature) };
    });
    this.description = {
      name, version, format: 'onnx', task, schema,
      // The graph computes its own label; the manifest's threshold is what /predict applies to the probability.
      ...(task === 'binary' && sidecar?.threshold !== undefined ? { threshold: sidecar.threshold } : {}),
      ...(sidecar?.referenceProfile === undefined ? {} : { referenceProfile: sidecar.referenceProfile }),
      ...(task === 'binary' ? { positiveProbability: { output: probability!.name, column: probability!.width - 1 } } : {}),
      outputs: outputSpecs,
    };
  }

  static async load(file: string): Promise<OnnxRuntime> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
    } catch (cause) {
      const message = (cause as Error).message;
      const code = /no such file|ENOENT|does not exist/i.test(message) ? 'ARTIFACT_NOT_FOUND' : 'ARTIFACT_CORRUPT';
      throw new ChurnError(code, `${file}: onnxruntime cannot load the model (${message})`);
    }
    try {
      return new OnnxRuntime(session, file, readSidecarManifest(file));
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  async predict({ rows, x, records }: EncodedRows): Promise<RuntimeOutput[]> {
    if (rows === 0) return this.description.outputs.map((o) => ({ ...o, data: new Float64Array(0) }));
    const feeds: Record<string, ort.Tensor> = {};
    if (this.matrixInput !== undefined) {
      feeds[this.matrixInput.name] = numericTensor(this.matrixInput, x, [rows, this.encoder.width]);
    } else {
      const width = this.encoder.width;
      for (const { metadata, column } of this.columnInputs) {
        const dims = metadata.shape.length === 1 ? [rows] : [rows, 1];
        if (metadata.type === 'string') {
          feeds[metadata.name] = new ort.Tensor('string', records.map((r) => String((r as Record<string, unknown>)[metadata.name])), dims);
        } else {
          const values = new Float64Array(rows);
          for (let r = 0; r < rows; r++) values[r] = x[r * width + column]!;
          feeds[metadata.name] = numericTensor(metadata, values, dims);
        }
      }
    }
    const results = await this.session.run(feeds);
    return this.description.outputs.map((o) => {
      const tensor = results[o.name]!;
      const data = tensor.data as ArrayLike<number | bigint | boolean>;
      const out = new Float64Array(data.length);
      for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
      return { ...o, data: out };
    });
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

function numericTensor(input: TensorMetadata, x: Float64Array, dims: number[]): ort.Tensor {
  switch (input.type) {
    case 'float64': return new ort.Tensor('float64', x, dims);
    case 'float32': return new ort.Tensor('float32', Float32Array.from(x), dims);
    // Integer tensors have no missing value: refuse NaN rather than invent a number.
    default: {
      if (x.some((v) => Number.isNaN(v))) throw new ChurnError('INVALID_RECORD', `input "${input.name}" is an integer tensor and cannot take missing values`);
      return input.type === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(x, (v) => BigInt(Math.trunc(v))), dims) : new ort.Tensor('int32', Int32Array.from(x), dims);
    }
  }
}

/** A manifest's schema must name exactly the model's inputs, with the same kinds, or /predict would feed it garbage. */
function checkedSchema(file: string, schema: FeatureSchema, inputs: readonly ModelInput[]): FeatureSchema {
  const mismatch = (problem: string): never => { throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `${file}: the manifest's schema ${problem}`); };
  if (schema.features.length !== inputs.length) mismatch(`has ${schema.features.length} features, the model ${inputs.length} inputs`);
  for (const feature of schema.features) {
    const input = inputs.find((candidate) => candidate.name === feature.name) ?? mismatch(`names "${feature.name}", which the model does not take`);
    if ((feature.kind === 'categorical') !== (input.type === 'category')) mismatch(`makes "${feature.name}" ${feature.kind}, the model input ${input.type === 'category' ? 'a string' : 'a number'}`);
  }
  return schema;
}
