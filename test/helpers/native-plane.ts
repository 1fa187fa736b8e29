import type { LoadedModel } from '../../src/model/artifact-loader.js';
import { NativeRuntime } from '../../src/runtimes/native-runtime.js';
import { DataPlane } from '../../src/serving/data-plane.js';
import type { BatchOutcome, PredictOptions, SinglePrediction } from '../../src/serving/predictions.js';

/** The data plane over a loaded native artifact, with no batch limit: what the server and the CLI score with. */
export function nativePlane(loaded: LoadedModel, threshold?: number): DataPlane {
  return new DataPlane(new NativeRuntime(loaded), { threshold, maxBatchSize: Number.MAX_SAFE_INTEGER });
}

/** One record scored by the native model (synchronous; a promise here is a bug). */
export function predictNative(loaded: LoadedModel, record: unknown, options: PredictOptions = {}): SinglePrediction {
  const result = nativePlane(loaded).predict(record, options, 'cli');
  if (result instanceof Promise) throw new Error('the native model must answer synchronously');
  return result;
}

/** Records scored by the native model in one batch, failed records included as error entries. */
export function predictNativeBatch(loaded: LoadedModel, records: readonly unknown[], options: PredictOptions = {}): BatchOutcome {
  const result = nativePlane(loaded).predictBatch(records, options, 'cli');
  if (result instanceof Promise) throw new Error('the native model must answer synchronously');
  return result;
}
