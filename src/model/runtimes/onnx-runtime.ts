import ort from 'onnxruntime-node';
import { basename, extname } from 'node:path';
import { ChurnError, type FieldError } from '../../errors.js';
import type { FeatureSchema } from '../../features/schema.js';
import type { ModelRuntime, RuntimeDatatype, RuntimeDescription, RuntimeInput, RuntimeOutput } from './model-runtime.js';
import { numericMatrix } from './numeric-records.js';
import { readSidecarManifest } from './sidecar-manifest.js';

type Metadata = ort.InferenceSession.ValueMetadata;
type TensorMetadata = Extract<Metadata, { isTensor: true }>;

const NUMERIC = new Set(['float32', 'float64', 'int32', 'int64']);
const OUTPUT_TYPES: Record<string, RuntimeDatatype> = { float32: 'FP64', float64: 'FP64', int32: 'INT64', int64: 'INT64', bool: 'BOOL' };

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
 * An ONNX model through onnxruntime-node. Two input layouts: one input per feature ([N] or [N, 1]; string
 * tensors are categoricals, as `churn-predictor export` writes), or a single numeric [N, F] matrix whose
 * column names come from the sidecar manifest (f0… otherwise). Every tensor output is returned as is.
 */
export class OnnxRuntime implements ModelRuntime {
  readonly description: RuntimeDescription;
  private readonly matrixInput: TensorMetadata | undefined;
  private readonly columnInputs: readonly TensorMetadata[];

  private constructor(private readonly session: ort.InferenceSession, file: string, sidecar: ReturnType<typeof readSidecarManifest>) {
    const inputs = session.inputMetadata.map((m) => tensorMetadata(file, m));
    const outputs = session.outputMetadata.map((m) => tensorMetadata(file, m));
    for (const input of inputs) if (input.type !== 'string' && !NUMERIC.has(input.type)) unsupported(file, `input "${input.name}" has type ${input.type}`);
    const single = inputs.length === 1 && inputs[0]!.type !== 'string' && rowWidth(inputs[0]!.shape) > 1 ? inputs[0] : undefined;
    this.matrixInput = single;
    this.columnInputs = single === undefined ? inputs : [];
    let described: RuntimeInput[];
    if (single !== undefined) {
      const width = rowWidth(single.shape);
      const names = sidecar?.inputs ?? Array.from({ length: width }, (_, i) => `f${i}`);
      if (names.length !== width) throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `${file}: the manifest names ${names.length} inputs, the model reads ${width} columns`);
      described = names.map((name) => ({ name, type: 'number' as const }));
    } else {
      for (const input of inputs) if (rowWidth(input.shape) !== 1) unsupported(file, `input "${input.name}" has shape [${input.shape.join(', ')}]; expected one [N, F] matrix or one [N, 1] input per feature`);
      const features = new Map(sidecar?.schema?.features.map((f) => [f.name, f]));
      described = inputs.map((m) => {
        if (m.type !== 'string') return { name: m.name, type: 'number' as const };
        const feature = features.get(m.name);
        return feature?.kind === 'categorical' ? { name: m.name, type: 'category' as const, categories: feature.categories } : { name: m.name, type: 'category' as const };
      });
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
    const task = probability === undefined ? 'regression' : probability.width > 2 ? 'multiclass' : 'binary';
    this.description = {
      name: sidecar?.name ?? basename(file, extname(file)),
      version: sidecar?.version ?? '1',
      format: 'onnx',
      task,
      ...(sidecar?.schema === undefined ? {} : { schema: checkedSchema(file, sidecar.schema, described) }),
      // The graph computes its own label; the manifest's threshold is what /predict applies to the probability.
      ...(task === 'binary' && sidecar?.threshold !== undefined ? { threshold: sidecar.threshold } : {}),
      ...(sidecar?.referenceProfile === undefined ? {} : { referenceProfile: sidecar.referenceProfile }),
      ...(task === 'binary' ? { positiveProbability: { output: probability!.name, column: probability!.width - 1 } } : {}),
      inputs: described,
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

  async predict(records: readonly unknown[]): Promise<RuntimeOutput[]> {
    const rows = records.length;
    if (rows === 0) return this.description.outputs.map((o) => ({ ...o, data: new Float64Array(0) }));
    const feeds: Record<string, ort.Tensor> = {};
    if (this.matrixInput !== undefined) {
      const x = numericMatrix(records, this.description.inputs.map((i) => i.name));
      const width = this.description.inputs.length;
      feeds[this.matrixInput.name] = this.numericTensor(this.matrixInput, x, [rows, width]);
    } else {
      Object.assign(feeds, this.columnFeeds(records));
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

  private columnFeeds(records: readonly unknown[]): Record<string, ort.Tensor> {
    const rows = records.length;
    let errors: FieldError[] | undefined;
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of this.columnInputs) {
      const isString = input.type === 'string';
      const strings: string[] = [];
      const numbers = new Float64Array(isString ? 0 : rows);
      for (let r = 0; r < rows; r++) {
        const record = records[r];
        if (typeof record !== 'object' || record === null || Array.isArray(record)) {
          if (input === this.columnInputs[0]) (errors ??= []).push({ path: `/${r}`, reason: 'not_object', message: 'a record must be an object' });
          continue;
        }
        const v = (record as Record<string, unknown>)[input.name];
        const path = `/${r}/${input.name}`;
        if (isString) {
          if (typeof v === 'string') strings.push(v);
          else (errors ??= []).push({ path, reason: v === undefined || v === null ? 'required' : 'type', message: 'must be a string' });
        } else if (v === null || v === undefined) {
          numbers[r] = NaN;
        } else if (typeof v !== 'number' || !Number.isFinite(v)) {
          (errors ??= []).push({ path, reason: typeof v === 'number' ? 'not_finite' : 'type', message: 'must be a finite number (null for missing)' });
        } else {
          numbers[r] = v;
        }
      }
      if (errors === undefined) {
        const dims = input.shape.length === 1 ? [rows] : [rows, 1];
        feeds[input.name] = isString ? new ort.Tensor('string', strings, dims) : this.numericTensor(input, numbers, dims);
      }
    }
    if (errors !== undefined) throw new ChurnError('INVALID_RECORD', `${errors.length} invalid field(s)`, errors);
    return feeds;
  }

  private numericTensor(input: TensorMetadata, x: Float64Array, dims: number[]): ort.Tensor {
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

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** A manifest's schema must name exactly the model's inputs, with the same kinds, or /predict would feed it garbage. */
function checkedSchema(file: string, schema: FeatureSchema, inputs: readonly RuntimeInput[]): FeatureSchema {
  const mismatch = (problem: string): never => { throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `${file}: the manifest's schema ${problem}`); };
  if (schema.features.length !== inputs.length) mismatch(`has ${schema.features.length} features, the model ${inputs.length} inputs`);
  for (const feature of schema.features) {
    const input = inputs.find((candidate) => candidate.name === feature.name) ?? mismatch(`names "${feature.name}", which the model does not take`);
    if ((feature.kind === 'categorical') !== (input.type === 'category')) mismatch(`makes "${feature.name}" ${feature.kind}, the model input ${input.type === 'category' ? 'a string' : 'a number'}`);
  }
  return schema;
}
