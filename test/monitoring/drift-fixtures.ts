import { loadModelArtifact, type LoadedModel } from '../../src/model/artifact-loader.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import type { DataPlane } from '../../src/serving/data-plane.js';
import { trainValidTestSplit } from '../../src/training/split.js';
import { dataRecords } from '../helpers/fixtures.js';
import { nativePlane } from '../helpers/native-plane.js';

/** The bundled model, and the records it never trained on (validation and test slices): a stationary stream. */
export interface DriftFixture {
  loaded: LoadedModel;
  /** The model's data plane, without drift monitoring: scores records for a monitor under test. */
  plane: DataPlane;
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
  cached = { loaded, plane: nativePlane(loaded), heldOut };
  return cached;
}

/** The churn probability of one valid record, by the bundled model. */
export function churnProbability(record: unknown): number {
  const answer = driftFixture().plane.predict(record, {}, 'cli');
  if (answer instanceof Promise) throw new Error('the native model answers synchronously');
  return answer.churnProbability;
}

/** The records with some fields set to other values (a shifted population). */
export function shifted(records: readonly Record<string, unknown>[], change: Record<string, unknown>): Record<string, unknown>[] {
  return records.map((record) => ({ ...record, ...change }));
}
