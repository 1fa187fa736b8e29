import { ChurnError, type FieldError } from '../errors.js';
import { Explainer, type Explanation } from '../explain/explainer.js';
import type { LoadedModel } from './artifact-loader.js';
import type { ModelManifest } from './artifact-manifest.js';
import { links } from './link.js';
import { marginFunction, type MarginFunction } from './scorer.js';

export interface Prediction {
  customerID?: string;
  churnProbability: number;
  churn: boolean;
  /** Present when asked for (`{ explain: true }`). */
  explanation?: Explanation;
}

export interface PredictOptions {
  /** Add per-feature contributions and reasons to each prediction (TreeSHAP / linear SHAP). */
  explain?: boolean;
}

export type BatchEntry =
  | ({ ok: true } & Prediction)
  | { ok: false; customerID?: string; errors: FieldError[] };

export interface BatchPrediction {
  results: BatchEntry[];
  failed: number;
}

export interface PredictorOptions {
  /** Overrides the model's decision threshold (e.g. DECISION_THRESHOLD at serve time). */
  threshold?: number;
}

/**
 * The transport-free data plane: validate, encode and score records with one loaded model.
 * Field paths in errors are relative to the record (`/tenure`); transports add their own prefix.
 */
export class Predictor {
  readonly manifest: ModelManifest;
  readonly threshold: number;
  private readonly margin: MarginFunction;
  private readonly link: (margin: number) => number;
  private readonly scratch: Float64Array;
  private explainer: Explainer | undefined;

  constructor(private readonly loaded: LoadedModel, options: PredictorOptions = {}) {
    const threshold = options.threshold ?? loaded.manifest.threshold.value;
    if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`threshold must be within [0, 1], got ${threshold}`);
    this.manifest = loaded.manifest;
    this.threshold = threshold;
    this.margin = marginFunction(loaded.model);
    this.link = links[loaded.manifest.link];
    this.scratch = new Float64Array(loaded.encoder.width);
  }

  get modelName(): string {
    return this.manifest.name;
  }

  get modelVersion(): string {
    return this.manifest.version;
  }

  /** Scores one record; an invalid record throws INVALID_RECORD with every failing field. */
  predictOne(record: unknown, options?: PredictOptions): Prediction {
    const { encoder } = this.loaded;
    const errors = encoder.encode(record, this.scratch, 0);
    if (errors !== undefined) throw new ChurnError('INVALID_RECORD', 'the record is invalid', errors);
    const result = this.result(encoder.idOf(record), this.link(this.margin(this.scratch, 0)));
    if (options?.explain === true) result.explanation = this.explain(record, this.scratch);
    return result;
  }

  /** The model's explainer, built on first use (TreeSHAP precomputes expected values per tree). */
  getExplainer(): Explainer {
    this.explainer ??= new Explainer(this.loaded);
    return this.explainer;
  }

  private explain(record: unknown, x: Float64Array): Explanation {
    return this.getExplainer().explainEncoded(record as Record<string, unknown>, x, 0);
  }

  /** Scores many records; a bad record gets its own error entry and does not fail the others. */
  predictBatch(records: readonly unknown[], options?: PredictOptions): BatchPrediction {
    const explain = options?.explain === true;
    const { encoder } = this.loaded;
    const x = this.scratch;
    const threshold = this.threshold;
    const results: BatchEntry[] = new Array(records.length);
    let failed = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const id = encoder.idOf(record);
      const errors = encoder.encode(record, x, 0);
      if (errors !== undefined) {
        failed++;
        results[i] = id === undefined ? { ok: false, errors } : { ok: false, customerID: id, errors };
      } else {
        const churnProbability = this.link(this.margin(x, 0));
        const churn = churnProbability >= threshold;
        const entry: BatchEntry = id === undefined ? { ok: true, churnProbability, churn } : { ok: true, customerID: id, churnProbability, churn };
        if (explain) entry.explanation = this.explain(record, x);
        results[i] = entry;
      }
    }
    return { results, failed };
  }

  private result(customerID: string | undefined, churnProbability: number): Prediction {
    const churn = churnProbability >= this.threshold;
    return customerID === undefined ? { churnProbability, churn } : { customerID, churnProbability, churn };
  }
}
