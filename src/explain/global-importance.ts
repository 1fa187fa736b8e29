import type { FieldError } from '../errors.js';
import type { LoadedModel } from '../model/artifact-loader.js';
import { Explainer } from './explainer.js';

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
