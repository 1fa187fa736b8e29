import { basename } from 'node:path';
import { evaluate, f1OptimalThreshold, logLoss, rocAuc } from '../evaluation/metrics.js';
import { compileRecordEncoder } from '../features/record-encoder.js';
import type { FeatureSchema } from '../features/schema.js';
import { telcoChurnSchema } from '../features/telco-schema.js';
import { ARTIFACT_FORMAT, ARTIFACT_FORMAT_VERSION, type Algorithm, type ModelManifest } from '../model/artifact-manifest.js';
import { writeModelArtifact } from '../model/artifact-writer.js';
import { links } from '../model/link.js';
import { linearMargin } from '../model/linear-model.js';
import { buildReferenceProfile } from '../monitoring/reference-profile-builder.js';
import type { CompactModel } from '../model/scorer.js';
import { selectRows, type LabelledMatrix } from './dataset-matrix.js';
import { defaultGbdtParams, trainGbdt, type GbdtParams, type RoundReport } from './gbdt/gbdt-trainer.js';
import { defaultLogregParams, trainLogisticRegression, type LogregParams } from './logistic-regression-trainer.js';
import { TEST_FRACTION, trainValidTestSplit, VALIDATION_FRACTION } from './split.js';
import { loadTrainingData, type TrainingData } from './training-data.js';

export interface TrainOptions {
  data: string;
  algorithm: Algorithm;
  seed: number;
  /** Where to write the artifact; omit to keep the model in memory only. */
  out?: string;
  name?: string;
  version?: string;
  schema?: FeatureSchema;
  gbdt?: Partial<GbdtParams>;
  logreg?: Partial<LogregParams>;
  onRound?: (report: RoundReport) => void;
  /** Fixed creation time (tests); defaults to now. */
  createdAt?: string;
}

export interface TrainOutcome {
  manifest: ModelManifest;
  model: CompactModel;
  data: TrainingData;
  /** Row indices of the test split, and the trainer's own probabilities for them. */
  testRows: Uint32Array;
  testProbabilities: Float64Array;
  trainingSeconds: number;
}

const sigmoid = links.sigmoid;

interface Fitted {
  model: CompactModel;
  hyperParameters: Record<string, number>;
  iterations: { kept: number; run: number };
  /** Margins computed by the trainer's own code path (not the saved artifact's evaluator). */
  margins(m: LabelledMatrix): Float64Array;
}

function fit(options: TrainOptions, train: LabelledMatrix, validation: LabelledMatrix, columns: ReturnType<typeof compileRecordEncoder>['columns']): Fitted {
  if (options.algorithm === 'gbdt') {
    const params = { ...defaultGbdtParams, ...options.gbdt };
    const result = trainGbdt(train, validation, params, options.seed, options.onRound);
    return {
      model: result.ensemble,
      hyperParameters: { ...params },
      iterations: { kept: result.rounds, run: result.roundsRun },
      margins: (m) => result.margins(m),
    };
  }
  const params = { ...defaultLogregParams, ...options.logreg };
  const result = trainLogisticRegression(train, columns, params);
  return {
    model: result.model,
    hyperParameters: { ...params },
    iterations: { kept: result.iterations, run: result.iterations },
    margins: (m) => Float64Array.from({ length: m.rows }, (_, r) => linearMargin(result.model, m.x, r * m.columns)),
  };
}

/** The whole pipeline: load and validate data, split, fit, pick the threshold, evaluate, write the artifact. */
export function trainModel(options: TrainOptions): TrainOutcome {
  const started = performance.now();
  const schema = options.schema ?? telcoChurnSchema;
  const encoder = compileRecordEncoder(schema);
  const data = loadTrainingData(options.data, encoder);
  const split = trainValidTestSplit(data.ids, data.y, options.seed);
  const train = selectRows(data, split.train);
  const validation = selectRows(data, split.validation);
  const test = selectRows(data, split.test);

  const fitted = fit(options, train, validation, encoder.columns);
  const validationProbabilities = fitted.margins(validation).map(sigmoid);
  const threshold = f1OptimalThreshold(validation.y, validationProbabilities);
  const testProbabilities = fitted.margins(test).map(sigmoid);
  // What drift monitoring compares live traffic with: the rows the model learnt from, and its scores on them.
  const referenceProfile = buildReferenceProfile({
    schema, x: train.x, rows: train.rows, scores: fitted.margins(train).map(sigmoid), source: 'the training slice of the split (training.split)',
  });
  let positives = 0;
  for (let r = 0; r < data.rows; r++) positives += data.y[r]!;

  const manifest: Omit<ModelManifest, 'payload'> = {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    name: options.name ?? 'churn',
    version: options.version ?? '1.0.0',
    createdAt: options.createdAt ?? new Date().toISOString(),
    algorithm: options.algorithm,
    hyperParameters: { ...fitted.hyperParameters, seed: options.seed },
    schema,
    encoding: { columns: encoder.columns.map((c) => c.name) },
    link: 'sigmoid' as const,
    threshold: { value: threshold, method: 'maximises F1 on the validation slice' },
    metrics: {
      test: evaluate(test.y, testProbabilities, threshold),
      validation: { rocAuc: rocAuc(validation.y, validationProbabilities), logLoss: logLoss(validation.y, validationProbabilities) },
    },
    training: {
      data: { file: basename(options.data), sha256: data.sha256, rows: data.rows, positives, missing: data.missingCounts },
      split: {
        method: `stratified by label; held out per class: the round(fraction x n) rows with the smallest sha256("<seed>:<salt>:<customerID>"); test: salt "test", fraction ${TEST_FRACTION}; validation (from the rest): salt "validation", fraction ${VALIDATION_FRACTION}`,
        seed: options.seed,
        trainRows: train.rows,
        validationRows: validation.rows,
        testRows: test.rows,
      },
      iterations: fitted.iterations,
    },
    referenceProfile,
  };
  const complete = options.out === undefined
    ? { ...manifest, payload: { file: '', sha256: '', bytes: 0 } }
    : writeModelArtifact(options.out, manifest, fitted.model);
  return {
    manifest: complete,
    model: fitted.model,
    data,
    testRows: split.test,
    testProbabilities,
    trainingSeconds: (performance.now() - started) / 1000,
  };
}
