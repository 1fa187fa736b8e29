/**
 * What an explained prediction carries: plain data, with no imports, so the console (in the browser) reads the
 * API's answers with the very types the server writes them with.
 */

export interface FeatureContribution {
  feature: string;
  /** The record's value for the feature (null when missing). */
  value: string | number | null;
  /** Contribution to the margin (log-odds); positive raises churn risk. */
  contribution: number;
}

export interface Explanation {
  /** Expected margin (log-odds) over the training data: where every explanation starts. */
  baseValue: number;
  /** The model's margin for this record: baseValue + the sum of contributions. */
  margin: number;
  /** One entry per input feature, largest magnitude first. */
  contributions: FeatureContribution[];
  /** The top reasons as short phrases, e.g. "Contract = Month-to-month raises churn risk". */
  reasons: string[];
}
