import type { FeatureSchema } from '../features/schema.js';
import type { LoadedModel } from '../model/artifact-loader.js';
import { linearContributions, linearExpectedMargin } from './linear-contributions.js';
import type { Explanation } from './explanation.js';
import { treeShapFor } from './tree-shap-choice.js';

export type { Explanation, FeatureContribution } from './explanation.js';

/** Contributions smaller than this (in log-odds) are not worth a sentence. */
const REASON_MINIMUM = 0.01;
const REASON_COUNT = 3;

/**
 * Per-record explanations for any loaded model: exact TreeSHAP for tree ensembles, exact linear SHAP for
 * logistic regression, with one-hot columns summed back to their input feature.
 */
export class Explainer {
  readonly baseValue: number;
  private readonly columnPhi: Float64Array;
  private readonly featureOfColumn: Int32Array;
  private readonly schema: FeatureSchema;
  private readonly contributionsOf: (x: Float64Array, offset: number, phi: Float64Array) => number;

  constructor(loaded: LoadedModel) {
    const { model, encoder } = loaded;
    this.schema = encoder.schema;
    this.columnPhi = new Float64Array(encoder.width);
    this.featureOfColumn = Int32Array.from(encoder.columns, (c) => c.feature);
    if (model.kind === 'tree-ensemble') {
      const shap = treeShapFor(model);
      this.baseValue = shap.expectedMargin;
      this.contributionsOf = (x, offset, phi) => shap.explain(x, offset, phi);
    } else {
      this.baseValue = linearExpectedMargin(model);
      this.contributionsOf = (x, offset, phi) => linearContributions(model, x, offset, phi);
    }
  }

  /** Per-feature contributions (schema order) of an encoded record, written to `out`; returns the margin. */
  featureContributions(x: Float64Array, offset: number, out: Float64Array): number {
    const phi = this.columnPhi;
    phi.fill(0);
    const margin = this.contributionsOf(x, offset, phi);
    out.fill(0);
    for (let c = 0; c < phi.length; c++) out[this.featureOfColumn[c]!]! += phi[c]!;
    return margin;
  }

  /** Explains a record already validated and encoded at x[offset..]. */
  explainEncoded(record: Record<string, unknown>, x: Float64Array, offset: number): Explanation {
    const perFeature = new Float64Array(this.schema.features.length);
    const margin = this.featureContributions(x, offset, perFeature);
    return explanationOf(record, this.schema.features.map((f) => f.name), perFeature, this.baseValue, margin);
  }
}

/**
 * An Explanation from per-input contributions (in `names` order): sorted by magnitude, with the record's values
 * and the top reasons as phrases. Shared by the native explainer and the runtimes that explain (XGBoost).
 */
export function explanationOf(record: Record<string, unknown>, names: readonly string[], perFeature: ArrayLike<number>, baseValue: number, margin: number): Explanation {
  const contributions = names.map((name, i) => {
    const value = record[name];
    return {
      feature: name,
      value: typeof value === 'string' || typeof value === 'number' ? value : null,
      contribution: perFeature[i]!,
    };
  });
  contributions.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  const reasons = contributions
    .filter((c) => Math.abs(c.contribution) >= REASON_MINIMUM)
    .slice(0, REASON_COUNT)
    .map((c) => `${c.feature} = ${c.value ?? 'missing'} ${c.contribution > 0 ? 'raises' : 'lowers'} churn risk`);
  return { baseValue, margin, contributions, reasons };
}
