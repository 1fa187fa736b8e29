import type { FieldError } from '../errors.js';
import type { Explanation } from '../explain/explainer.js';

/** What a caller may ask of a prediction. */
export interface PredictOptions {
  /** Add each feature's exact contribution and the top reasons. */
  explain?: boolean;
  /**
   * False for the server's own calls, which are not traffic (the console's sample customers): neither counted
   * for drift nor payload-logged. Default true.
   */
  monitored?: boolean;
}

/** One scored record as every protocol's answer is built from it. */
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

/** A record of a batch that failed validation: its own entry, with field paths into the request. */
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
