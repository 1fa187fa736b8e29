import type { FeatureSchema } from '../../features/schema.js';
import type { ReferenceProfile } from '../reference-profile.js';

/**
 * The one interface every model runtime (native artifact, XGBoost JSON, ONNX) implements, so the server,
 * the V2 protocol and the shared contract test treat them alike. Records in, named output tensors out.
 */

/** One model input: a numeric column, or a categorical one taking one of `categories`. */
export interface RuntimeInput {
  readonly name: string;
  readonly type: 'number' | 'category';
  readonly categories?: readonly string[];
}

export type RuntimeDatatype = 'FP64' | 'INT64' | 'BOOL';

/** A named output with one row per record: shape [rows] or [rows, width]. */
export interface RuntimeOutput {
  readonly name: string;
  readonly datatype: RuntimeDatatype;
  /** Values per record (1 for a scalar output). */
  readonly width: number;
  /** Row-major values; BOOL outputs hold 0 and 1. */
  readonly data: Float64Array;
}

export interface RuntimeDescription {
  readonly name: string;
  readonly version: string;
  readonly format: 'native' | 'xgboost-json' | 'onnx';
  readonly task: 'binary' | 'multiclass' | 'regression';
  readonly inputs: readonly RuntimeInput[];
  /** The feature schema of the records the model takes, when its manifest gives one (validation by range and category). */
  readonly schema?: FeatureSchema;
  /** Binary classifiers: the probability at or above which the label is the positive class (absent: 0.5). */
  readonly threshold?: number;
  /** Binary classifiers: the output, and the column of it, that holds the positive class's probability. */
  readonly positiveProbability?: { readonly output: string; readonly column: number };
  /** The distributions drift is measured against (`churn-predictor profile`), when the model has them. */
  readonly referenceProfile?: ReferenceProfile;
  /** Every output predict() returns, in order, with its datatype and width. */
  readonly outputs: readonly Omit<RuntimeOutput, 'data'>[];
}

export interface ModelRuntime {
  readonly description: RuntimeDescription;
  /**
   * Scores records (objects keyed by input name; null or absent = missing where the model allows it).
   * Throws ChurnError INVALID_RECORD listing the failing fields (paths `/<index>/<field>`) when any record is invalid.
   */
  predict(records: readonly unknown[]): Promise<RuntimeOutput[]>;
  /**
   * Exact per-input contributions to the margin (TreeSHAP, or linear SHAP): output `contributions` with one row
   * of inputs.length + 1 values per record, the base value last (XGBoost's `pred_contribs` layout). Absent
   * for runtimes that cannot explain (ONNX) and models with several outputs.
   */
  explain?(records: readonly unknown[]): Promise<RuntimeOutput>;
  /** Releases native resources (ONNX sessions); a no-op for in-process evaluators. */
  close(): Promise<void>;
}
