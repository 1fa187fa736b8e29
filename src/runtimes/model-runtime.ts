import type { RecordEncoder } from '../features/record-encoder.js';
import type { FeatureSchema } from '../features/schema.js';
import type { ReferenceProfile } from '../model/reference-profile.js';

/**
 * The one interface every model runtime implements: the project's own artifact, XGBoost, LightGBM, ONNX. The serving
 * core (src/serving) validates and encodes records with the runtime's encoder, then asks the runtime to score
 * or explain the encoded rows; it knows nothing of a format beyond this file. A shared contract test
 * (test/runtimes/runtime-contract.ts) holds every implementation to it.
 */

export type ModelFormat = 'native' | 'xgboost-json' | 'xgboost-ubjson' | 'lightgbm-text' | 'onnx';
export type ModelTask = 'binary' | 'multiclass' | 'regression';
export type OutputDatatype = 'FP64' | 'INT64' | 'BOOL';

/** A named output with one row per record: shape [rows] (width 1) or [rows, width]. */
export interface OutputSpec {
  readonly name: string;
  readonly datatype: OutputDatatype;
  /** Values per record (1 for a scalar output). */
  readonly width: number;
}

export interface RuntimeOutput extends OutputSpec {
  /** Row-major values; BOOL outputs hold 0 and 1, INT64 outputs integers. */
  readonly data: Float64Array;
}

export interface ModelDescription {
  readonly name: string;
  readonly version: string;
  readonly format: ModelFormat;
  readonly task: ModelTask;
  /**
   * The records the model takes. It validates requests (with field paths), encodes them for the runtime, and
   * drives CSV parsing and the OpenAPI document. Foreign models without one get it derived from their inputs.
   */
  readonly schema: FeatureSchema;
  /** Every output predict() returns, in order. */
  readonly outputs: readonly OutputSpec[];
  /** Binary classifiers: the output, and the column of it, holding the positive class's probability. */
  readonly positiveProbability?: { readonly output: string; readonly column: number };
  /** Binary classifiers: the model's own decision threshold (its manifest's); 0.5 when it has none. */
  readonly threshold?: number;
  /**
   * How the inputs and scores were distributed on the training data, which drift monitoring compares live
   * traffic with: the native artifact's (format version 2), a foreign model's sidecar manifest's
   * (`churn-predictor profile`); absent otherwise, and the model is served without drift monitoring.
   */
  readonly referenceProfile?: ReferenceProfile;
  /** More facts for the model card (the native artifact's algorithm, metrics and training data). */
  readonly card?: Readonly<Record<string, unknown>>;
  /**
   * Models loaded from an MLflow model folder: what MLflow's pyfunc does with them, so the MLflow scoring protocol
   * (POST /invocations) answers and refuses as `mlflow models serve` of the same model would.
   */
  readonly pyfunc?: PyfuncBehaviour;
}

/** How MLflow's python_function flavour scores a model. */
export interface PyfuncBehaviour {
  /** The MLflow flavour the model was logged with (xgboost, onnx, lightgbm). */
  readonly flavor: string;
  /** Classifiers of scikit-learn's API (XGBClassifier, LGBMClassifier): their predict() answers class labels, not probabilities. */
  readonly predictsLabels: boolean;
  /** Columns the signature requires: MLflow refuses a request whose data lacks one (even if every value may be missing). */
  readonly requiredColumns: readonly string[];
}

/**
 * Validated records, encoded row-major by the runtime's encoder: `x` holds `rows * encoder.width` values
 * (missing numerics are NaN). `records` are the same records as parsed, for runtimes that read fields the
 * encoding does not carry (an ONNX graph's string inputs).
 */
export interface EncodedRows {
  readonly rows: number;
  readonly x: Float64Array;
  readonly records: readonly unknown[];
}

/** Exact contributions to the margin: per record, one value per schema feature (schema order), then the base value. */
export interface Contributions {
  /** features + 1. */
  readonly width: number;
  readonly data: Float64Array;
}

export interface ModelRuntime {
  readonly description: ModelDescription;
  /** Compiled from description.schema once; validation and encoding in one pass. */
  readonly encoder: RecordEncoder;
  /** Scores validated rows: in-process evaluators answer synchronously, ONNX Runtime asynchronously. */
  predict(rows: EncodedRows): RuntimeOutput[] | Promise<RuntimeOutput[]>;
  /**
   * In-process binary classifiers: the positive class's probability of the row encoded at x[offset..]. The
   * one-record path uses it to score without allocating.
   */
  probability?(x: Float64Array, offset: number): number;
  /** Exact contributions (TreeSHAP, linear SHAP); absent for runtimes that cannot explain (ONNX, multi-class). */
  explain?(rows: EncodedRows): Contributions | Promise<Contributions>;
  /** Releases native resources (ONNX sessions); a no-op for in-process evaluators. */
  close(): Promise<void>;
}
