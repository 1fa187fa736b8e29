import type { EvaluationReport } from '../evaluation/metrics.js';
import type { FeatureSchema } from '../features/schema.js';
import type { LinkName } from './link.js';

/** The model artifact is a directory: `manifest.json` (this) plus the payload file it names. See docs/model-artifact.md. */
export const ARTIFACT_FORMAT = 'churn-predictor.model';
export const ARTIFACT_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const PAYLOAD_FILE = 'model.json';

export type Algorithm = 'gbdt' | 'logreg';

export interface ModelManifest {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: number;
  name: string;
  version: string;
  /** The only field allowed to differ between two trainings with the same data, code and seed. */
  createdAt: string;
  algorithm: Algorithm;
  hyperParameters: Record<string, number>;
  schema: FeatureSchema;
  /** Names of the encoded vector's columns, in order (derivable from the schema; stored to detect drift). */
  encoding: { columns: string[] };
  link: LinkName;
  threshold: { value: number; method: string };
  metrics: {
    test: EvaluationReport;
    validation: { rocAuc: number; logLoss: number };
  };
  training: {
    data: { file: string; sha256: string; rows: number; positives: number; missing: Record<string, number> };
    split: { method: string; seed: number; trainRows: number; validationRows: number; testRows: number };
    /** Boosting rounds kept and run (GBDT) or Newton iterations (logreg). */
    iterations: { kept: number; run: number };
  };
  payload: { file: string; sha256: string; bytes: number };
}

/** The payload as stored: the compact model with typed arrays written as JSON arrays. */
export type SerializedTreeEnsemble = {
  kind: 'tree-ensemble';
  columns: number;
  baseMargin: number;
  roots: number[];
  feature: number[];
  threshold: number[];
  defaultLeft: number[];
  left: number[];
  right: number[];
  value: number[];
  cover: number[];
};

export type SerializedLinearModel = {
  kind: 'linear';
  columns: number;
  intercept: number;
  weights: number[];
  center: number[];
  scale: number[];
  missingWeights: number[];
  means: number[];
  missingRates: number[];
};

export type SerializedModel = SerializedTreeEnsemble | SerializedLinearModel;
