import * as z from 'zod/mini';
import type { EvaluationReport } from '../evaluation/metrics.js';
import { featureSchemaShape, type FeatureSchema } from '../features/schema.js';
import { links, type LinkName } from './link.js';
import { referenceProfileShape, type ReferenceProfile } from './reference-profile.js';

/** The model artifact is a directory: `manifest.json` (this) plus the payload file it names. See docs/model-artifact.md. */
export const ARTIFACT_FORMAT = 'churn-predictor.model';
/** Version 2 adds the reference profile (drift monitoring); version 1 artifacts still load, without one. */
export const ARTIFACT_FORMAT_VERSION = 2;
export const SUPPORTED_FORMAT_VERSIONS: readonly number[] = [1, 2];
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
  /** Format version 2: the training slice's distributions, the reference of drift monitoring. Absent in version 1. */
  referenceProfile?: ReferenceProfile;
  payload: { file: string; sha256: string; bytes: number };
}

/*
 * The one schema of manifest.json: every field any code reads, checked once at load (artifact-loader.ts), so
 * nothing downstream meets a missing or malformed field. Annotated with ModelManifest: the compiler keeps the
 * type and the schema in step. Unknown fields are dropped (a newer writer may add some; see the docs).
 */
const count = z.int().check(z.nonnegative());
const probability = z.number().check(z.gte(0), z.lte(1));
/** Ratios that are undefined on degenerate data are written as numbers by the metrics code (0), never null. */
const metric = z.number();

const thresholdMetrics = z.object({
  threshold: probability,
  truePositives: count,
  falsePositives: count,
  trueNegatives: count,
  falseNegatives: count,
  accuracy: metric,
  precision: metric,
  recall: metric,
  f1: metric,
});

const calibrationBin = z.object({
  lower: z.number(),
  upper: z.number(),
  count,
  meanPredicted: z.nullable(z.number()),
  observedRate: z.nullable(z.number()),
});

const evaluationReport = z.object({
  examples: count,
  positives: count,
  rocAuc: metric,
  prAuc: metric,
  logLoss: metric,
  brierScore: metric,
  atThreshold: thresholdMetrics,
  calibration: z.array(calibrationBin),
});

const commonFields = {
  format: z.literal(ARTIFACT_FORMAT),
  name: z.string().check(z.minLength(1)),
  version: z.string().check(z.minLength(1)),
  createdAt: z.string(),
  algorithm: z.enum(['gbdt', 'logreg']),
  hyperParameters: z.record(z.string(), z.number()),
  schema: featureSchemaShape,
  encoding: z.object({ columns: z.array(z.string()) }),
  link: z.enum(Object.keys(links) as [LinkName, ...LinkName[]]),
  threshold: z.object({ value: probability, method: z.string() }),
  metrics: z.object({
    test: evaluationReport,
    validation: z.object({ rocAuc: metric, logLoss: metric }),
  }),
  training: z.object({
    data: z.object({ file: z.string(), sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits')), rows: count, positives: count, missing: z.record(z.string(), count) }),
    split: z.object({ method: z.string(), seed: z.int(), trainRows: count, validationRows: count, testRows: count }),
    iterations: z.object({ kept: count, run: count }),
  }),
  payload: z.object({
    // A plain name: the payload must sit in the artifact directory, never be reached through a path.
    file: z.string().check(z.regex(/^(?!\.\.?$)[^\\/]+$/, 'must be a plain file name in the artifact directory')),
    sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits')),
    bytes: count,
  }),
};

/** The manifest of each supported format version: version 2 carries the reference profile, version 1 none. */
export const manifestShapes: Readonly<Record<number, z.ZodMiniType<ModelManifest>>> = {
  1: z.object({ ...commonFields, formatVersion: z.literal(1) }),
  2: z.object({ ...commonFields, formatVersion: z.literal(2), referenceProfile: referenceProfileShape }),
};

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
