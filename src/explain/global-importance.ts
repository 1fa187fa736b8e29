import type { FieldError } from '../errors.js';
import type { Explanation } from './explainer.js';

export interface FeatureImportance {
  feature: string;
  /** Mean absolute contribution (log-odds) over the scored records. */
  meanAbsolute: number;
  /** Mean signed contribution: which way the feature pushes on average. */
  meanSigned: number;
}

export interface GlobalImportance {
  records: number;
  invalid: number;
  /** First few invalid records with their row index (0-based) and errors. */
  invalidExamples: { index: number; errors: FieldError[] }[];
  baseValue: number;
  features: FeatureImportance[];
}

/**
 * Global importance: the exact contributions of explained predictions (a batch scored with explanations, from
 * any runtime that explains) averaged per feature, largest mean |contribution| first. Entries with an error
 * count as invalid.
 */
export function importanceOfExplained(results: readonly ({ explanation?: Explanation } | { error: { details: FieldError[] } })[]): GlobalImportance {
  const absolute = new Map<string, number>();
  const signed = new Map<string, number>();
  const invalidExamples: GlobalImportance['invalidExamples'] = [];
  let invalid = 0;
  let baseValue = 0;
  results.forEach((result, index) => {
    if ('error' in result) {
      invalid++;
      if (invalidExamples.length < 5) invalidExamples.push({ index, errors: result.error.details });
      return;
    }
    const { explanation } = result;
    if (explanation === undefined) return;
    baseValue = explanation.baseValue;
    for (const { feature, contribution } of explanation.contributions) {
      absolute.set(feature, (absolute.get(feature) ?? 0) + Math.abs(contribution));
      signed.set(feature, (signed.get(feature) ?? 0) + contribution);
    }
  });
  const scored = Math.max(1, results.length - invalid);
  return {
    records: results.length,
    invalid,
    invalidExamples,
    baseValue,
    features: [...absolute.keys()]
      .map((feature) => ({ feature, meanAbsolute: absolute.get(feature)! / scored, meanSigned: signed.get(feature)! / scored }))
      .sort((a, b) => b.meanAbsolute - a.meanAbsolute),
  };
}
