import type { FieldError } from '../errors.js';
import type { LoadedModel } from '../model/artifact-loader.js';
import { Explainer, type Explanation } from './explainer.js';

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

/** Global importance: per-record exact contributions averaged over a data set, largest first. */
export function globalImportance(loaded: LoadedModel, records: readonly unknown[], onProgress?: (done: number) => void): GlobalImportance {
  const explainer = new Explainer(loaded);
  const { encoder, manifest } = loaded;
  const features = manifest.schema.features;
  const x = new Float64Array(encoder.width);
  const perFeature = new Float64Array(features.length);
  const absolute = new Float64Array(features.length);
  const signed = new Float64Array(features.length);
  const invalidExamples: GlobalImportance['invalidExamples'] = [];
  let invalid = 0;
  records.forEach((record, index) => {
    const errors = encoder.encode(record, x, 0);
    if (errors !== undefined) {
      invalid++;
      if (invalidExamples.length < 5) invalidExamples.push({ index, errors });
      return;
    }
    explainer.featureContributions(x, 0, perFeature);
    for (let f = 0; f < features.length; f++) {
      absolute[f]! += Math.abs(perFeature[f]!);
      signed[f]! += perFeature[f]!;
    }
    if (onProgress !== undefined && index % 1000 === 999) onProgress(index + 1);
  });
  const scored = Math.max(1, records.length - invalid);
  return {
    records: records.length,
    invalid,
    invalidExamples,
    baseValue: explainer.baseValue,
    features: features
      .map((f, i) => ({ feature: f.name, meanAbsolute: absolute[i]! / scored, meanSigned: signed[i]! / scored }))
      .sort((a, b) => b.meanAbsolute - a.meanAbsolute),
  };
}

/**
 * Global importance from explained predictions (for runtimes explained through their own contributions, such
 * as XGBoost): entries with an error count as invalid, the others are averaged as above.
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
