import { loadModelArtifact, type LoadedModel } from '../../src/model/artifact-loader.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { Predictor } from '../../src/model/predictor.js';
import { trainValidTestSplit } from '../../src/training/split.js';
import { dataRecords } from '../helpers/fixtures.js';

/** The bundled model, and the records it never trained on (validation and test slices): a stationary stream. */
export interface DriftFixture {
  loaded: LoadedModel;
  predictor: Predictor;
  heldOut: Record<string, unknown>[];
}

let cached: DriftFixture | undefined;

export function driftFixture(): DriftFixture {
  if (cached !== undefined) return cached;
  const loaded = loadModelArtifact(bundledModelDirectory);
  const records = dataRecords();
  const ids = records.map((r) => r['customerID'] as string);
  const labels = records.map((r) => (r['Churn'] === 'Yes' ? 1 : 0));
  const split = trainValidTestSplit(ids, labels, loaded.manifest.training.split.seed);
  const heldOut = [...split.validation, ...split.test].map((r) => records[r]!);
  cached = { loaded, predictor: new Predictor(loaded), heldOut };
  return cached;
}

/** The records with some fields set to other values (a shifted population). */
export function shifted(records: readonly Record<string, unknown>[], change: Record<string, unknown>): Record<string, unknown>[] {
  return records.map((record) => ({ ...record, ...change }));
}
