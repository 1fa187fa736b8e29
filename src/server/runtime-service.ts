import { performance } from 'node:perf_hooks';
import { ChurnError, isChurnError, type FieldError } from '../errors.js';
import { explanationOf, type Explanation } from '../explain/explainer.js';
import { compileRecordEncoder, type RecordEncoder } from '../features/record-encoder.js';
import type { FeatureSchema } from '../features/schema.js';
import type { PredictOptions } from '../model/predictor.js';
import type { ModelRuntime, RuntimeDescription, RuntimeOutput } from '../model/runtimes/model-runtime.js';
import { runtimeFeatureSchema } from '../model/runtimes/runtime-feature-schema.js';
import {
  syntheticRecord, type BatchOutcome, type BatchResult, type ModelServiceOptions, type PredictionService, type SinglePrediction,
} from './model-service.js';

/** GET /model for a foreign model: what its file and sidecar manifest say. No paths, no configuration. */
export interface RuntimeModelCard {
  name: string;
  version: string;
  format: RuntimeDescription['format'];
  task: RuntimeDescription['task'];
  inputs: RuntimeDescription['inputs'];
  outputs: RuntimeDescription['outputs'];
  /** Binary classifiers only. */
  threshold?: { value: number; modelValue: number; overridden: boolean };
  explains: boolean;
  endpoints: string[];
}

const DEFAULT_THRESHOLD = 0.5;

/** Where /predict reads a binary classifier's positive-class probability: output index and column. */
function probabilityOutput(description: RuntimeDescription): { index: number; column: number } | undefined {
  const positive = description.positiveProbability;
  if (description.task !== 'binary' || positive === undefined) return undefined;
  const index = description.outputs.findIndex((o) => o.name === positive.output);
  return index >= 0 && positive.column < description.outputs[index]!.width ? { index, column: positive.column } : undefined;
}

/** `/3/tenure` → record 3, field path `/tenure`. */
function splitRecordPath(path: string): { index: number; rest: string } | undefined {
  const match = /^\/(\d+)(\/.*)?$/.exec(path);
  return match === null ? undefined : { index: Number(match[1]), rest: match[2] ?? '' };
}

/**
 * The data plane over a foreign model runtime (XGBoost JSON, ONNX): readiness after a warm-up prediction, the
 * model card, and, for binary classifiers, the same /predict and /predict/batch contract as the native model
 * (churnProbability, churn at the threshold, per-record errors in a batch, explanations when the runtime has them).
 */
export class RuntimeService implements PredictionService {
  readonly schema: FeatureSchema;
  readonly card: RuntimeModelCard;
  readonly maxBatchSize: number;
  readonly scoresRecords: boolean;
  readonly threshold: number;
  private readonly probability: { index: number; column: number } | undefined;
  /** With a manifest schema: the native model's checks (ranges, categories, integers) before the runtime sees a record. */
  private readonly validator: { encoder: RecordEncoder; scratch: Float64Array } | undefined;
  private warmed = false;

  constructor(readonly runtime: ModelRuntime, private readonly options: ModelServiceOptions) {
    const d = runtime.description;
    this.schema = runtimeFeatureSchema(d);
    if (d.schema !== undefined) {
      const encoder = compileRecordEncoder(d.schema);
      this.validator = { encoder, scratch: new Float64Array(encoder.width) };
    }
    this.maxBatchSize = options.maxBatchSize;
    this.probability = probabilityOutput(d);
    this.scoresRecords = this.probability !== undefined;
    const modelThreshold = d.threshold ?? DEFAULT_THRESHOLD;
    this.threshold = options.threshold ?? modelThreshold;
    this.card = {
      name: d.name, version: d.version, format: d.format, task: d.task, inputs: d.inputs, outputs: d.outputs,
      ...(this.scoresRecords ? { threshold: { value: this.threshold, modelValue: modelThreshold, overridden: this.threshold !== modelThreshold } } : {}),
      explains: this.scoresRecords && runtime.explain !== undefined,
      endpoints: [...(this.scoresRecords ? ['/predict', '/predict/batch'] : []), `/v2/models/${d.name}/infer`],
    };
  }

  get headline(): string {
    const { card } = this;
    return `model ${card.name} ${card.version} (${card.format}, ${card.task}${card.threshold === undefined ? '' : `; decision threshold ${card.threshold.value}`})`;
  }

  get ready(): boolean {
    return this.warmed;
  }

  /** One prediction through the runtime, so a model that cannot score stops start-up instead of failing requests. */
  async warmUp(): Promise<void> {
    const outputs = await this.runtime.predict([syntheticRecord(this.schema)]);
    if (this.scoresRecords) {
      const p = this.probabilitiesOf(outputs)[0];
      if (!(p !== undefined && p >= 0 && p <= 1)) throw new ChurnError('ARTIFACT_CORRUPT', `warm-up prediction is not a probability (${p})`);
    } else if (outputs.some((o) => o.data.some((v) => Number.isNaN(v)))) {
      throw new ChurnError('ARTIFACT_CORRUPT', 'warm-up prediction is not a number');
    }
    this.warmed = true;
  }

  async predict(record: unknown, options?: PredictOptions): Promise<SinglePrediction> {
    const started = performance.now();
    let scored: { probabilities: Float64Array; explanations: (Explanation | undefined)[] };
    try {
      scored = await this.score([record], options);
    } catch (error) {
      this.options.observer?.scored('single', 1, 0, 1, (performance.now() - started) / 1000);
      // One record: `/0/tenure` is `/tenure` in the request, and `/0` the request itself (``, as JSON Pointer has it).
      if (isChurnError(error) && error.code === 'INVALID_RECORD') {
        const details = error.details.map((e) => ({ ...e, path: splitRecordPath(e.path)?.rest ?? e.path }));
        this.options.drift?.refused(details);
        throw new ChurnError('INVALID_RECORD', error.message, details);
      }
      throw error;
    }
    const churnProbability = scored.probabilities[0]!;
    const churn = churnProbability >= this.threshold;
    this.options.observer?.scored('single', 1, churn ? 1 : 0, 0, (performance.now() - started) / 1000);
    this.options.drift?.observeRecord(record as Record<string, unknown>, churnProbability);
    const customerID = this.customerIdOf(record);
    const result: SinglePrediction = {
      ...(customerID === undefined ? {} : { customerID }),
      churnProbability, churn, threshold: this.threshold, modelVersion: this.card.version,
    };
    const explanation = scored.explanations[0];
    if (explanation !== undefined) result.explanation = explanation;
    return result;
  }

  /** Invalid records get their own error entries; the others are scored in one runtime call. */
  async predictBatch(records: readonly unknown[], pointer = '/records', options?: PredictOptions): Promise<BatchOutcome> {
    if (records.length > this.maxBatchSize) {
      throw new ChurnError('BATCH_TOO_LARGE', `the batch has ${records.length} records; at most ${this.maxBatchSize} are accepted`);
    }
    const started = performance.now();
    const failures = new Map<number, FieldError[]>();
    let valid = records.map((_, i) => i);
    let scored: Awaited<ReturnType<RuntimeService['score']>> | undefined;
    for (let attempt = 0; attempt < 2 && scored === undefined && valid.length > 0; attempt++) {
      try {
        scored = await this.score(valid.map((i) => records[i]), options);
      } catch (error) {
        if (attempt > 0 || !isChurnError(error) || error.code !== 'INVALID_RECORD') throw error;
        // Runtimes validate a whole call at once; the failing records are named by the first path segment.
        for (const detail of error.details) {
          const at = splitRecordPath(detail.path);
          if (at === undefined) throw error;
          const index = valid[at.index]!;
          const list = failures.get(index) ?? [];
          this.options.drift?.refused([{ ...detail, path: at.rest }]);
          list.push({ ...detail, path: `${pointer}/${index}${at.rest}` });
          failures.set(index, list);
        }
        valid = valid.filter((i) => !failures.has(i));
      }
    }
    const results: BatchResult[] = new Array(records.length);
    let churned = 0;
    valid.forEach((index, k) => {
      const churnProbability = scored!.probabilities[k]!;
      const churn = churnProbability >= this.threshold;
      if (churn) churned++;
      this.options.drift?.observeRecord(records[index] as Record<string, unknown>, churnProbability);
      const customerID = this.customerIdOf(records[index]);
      const explanation = scored!.explanations[k];
      results[index] = {
        ...(customerID === undefined ? {} : { customerID }),
        churnProbability, churn,
        ...(explanation === undefined ? {} : { explanation }),
      };
    });
    for (const [index, details] of failures) {
      const customerID = this.customerIdOf(records[index]);
      const error = { code: 'INVALID_RECORD' as const, message: `record ${index} is invalid`, details };
      results[index] = customerID === undefined ? { error } : { customerID, error };
    }
    this.options.observer?.scored('batch', records.length, churned, failures.size, (performance.now() - started) / 1000);
    return { modelVersion: this.card.version, threshold: this.threshold, count: records.length, failed: failures.size, results };
  }

  private async score(records: readonly unknown[], options: PredictOptions | undefined): Promise<{ probabilities: Float64Array; explanations: (Explanation | undefined)[] }> {
    if (!this.scoresRecords) throw new ChurnError('NOT_FOUND', `${this.card.name} is a ${this.card.task} model: use the V2 protocol`);
    if (this.validator !== undefined) {
      const { encoder, scratch } = this.validator;
      let errors: FieldError[] | undefined;
      records.forEach((record, r) => {
        const failed = encoder.encode(record, scratch, 0, `/${r}`);
        if (failed !== undefined) (errors ??= []).push(...failed);
      });
      if (errors !== undefined) throw new ChurnError('INVALID_RECORD', `${errors.length} invalid field(s)`, errors);
    }
    const outputs: RuntimeOutput[] = await this.runtime.predict(records);
    const probabilities = this.probabilitiesOf(outputs);
    if (options?.explain !== true) return { probabilities, explanations: [] };
    if (this.runtime.explain === undefined) {
      throw new ChurnError('BAD_REQUEST', `${this.card.format} models cannot explain their predictions; leave out ?explain`, [
        { path: '/explain', reason: 'type', message: `not available for ${this.card.format} models` },
      ]);
    }
    const { data, width } = await this.runtime.explain(records);
    const names = this.schema.features.map((f) => f.name);
    const explanations = records.map((record, r) => {
      const row = data.subarray(r * width, (r + 1) * width);
      const baseValue = row[width - 1]!;
      let margin = baseValue;
      for (let i = 0; i < width - 1; i++) margin += row[i]!;
      return explanationOf(typeof record === 'object' && record !== null && !Array.isArray(record) ? record as Record<string, unknown> : {}, names, row, baseValue, margin);
    });
    return { probabilities, explanations };
  }

  /** The positive class's probability per record, from its output (one column of it for [N, 2] outputs). */
  private probabilitiesOf(outputs: readonly RuntimeOutput[]): Float64Array {
    const { index, column } = this.probability!;
    const { data, width } = outputs[index]!;
    if (width === 1) return data;
    const rows = data.length / width;
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) out[r] = data[r * width + column]!;
    return out;
  }

  private customerIdOf(record: unknown): string | undefined {
    const id = typeof record === 'object' && record !== null ? (record as Record<string, unknown>)[this.schema.idField] : undefined;
    return typeof id === 'string' ? id : undefined;
  }
}
