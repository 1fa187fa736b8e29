import { performance } from 'node:perf_hooks';
import { ChurnError, type FieldError } from '../errors.js';
import type { FeatureSchema } from '../features/schema.js';
import type { Explanation } from '../explain/explainer.js';
import type { LoadedModel } from '../model/artifact-loader.js';
import { Predictor, type PredictOptions } from '../model/predictor.js';
import type { DriftObserver } from '../monitoring/drift-monitor.js';
import { modelCard, type ModelCard } from './model-card.js';

/** One scored record as the API returns it. */
export interface ScoredRecord {
  customerID?: string;
  churnProbability: number;
  churn: boolean;
  /** With `explain: true`. */
  explanation?: Explanation;
}

export interface SinglePrediction extends ScoredRecord {
  threshold: number;
  modelVersion: string;
}

export interface RecordFailure {
  customerID?: string;
  error: { code: 'INVALID_RECORD'; message: string; details: FieldError[] };
}

export type BatchResult = ScoredRecord | RecordFailure;

export interface BatchOutcome {
  modelVersion: string;
  threshold: number;
  count: number;
  failed: number;
  results: BatchResult[];
}

/** Told about every scoring call (records includes failed ones), so metrics stay out of the data plane. */
export interface InferenceObserver {
  scored(kind: 'single' | 'batch', records: number, churned: number, failed: number, seconds: number): void;
}

/**
 * What the routes need from the data plane, whichever runtime scores: the native artifact (ModelService,
 * synchronous) or a foreign model (RuntimeService, asynchronous because ONNX Runtime is).
 */
export interface PredictionService {
  /** GET /model. */
  readonly card: { readonly name: string; readonly version: string };
  /** One line naming the model for the API documentation. */
  readonly headline: string;
  /** The records /predict takes: drives the OpenAPI document and CSV parsing. */
  readonly schema: FeatureSchema;
  readonly maxBatchSize: number;
  /** True once a warm-up prediction has succeeded. */
  readonly ready: boolean;
  /** Whether /predict and /predict/batch exist (binary classifiers); other models answer V2 only. */
  readonly scoresRecords: boolean;
  predict(record: unknown, options?: PredictOptions): SinglePrediction | Promise<SinglePrediction>;
  predictBatch(records: readonly unknown[], pointer?: string, options?: PredictOptions): BatchOutcome | Promise<BatchOutcome>;
}

export interface ModelServiceOptions {
  threshold?: number | undefined;
  maxBatchSize: number;
  observer?: InferenceObserver;
  /** Told every scored record and every refused one (src/monitoring/drift-monitor.ts); absent without a reference profile. */
  drift?: DriftObserver | undefined;
}

/** A record every schema accepts: numerics at 0 or the bound nearest it, categoricals at their first category. */
export function syntheticRecord(schema: FeatureSchema): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const feature of schema.features) {
    // 0 where the range allows it: schemas of foreign models are unbounded, and an example of -1.8e308 helps no one.
    record[feature.name] = feature.kind === 'numeric' ? Math.min(Math.max(0, feature.minimum), feature.maximum) : feature.categories[0];
  }
  return record;
}

/**
 * The transport-free data plane: one loaded model, its readiness, scoring with limits, and its card.
 * Readiness belongs to the model: it turns true only after a warm-up prediction has succeeded.
 * Knows nothing of HTTP; routes are thin adapters over it.
 */
export class ModelService implements PredictionService {
  readonly predictor: Predictor;
  readonly card: ModelCard;
  readonly maxBatchSize: number;
  readonly scoresRecords = true;
  private warmed = false;
  private readonly observer: InferenceObserver | undefined;
  private readonly drift: DriftObserver | undefined;

  constructor(loaded: LoadedModel, options: ModelServiceOptions) {
    this.drift = options.drift;
    this.predictor = new Predictor(loaded, options.threshold === undefined ? {} : { threshold: options.threshold });
    this.card = modelCard(loaded.manifest, this.predictor.threshold);
    this.maxBatchSize = options.maxBatchSize;
    this.observer = options.observer;
  }

  get schema(): FeatureSchema {
    return this.predictor.manifest.schema;
  }

  get headline(): string {
    const { card } = this;
    return `model ${card.name} ${card.version} (${card.algorithm}; feature schema ${card.featureSchema.name} v${card.featureSchema.version}; `
      + `decision threshold ${card.threshold.value})`;
  }

  get ready(): boolean {
    return this.warmed;
  }

  /**
   * Runs one prediction so the first real request does not pay for JIT and lazy initialisation, and
   * checks the model answers a probability. Throws when it does not (the server must not report ready).
   */
  warmUp(): void {
    const { churnProbability } = this.predictor.predictOne(syntheticRecord(this.schema));
    if (!(churnProbability >= 0 && churnProbability <= 1)) {
      throw new ChurnError('ARTIFACT_CORRUPT', `warm-up prediction is not a probability (${churnProbability})`);
    }
    this.warmed = true;
  }

  /** Scores one record; an invalid one throws INVALID_RECORD with every failing field (paths like `/tenure`). */
  predict(record: unknown, options?: PredictOptions): SinglePrediction {
    const started = performance.now();
    const { predictor } = this;
    let scored;
    try {
      scored = predictor.predictOne(record, options);
    } catch (error) {
      this.observer?.scored('single', 1, 0, 1, (performance.now() - started) / 1000);
      if (error instanceof ChurnError) this.drift?.refused(error.details);
      throw error;
    }
    this.observer?.scored('single', 1, scored.churn ? 1 : 0, 0, (performance.now() - started) / 1000);
    this.drift?.observeRecord(record as Record<string, unknown>, scored.churnProbability);
    const { churnProbability, churn } = scored;
    const threshold = predictor.threshold;
    const modelVersion = predictor.modelVersion;
    const result: SinglePrediction = scored.customerID === undefined
      ? { churnProbability, churn, threshold, modelVersion }
      : { customerID: scored.customerID, churnProbability, churn, threshold, modelVersion };
    if (scored.explanation !== undefined) result.explanation = scored.explanation;
    return result;
  }

  /**
   * Scores records in order; a bad record gets its own error entry (paths prefixed with
   * `<pointer>/<index>`) and does not fail the others. More than maxBatchSize records is BATCH_TOO_LARGE.
   */
  predictBatch(records: readonly unknown[], pointer = '/records', options?: PredictOptions): BatchOutcome {
    if (records.length > this.maxBatchSize) {
      throw new ChurnError('BATCH_TOO_LARGE', `the batch has ${records.length} records; at most ${this.maxBatchSize} are accepted`);
    }
    const started = performance.now();
    const { results: entries, failed } = this.predictor.predictBatch(records, options);
    const results: BatchResult[] = new Array(entries.length);
    let churned = 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry.ok) {
        if (entry.churn) churned++;
        this.drift?.observeRecord(records[i] as Record<string, unknown>, entry.churnProbability);
        const result: ScoredRecord = entry.customerID === undefined
          ? { churnProbability: entry.churnProbability, churn: entry.churn }
          : { customerID: entry.customerID, churnProbability: entry.churnProbability, churn: entry.churn };
        if (entry.explanation !== undefined) result.explanation = entry.explanation;
        results[i] = result;
      } else {
        this.drift?.refused(entry.errors);
        const prefix = `${pointer}/${i}`;
        const error = {
          code: 'INVALID_RECORD' as const,
          message: `record ${i} is invalid`,
          details: entry.errors.map((e) => ({ ...e, path: prefix + e.path })),
        };
        results[i] = entry.customerID === undefined ? { error } : { customerID: entry.customerID, error };
      }
    }
    this.observer?.scored('batch', records.length, churned, failed, (performance.now() - started) / 1000);
    const { threshold, modelVersion } = this.predictor;
    return { modelVersion, threshold, count: records.length, failed, results };
  }
}
