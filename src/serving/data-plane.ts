import { performance } from 'node:perf_hooks';
import { ChurnError, type FieldError } from '../errors.js';
import { explanationOf, type Explanation } from '../explain/explainer.js';
import type { RecordEncoder } from '../features/record-encoder.js';
import type { FeatureSchema } from '../features/schema.js';
import type { BinnedRows, DriftMonitor } from '../monitoring/drift-monitor.js';
import type { PayloadLogger } from '../payload-log/payload-logger.js';
import type { Contributions, EncodedRows, ModelRuntime, OutputSpec, RuntimeOutput } from '../runtimes/model-runtime.js';
import { batchFieldsOf, batchMatrices, type BatchFields, type DecodedBatch, type EncodedBatch } from './codecs/batch-rows.js';
import { decodeCsvBatch } from './codecs/csv-batch.js';
import { decodeCsvRows } from './codecs/csv-batch-decoder.js';
import { decodeJsonBatch } from './codecs/json-batch-decoder.js';
import { parseJsonBody, recordsOfJsonBatch } from './codecs/json-records.js';
import { then, whenSettled, type MaybePromise } from './maybe-promise.js';
import { ServingMetrics, type StageSeries } from './metrics/serving-metrics.js';
import { modelCard, type ModelCard, type ServedThreshold } from './model-card.js';
import { captured, loggedOutputs } from './payload-capture.js';
import type { BatchOutcome, BatchResult, PredictOptions, ScoredRecord, SinglePrediction } from './predictions.js';
import type { Protocol } from './protocol.js';
import type { ModelProvenance } from '../sources/model-provenance.js';
import { syntheticRecord } from './synthetic-record.js';

export interface DataPlaneOptions {
  /** DECISION_THRESHOLD: overrides the model's own threshold for binary classifiers. */
  threshold?: number | undefined;
  /** Most records one call may hold (MAX_BATCH_SIZE), for every protocol. */
  maxBatchSize: number;
  /** Where stage timings and outcomes are counted; a private registry when absent (the CLI). */
  metrics?: ServingMetrics;
  /** Where the model came from, for the card (GET /model) and the labels of churn_model_info. */
  provenance?: ModelProvenance | undefined;
  /**
   * Drift monitoring of this model (a server's planes, when the model has a reference profile): every record a
   * protocol sends is counted, scored ones into the window, refused ones by field and reason.
   */
  drift?: DriftMonitor | undefined;
  /** Payload logging (a server's planes, when PAYLOAD_LOG is set): a sample of the calls of every protocol. */
  payloadLog?: PayloadLogger | undefined;
}

/** What a tensor protocol (V2 REST, gRPC) asks for beyond the records. */
export interface InferOptions {
  /** Output names to return; all when absent. `contributions` asks for explanations. */
  outputs?: readonly string[];
  /** Add the contributions output even when `outputs` does not name it. */
  explain?: boolean;
}

/** A tensor protocol's answer: the outputs in order, each [rows] or [rows, width]. */
export interface InferResult {
  rows: number;
  outputs: RuntimeOutput[];
  /** Column names of the contributions output, when present: each input, then `base_value`. */
  contributionColumns?: string[];
}

/** The name of the explanations output of tensor protocols. */
export const CONTRIBUTIONS_OUTPUT = 'contributions';
const DEFAULT_THRESHOLD = 0.5;
const now = (): number => performance.now();
const seconds = (from: number, to: number): number => (to - from) / 1000;

/** A batch validated and encoded, with its valid rows binned for drift monitoring before scoring (the runtime contract does not promise to leave rows as they were). */
interface MonitoredBatch extends EncodedBatch {
  binned: BinnedRows | undefined;
}

/** Rows encoded as drift monitoring counts them, with their scores: what a reference profile is built from. */
export interface ReferenceScores {
  /** The valid records' rows, as encoded before scoring. */
  rows: number;
  x: Float64Array;
  scores: Float64Array;
  /** Records the schema refused (left out). */
  refused: number;
}

/** The monitored score of a multi-class model is its top class's probability. */
const TOP_CLASS = -1;

/**
 * The data plane: decode → validate and encode → score → explain → answer, for one record, a batch, CSV and
 * tensors, over any model runtime, with no transport in it. REST, V2 (REST and gRPC), the MLflow scoring
 * protocol and the CLI all call it, so a record scores and fails the same way whichever way it came.
 *
 * In-process runtimes answer synchronously: the one-record path then allocates no promise and no matrix
 * (the hot path of a server at tens of thousands of requests per second). Asynchronous runtimes (ONNX
 * Runtime) get a promise. Readiness belongs to the model: true once a warm-up prediction has succeeded.
 */
export class DataPlane {
  readonly card: ModelCard;
  readonly schema: FeatureSchema;
  /** The decision threshold /predict applies (binary classifiers; 0.5 otherwise, unused). */
  readonly threshold: number;
  /** Whether the model answers a churn probability: /predict, CSV batches and the CLI's predict need one. */
  readonly scoresRecords: boolean;
  readonly explains: boolean;
  /** The outputs tensor protocols answer: the runtime's, plus `label` at the served threshold for binary models that lack one. */
  readonly outputs: readonly OutputSpec[];
  readonly maxBatchSize: number;
  /** Counts this model's traffic against its reference profile; undefined without one (and for the CLI). */
  readonly drift: DriftMonitor | undefined;
  private readonly payloadLog: PayloadLogger | undefined;
  private readonly identity: { name: string; version: string };
  /** Where each row's monitored score is read: output index and column (TOP_CLASS: the row's largest value). */
  private readonly monitoredScore: { index: number; column: number } | undefined;
  private readonly encoder: RecordEncoder;
  /** What the one-pass batch decoders read; undefined for a schema they leave to the reference path. */
  private readonly batchFields: BatchFields | undefined;
  /** The one-pass decoders' matrices, kept from batch to batch. */
  private readonly matrices = batchMatrices();
  private readonly scratch: Float64Array;
  private readonly positive: { index: number; column: number } | undefined;
  private readonly addsLabel: boolean;
  private readonly stages: Readonly<Record<Protocol, StageSeries>>;
  private readonly metrics: ServingMetrics;
  private readonly featureNames: string[];
  private warmed = false;
  private pending = 0;
  private readonly idle: (() => void)[] = [];

  constructor(readonly runtime: ModelRuntime, options: DataPlaneOptions) {
    const d = runtime.description;
    this.schema = d.schema;
    this.encoder = runtime.encoder;
    this.batchFields = batchFieldsOf(this.encoder);
    this.scratch = new Float64Array(this.encoder.width);
    this.maxBatchSize = options.maxBatchSize;
    this.metrics = options.metrics ?? new ServingMetrics();
    this.stages = this.metrics.stagesFor(d.name);
    this.featureNames = d.schema.features.map((f) => f.name);
    this.positive = positiveColumn(runtime);
    this.monitoredScore = this.positive ?? firstScoreColumn(runtime);
    if (options.drift !== undefined && this.monitoredScore === undefined) {
      throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `${d.name} has a reference profile but no FP64 output to monitor as its score`);
    }
    this.drift = options.drift;
    this.payloadLog = options.payloadLog;
    this.identity = { name: d.name, version: d.version };
    this.scoresRecords = this.positive !== undefined;
    this.explains = runtime.explain !== undefined;
    const modelThreshold = d.threshold ?? DEFAULT_THRESHOLD;
    this.threshold = options.threshold ?? modelThreshold;
    if (!(this.threshold >= 0 && this.threshold <= 1)) throw new RangeError(`threshold must be within [0, 1], got ${this.threshold}`);
    this.addsLabel = this.scoresRecords && !d.outputs.some((o) => o.name === 'label');
    this.outputs = this.addsLabel ? [...d.outputs, { name: 'label', datatype: 'BOOL', width: 1 }] : d.outputs;
    const served: ServedThreshold | undefined = this.scoresRecords
      ? {
        value: this.threshold,
        modelValue: modelThreshold,
        method: this.threshold !== modelThreshold ? 'set by DECISION_THRESHOLD' : String(d.card?.['thresholdMethod'] ?? (d.threshold === undefined ? 'default' : 'model manifest')),
        overridden: this.threshold !== modelThreshold,
      }
      : undefined;
    this.card = modelCard(d, { threshold: served, outputs: this.outputs, explains: this.explains, provenance: options.provenance });
  }

  get name(): string {
    return this.card.name;
  }

  get version(): string {
    return this.card.version;
  }

  /** True once a warm-up prediction has succeeded. */
  get ready(): boolean {
    return this.warmed;
  }

  /**
   * Scores one synthetic record so the first real request does not pay for JIT and lazy initialisation, and
   * checks the answer: a model that cannot score, or answers no probability, must not report ready.
   */
  warmUp(): MaybePromise<void> {
    const record = syntheticRecord(this.schema);
    const x = new Float64Array(this.encoder.width);
    const errors = this.encoder.encode(record, x, 0);
    if (errors !== undefined) throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `the model's schema rejects its own warm-up record: ${errors[0]!.message}`);
    return then(this.runtime.predict({ rows: 1, x, records: [record] }), (outputs) => {
      if (this.scoresRecords) {
        const p = this.probabilities(outputs, 1)[0];
        if (!(p !== undefined && p >= 0 && p <= 1)) throw new ChurnError('ARTIFACT_CORRUPT', `warm-up prediction is not a probability (${p})`);
      } else if (outputs.some((o) => o.data.some((v) => Number.isNaN(v)))) {
        throw new ChurnError('ARTIFACT_CORRUPT', 'warm-up prediction is not a number');
      }
      this.warmed = true;
    });
  }

  /**
   * Scores one record; an invalid one throws INVALID_RECORD with every failing field (paths like `/tenure`).
   * `requestId` (the transport's) names the call in the payload log.
   */
  predict(record: unknown, options: PredictOptions, protocol: Protocol, requestId?: string): MaybePromise<SinglePrediction> {
    const log = this.payloadLog;
    if (log === undefined || options.monitored === false || !log.sampled()) return this.predictOne(record, options, protocol);
    const request = options.explain === true ? { records: [record], explain: true } : { records: [record] };
    return captured(log, { requestId, protocol, operation: 'predict', model: this.identity, request }, () => this.predictOne(record, options, protocol), (answer) => answer);
  }

  private predictOne(record: unknown, options: PredictOptions, protocol: Protocol): MaybePromise<SinglePrediction> {
    this.requireProbability();
    const stage = this.stages[protocol];
    const started = now();
    const errors = this.encoder.encode(record, this.scratch, 0);
    const explain = options.explain === true;
    const { runtime } = this;
    const drift = options.monitored === false ? undefined : this.drift;
    const hot = runtime.probability !== undefined && !explain;
    // Drift bins the row before it is scored (timed with validation and encoding, whose row it reads).
    if (hot && errors === undefined) drift?.bin(this.scratch, 0);
    const encoded = now();
    stage.validate_encode.observe(seconds(started, encoded));
    if (errors !== undefined) {
      this.metrics.invalidRecords.value++;
      drift?.refused(errors);
      throw new ChurnError('INVALID_RECORD', 'the record is invalid', errors);
    }
    if (hot) {
      // The hot path: no promise, no matrix, no output arrays.
      const p = runtime.probability!(this.scratch, 0);
      stage.score.observe(seconds(encoded, now()));
      drift?.count(p);
      return this.single(record, p);
    }
    const rows: EncodedRows = { rows: 1, x: this.scratch.slice(), records: [record] };
    const binned = drift?.binRows(rows.x, 1, this.encoder.width);
    return this.tracked(then(this.scoreRows(rows, binned, drift, explain, stage), ({ probabilities, explanations }) => this.single(record, probabilities[0]!, explanations?.[0])));
  }

  /**
   * Scores records in order; a bad record gets its own error entry (paths prefixed with `<pointer>/<index>`)
   * and does not fail the others. More than maxBatchSize records is BATCH_TOO_LARGE.
   */
  predictBatch(records: readonly unknown[], options: PredictOptions & { pointer?: string }, protocol: Protocol, requestId?: string): MaybePromise<BatchOutcome> {
    const log = this.payloadLog;
    if (log === undefined || options.monitored === false || !log.sampled()) return this.predictMany(records, options, protocol);
    const request = options.explain === true ? { records, explain: true } : { records };
    return captured(log, { requestId, protocol, operation: 'predict_batch', model: this.identity, request }, () => this.predictMany(records, options, protocol), (answer) => answer);
  }

  private predictMany(records: readonly unknown[], options: PredictOptions & { pointer?: string }, protocol: Protocol): MaybePromise<BatchOutcome> {
    this.requireProbability();
    this.checkBatchSize(records.length);
    const stage = this.stages[protocol];
    const drift = options.monitored === false ? undefined : this.drift;
    return this.answerBatch(this.encodeBatch(records, stage, drift), options.explain === true, options.pointer ?? '/records', stage, drift);
  }

  /**
   * predictBatch for a JSON body `{"records": [...]}` as its UTF-8 bytes, answered exactly as JSON.parse of its text,
   * `recordsOfJsonBatch` and predictBatch answer it (MALFORMED_JSON, INVALID_BODY, BATCH_TOO_LARGE, the same
   * per-record errors, the same drift counts and payload-log entries), but decoded, validated and encoded in one
   * pass over the bytes (observed as the decode stage) when it is the plain case.
   */
  predictJsonBatch(bytes: Buffer, options: PredictOptions, protocol: Protocol, requestId?: string): MaybePromise<BatchOutcome> {
    const stage = this.stages[protocol];
    const started = now();
    const batch = this.batchFields === undefined || !this.scoresRecords ? undefined : decodeJsonBatch(bytes, this.encoder, this.batchFields, this.maxBatchSize, this.matrices);
    const records = (): readonly unknown[] => {
      const body = parseJsonBody(bytes.toString('utf8'));
      stage.decode.observe(seconds(started, now()));
      return recordsOfJsonBatch(body);
    };
    return this.predictDecoded(batch, records, options, '/records', protocol, requestId, started);
  }

  /**
   * predictBatch for a CSV body (the data file's format; errors point into `/rows`) as its UTF-8 bytes, answered
   * exactly as decodeCsv of its text + predictBatch answer it, but decoded, validated and encoded in one pass
   * (observed as the decode stage) when it is the plain case.
   */
  predictCsvBatch(bytes: Buffer, options: PredictOptions, protocol: Protocol, requestId?: string): MaybePromise<BatchOutcome> {
    const started = now();
    const batch = this.batchFields === undefined || !this.scoresRecords ? undefined : decodeCsvRows(bytes, this.encoder, this.batchFields, this.maxBatchSize, this.matrices);
    return this.predictDecoded(batch, () => this.decodeCsv(bytes.toString('utf8'), protocol), options, '/rows', protocol, requestId, started);
  }

  /**
   * A batch the one-pass decoder took is answered from its rows; one it left (undefined), or one the payload log
   * samples (its entry holds the records as parsed), goes through predictBatch with `records()`, the reference decoding.
   */
  private predictDecoded(
    batch: DecodedBatch | undefined, records: () => readonly unknown[], options: PredictOptions, pointer: string, protocol: Protocol, requestId: string | undefined, started: number,
  ): MaybePromise<BatchOutcome> {
    if (batch === undefined) return this.predictBatch(records(), { ...options, pointer }, protocol, requestId);
    const log = this.payloadLog;
    if (log !== undefined && options.monitored !== false && log.sampled()) {
      // Decoded again the reference way, and observed once, with both decodings in it.
      batch.release();
      const parsed = records();
      const request = options.explain === true ? { records: parsed, explain: true } : { records: parsed };
      return captured(log, { requestId, protocol, operation: 'predict_batch', model: this.identity, request }, () => this.predictMany(parsed, { ...options, pointer }, protocol), (answer) => answer);
    }
    const stage = this.stages[protocol];
    stage.decode.observe(seconds(started, now()));
    this.metrics.invalidRecords.value += batch.failures.size;
    const drift = options.monitored === false ? undefined : this.drift;
    if (drift !== undefined) for (const errors of batch.failures.values()) drift.refused(errors);
    const { rows } = batch;
    const binned = drift === undefined || rows.rows === 0 ? undefined : drift.binRows(rows.x, rows.rows, this.encoder.width);
    // The matrix is read until the answer is settled (by an asynchronous runtime, or an explanation), and not after.
    const answer = this.answerBatch({ ...batch, binned }, options.explain === true, pointer, stage, drift);
    whenSettled(answer, batch.release);
    return answer;
  }

  /** Scores a batch's valid rows and answers every record in order: its prediction, or its errors (paths `<pointer>/<index>/...`). */
  private answerBatch(batch: MonitoredBatch, explain: boolean, pointer: string, stage: StageSeries, drift: DriftMonitor | undefined): MaybePromise<BatchOutcome> {
    this.metrics.batchSize.observe(batch.count);
    const done = (probabilities: Float64Array, explanations: Explanation[] | undefined): BatchOutcome => {
      const { indices, ids } = batch;
      const results: BatchResult[] = new Array(batch.count);
      const threshold = this.threshold;
      let churned = 0;
      for (let k = 0; k < indices.length; k++) {
        const index = indices[k]!;
        const churnProbability = probabilities[k]!;
        const churn = churnProbability >= threshold;
        if (churn) churned++;
        const id = ids[index];
        const result: ScoredRecord = id === undefined ? { churnProbability, churn } : { customerID: id, churnProbability, churn };
        const explanation = explanations?.[k];
        if (explanation !== undefined) result.explanation = explanation;
        results[index] = result;
      }
      for (const [index, errors] of batch.failures) {
        const id = ids[index];
        const error = {
          code: 'INVALID_RECORD' as const,
          message: `record ${index} is invalid`,
          details: errors.map((e) => ({ ...e, path: `${pointer}/${index}${e.path}` })),
        };
        results[index] = id === undefined ? { error } : { customerID: id, error };
      }
      this.countOutcomes(churned, indices.length - churned);
      return { modelVersion: this.version, threshold, count: batch.count, failed: batch.failures.size, results };
    };
    if (batch.rows.rows === 0) return done(new Float64Array(0), undefined);
    return this.tracked(then(this.scoreRows(batch.rows, batch.binned, drift, explain, stage), ({ probabilities, explanations }) => done(probabilities, explanations)));
  }

  /**
   * The records of a CSV body (the data file's format), for predictBatch with pointer `/rows`. A header
   * lacking required feature columns fails as a whole (INVALID_BODY, one detail per column).
   */
  decodeCsv(text: string, protocol: Protocol): readonly Record<string, unknown>[] {
    const started = now();
    const records = decodeCsvBatch(text, this.schema);
    this.stages[protocol].decode.observe(seconds(started, now()));
    return records;
  }

  /**
   * Tensor protocols: scores every record and answers the model's outputs (all, or those named). Any invalid
   * record fails the call (INVALID_RECORD, paths `/<row>/<field>`): a tensor has no room for a per-row error.
   */
  infer(records: readonly unknown[], options: InferOptions, protocol: Protocol, requestId?: string): MaybePromise<InferResult> {
    const log = this.payloadLog;
    if (log === undefined || !log.sampled()) return this.inferMany(records, options, protocol);
    const request = { records, ...(options.outputs === undefined ? {} : { outputs: options.outputs }), ...(options.explain === true ? { explain: true } : {}) };
    return captured(log, { requestId, protocol, operation: 'infer', model: this.identity, request }, () => this.inferMany(records, options, protocol), (result) => this.loggedResult(result));
  }

  /** A tensor answer as the payload log keeps it. */
  private loggedResult(result: InferResult): Record<string, unknown> {
    return {
      modelVersion: this.version,
      outputs: loggedOutputs(result.rows, result.outputs),
      ...(result.contributionColumns === undefined ? {} : { contributionColumns: result.contributionColumns }),
    };
  }

  private inferMany(records: readonly unknown[], options: InferOptions, protocol: Protocol): MaybePromise<InferResult> {
    this.checkBatchSize(records.length);
    const explain = this.checkOutputs(options);
    const stage = this.stages[protocol];
    const batch = this.encodeBatch(records, stage, this.drift);
    if (batch.failures.size > 0) {
      const details = [...batch.failures].flatMap(([index, errors]) => errors.map((e) => ({ ...e, path: `/${index}${e.path}` })));
      throw new ChurnError('INVALID_RECORD', `${batch.failures.size} of ${records.length} record(s) are invalid`, details);
    }
    return this.scoreTensors(batch.rows, batch.binned, options.outputs, explain, stage);
  }

  /** Whether `inferMatrix` takes this model's rows: every input is numeric (one column each). */
  get takesMatrix(): boolean {
    return this.encoder.encodeMatrix !== undefined;
  }

  /**
   * Tensor protocols, for models whose inputs are all numeric: scores a row-major [rows, inputs] matrix (NaN or
   * null for missing) exactly as `infer` scores the same rows as records, validated and encoded straight from the
   * matrix, without a record per row (a 1,000-row FP32 batch spends most of its decoding building records
   * otherwise). Invalid values fail the call with INVALID_RECORD, paths `/<row>/<input>` as `infer` gives them.
   */
  inferMatrix(values: ArrayLike<number | null>, rows: number, options: InferOptions, protocol: Protocol, requestId?: string): MaybePromise<InferResult> {
    const log = this.payloadLog;
    if (log === undefined || !log.sampled()) return this.inferRows(values, rows, options, protocol);
    // Only a sampled call pays for records: the log describes every call alike, as records in.
    const width = this.featureNames.length;
    const records = Array.from({ length: Math.min(rows, Math.floor(values.length / width)) }, (_, r) => Object.fromEntries(this.featureNames.map((name, c) => [name, values[r * width + c] ?? null])));
    const request = { records, ...(options.outputs === undefined ? {} : { outputs: options.outputs }), ...(options.explain === true ? { explain: true } : {}) };
    return captured(log, { requestId, protocol, operation: 'infer', model: this.identity, request }, () => this.inferRows(values, rows, options, protocol), (result) => this.loggedResult(result));
  }

  private inferRows(values: ArrayLike<number | null>, rows: number, options: InferOptions, protocol: Protocol): MaybePromise<InferResult> {
    const encodeMatrix = this.encoder.encodeMatrix;
    if (encodeMatrix === undefined) throw new Error('inferMatrix takes models whose inputs are all numeric (see takesMatrix)');
    this.checkBatchSize(rows);
    const explain = this.checkOutputs(options);
    const stage = this.stages[protocol];
    const started = now();
    const width = this.encoder.width;
    const x = new Float64Array(rows * width);
    const errors = encodeMatrix(values, rows, x);
    stage.validate_encode.observe(seconds(started, now()));
    if (errors !== undefined) {
      const failed = new Set(errors.map((e) => e.path.split('/')[1])).size;
      this.metrics.invalidRecords.value += failed;
      // Drift counts refusals by field: the path without its row.
      this.drift?.refused(errors.map((e) => ({ ...e, path: e.path.slice(e.path.indexOf('/', 1)) })));
      throw new ChurnError('INVALID_RECORD', `${failed} of ${rows} record(s) are invalid`, errors);
    }
    const binned = this.drift?.binRows(x, rows, width);
    const names = this.featureNames;
    let records: Record<string, number>[] | undefined;
    // Records only for a runtime that reads them (an all-numeric model's runtime reads x): built on first read.
    const encoded: EncodedRows = {
      rows,
      x,
      get records() {
        records ??= Array.from({ length: rows }, (_, r) => Object.fromEntries(names.map((name, c) => [name, x[r * width + c]!])));
        return records;
      },
    };
    return this.scoreTensors(encoded, binned, options.outputs, explain, stage);
  }

  /** The requested outputs exist (INVALID_BODY otherwise) and explanations can be given; whether they are asked. */
  private checkOutputs(options: InferOptions): boolean {
    const wanted = options.outputs;
    for (const name of wanted ?? []) {
      if (!this.outputs.some((o) => o.name === name) && !(this.explains && name === CONTRIBUTIONS_OUTPUT)) {
        throw new ChurnError('INVALID_BODY', `unknown output "${name}"; the model's outputs are ${[...this.outputs.map((o) => o.name), ...(this.explains ? [CONTRIBUTIONS_OUTPUT] : [])].join(', ')}`);
      }
    }
    const explain = options.explain === true || (wanted?.includes(CONTRIBUTIONS_OUTPUT) ?? false);
    if (explain && !this.explains) throw new ChurnError('BAD_REQUEST', `this ${this.card.format} ${this.card.task} model cannot explain its predictions`);
    return explain;
  }

  /** Scores encoded rows for a tensor protocol: the outputs asked for (all by default), contributions when asked; binned rows are counted for drift. */
  private scoreTensors(rows: EncodedRows, binned: BinnedRows | undefined, wanted: readonly string[] | undefined, explain: boolean, stage: StageSeries): MaybePromise<InferResult> {
    this.metrics.batchSize.observe(rows.rows);
    const started = now();
    return this.tracked(then(this.runtime.predict(rows), (raw) => {
      const outputs = this.addsLabel ? [...raw, this.labels(this.probabilities(raw, rows.rows))] : raw;
      const scored = now();
      stage.score.observe(seconds(started, scored));
      if (binned !== undefined) this.drift?.countRows(binned, this.monitoredScores(raw, rows.rows));
      const chosen = wanted === undefined ? outputs : outputs.filter((o) => wanted.includes(o.name));
      if (!explain) return { rows: rows.rows, outputs: chosen };
      return then(this.runtime.explain!(rows), (contributions) => {
        stage.explain.observe(seconds(scored, now()));
        const output: RuntimeOutput = { name: CONTRIBUTIONS_OUTPUT, datatype: 'FP64', width: contributions.width, data: contributions.data };
        return { rows: rows.rows, outputs: [...chosen, output], contributionColumns: [...this.featureNames, 'base_value'] };
      });
    }));
  }

  /**
   * Resolves once no call is still waiting on the runtime: after a swap, the old runtime is closed only then.
   * In-process runtimes answer within the call, so only asynchronous ones (ONNX) are ever waited for.
   */
  whenIdle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => { this.idle.push(resolve); });
  }

  /** Counts an asynchronous answer as pending on the runtime until it settles; a synchronous one passes as it is. */
  private tracked<T>(answer: MaybePromise<T>): MaybePromise<T> {
    if (!(answer instanceof Promise)) return answer;
    this.pending++;
    return answer.finally(() => {
      if (--this.pending === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  /**
   * Scores records as drift monitoring counts them, for a reference profile (`churn-predictor profile`): the valid
   * ones, with their rows as encoded before scoring and their monitored scores; refused ones are left out.
   */
  referenceScores(records: readonly unknown[]): MaybePromise<ReferenceScores> {
    if (this.monitoredScore === undefined) throw new ChurnError('BAD_REQUEST', `${this.card.name} has no FP64 output to profile as its score`);
    const batch = this.encodeBatch(records, this.stages.cli, undefined);
    const { rows } = batch.rows;
    // The runtime contract does not promise to leave rows as they were: the profile takes the values as received.
    const x = batch.rows.x.slice();
    if (rows === 0) return { rows, x, scores: new Float64Array(0), refused: batch.failures.size };
    return then(this.runtime.predict(batch.rows), (outputs) => ({ rows, x, scores: this.monitoredScores(outputs, rows), refused: batch.failures.size }));
  }

  /** Transports report the stages they run themselves: decoding a request body and encoding the answer. */
  observeStage(protocol: Protocol, stage: 'decode' | 'encode', secondsTaken: number): void {
    this.stages[protocol][stage].observe(secondsTaken);
  }

  private requireProbability(): void {
    if (!this.scoresRecords) {
      throw new ChurnError('NOT_FOUND', `${this.card.name} is a ${this.card.task} model, not a binary classifier: use the V2 protocol (/v2/models/${this.card.name}/infer)`);
    }
  }

  private checkBatchSize(count: number): void {
    if (count > this.maxBatchSize) throw new ChurnError('BATCH_TOO_LARGE', `the batch has ${count} records; at most ${this.maxBatchSize} are accepted`);
  }

  /** Validates and encodes records; `drift` (when monitored) counts the refused ones and bins the valid rows. */
  private encodeBatch(records: readonly unknown[], stage: StageSeries, drift: DriftMonitor | undefined): MonitoredBatch {
    const started = now();
    const width = this.encoder.width;
    const x = new Float64Array(records.length * width);
    const indices: number[] = [];
    const valid: unknown[] = [];
    const ids: (string | undefined)[] = new Array(records.length);
    const failures = new Map<number, FieldError[]>();
    for (let i = 0; i < records.length; i++) {
      const errors = this.encoder.encode(records[i], x, indices.length * width);
      ids[i] = this.encoder.idOf(records[i]);
      if (errors === undefined) {
        indices.push(i);
        valid.push(records[i]);
      } else {
        failures.set(i, errors);
      }
    }
    this.metrics.invalidRecords.value += failures.size;
    if (drift !== undefined) for (const errors of failures.values()) drift.refused(errors);
    const rows = indices.length;
    const packed = rows === records.length ? x : x.subarray(0, rows * width);
    const binned = drift === undefined || rows === 0 ? undefined : drift.binRows(packed, rows, width);
    stage.validate_encode.observe(seconds(started, now()));
    return { count: records.length, rows: { rows, x: packed, records: valid }, indices, ids, failures, binned };
  }

  /** Probabilities (and explanations when asked) of encoded rows, through the runtime; binned rows are counted for drift. */
  private scoreRows(
    rows: EncodedRows, binned: BinnedRows | undefined, drift: DriftMonitor | undefined, explain: boolean, stage: StageSeries,
  ): MaybePromise<{ probabilities: Float64Array; explanations?: Explanation[] }> {
    const started = now();
    return then(this.runtime.predict(rows), (outputs) => {
      const probabilities = this.probabilities(outputs, rows.rows);
      const scored = now();
      stage.score.observe(seconds(started, scored));
      if (binned !== undefined) drift?.countRows(binned, probabilities);
      if (!explain) return { probabilities };
      if (this.runtime.explain === undefined) {
        throw new ChurnError('BAD_REQUEST', `${this.card.format} models cannot explain their predictions; leave out ?explain`, [
          { path: '/explain', reason: 'type', message: `not available for ${this.card.format} models` },
        ]);
      }
      return then(this.runtime.explain(rows), (contributions) => {
        const explanations = this.explanations(rows, contributions);
        stage.explain.observe(seconds(scored, now()));
        return { probabilities, explanations };
      });
    });
  }

  private explanations(rows: EncodedRows, { width, data }: Contributions): Explanation[] {
    const explanations: Explanation[] = new Array(rows.rows);
    for (let r = 0; r < rows.rows; r++) {
      const row = data.subarray(r * width, (r + 1) * width);
      const baseValue = row[width - 1]!;
      let margin = baseValue;
      for (let i = 0; i < width - 1; i++) margin += row[i]!;
      explanations[r] = explanationOf(rows.records[r] as Record<string, unknown>, this.featureNames, row, baseValue, margin);
    }
    return explanations;
  }

  /** The positive class's probability per row, from its output (one column of it for [N, 2] outputs). */
  private probabilities(outputs: readonly RuntimeOutput[], rows: number): Float64Array {
    return columnOf(this.positive!, outputs, rows);
  }

  /** Each row's monitored score: the positive class's probability, the top class's, or the regression's prediction. */
  private monitoredScores(outputs: readonly RuntimeOutput[], rows: number): Float64Array {
    return columnOf(this.monitoredScore!, outputs, rows);
  }

  private labels(probabilities: Float64Array): RuntimeOutput {
    const data = new Float64Array(probabilities.length);
    for (let r = 0; r < probabilities.length; r++) data[r] = probabilities[r]! >= this.threshold ? 1 : 0;
    return { name: 'label', datatype: 'BOOL', width: 1, data };
  }

  private single(record: unknown, churnProbability: number, explanation?: Explanation): SinglePrediction {
    const churn = churnProbability >= this.threshold;
    if (churn) this.metrics.outcomes.churn.value++;
    else this.metrics.outcomes.noChurn.value++;
    const id = this.encoder.idOf(record);
    const { threshold, version: modelVersion } = this;
    const result: SinglePrediction = id === undefined
      ? { churnProbability, churn, threshold, modelVersion }
      : { customerID: id, churnProbability, churn, threshold, modelVersion };
    if (explanation !== undefined) result.explanation = explanation;
    return result;
  }

  private countOutcomes(churned: number, notChurned: number): void {
    this.metrics.outcomes.churn.value += churned;
    this.metrics.outcomes.noChurn.value += notChurned;
  }
}

/** One value per row of an output: a column of it, or the row's largest value (TOP_CLASS). */
function columnOf({ index, column }: { index: number; column: number }, outputs: readonly RuntimeOutput[], rows: number): Float64Array {
  const { data, width } = outputs[index]!;
  if (width === 1) return data;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    if (column !== TOP_CLASS) {
      out[r] = data[r * width + column]!;
      continue;
    }
    let top = -Infinity;
    for (let c = 0; c < width; c++) top = Math.max(top, data[r * width + c]!);
    out[r] = top;
  }
  return out;
}

/**
 * What drift monitoring takes as the score of a model that is not a binary classifier: its first FP64 output —
 * a regression's prediction, or a multi-class classifier's probabilities, of which the top class's (the model's
 * confidence) is taken. Undefined when the model has no such output.
 */
function firstScoreColumn(runtime: ModelRuntime): { index: number; column: number } | undefined {
  const outputs = runtime.description.outputs;
  const index = outputs.findIndex((o) => o.datatype === 'FP64');
  return index < 0 ? undefined : { index, column: outputs[index]!.width === 1 ? 0 : TOP_CLASS };
}

/** Where a binary classifier's positive-class probability is: output index and column; undefined otherwise. */
function positiveColumn(runtime: ModelRuntime): { index: number; column: number } | undefined {
  const d = runtime.description;
  const positive = d.positiveProbability;
  if (d.task !== 'binary' || positive === undefined) return undefined;
  const index = d.outputs.findIndex((o) => o.name === positive.output);
  return index >= 0 && positive.column < d.outputs[index]!.width ? { index, column: positive.column } : undefined;
}
