import type { LoadedModel } from '../model/artifact-loader.js';
import type { ModelRuntime } from '../model/runtimes/model-runtime.js';
import { NativeRuntime } from '../model/runtimes/native-runtime.js';
import { ModelService, type ModelServiceOptions, type PredictionService } from './model-service.js';
import { RuntimeService } from './runtime-service.js';

/** What can be served: the native artifact as loaded, or any model runtime (openModelFrom's result). */
export type ServableModel = LoadedModel | ModelRuntime;

export interface ServingModel {
  /** The data plane /predict, /model and the probes use. */
  service: PredictionService;
  /** The same model behind the runtime interface, for the V2 protocol; labels at the same threshold. */
  runtime: ModelRuntime;
  /** One prediction before the model takes traffic; throws when the model cannot score. */
  warmUp(): Promise<void>;
}

function isRuntime(model: ServableModel): model is ModelRuntime {
  return 'description' in model && typeof (model as ModelRuntime).predict === 'function';
}

/**
 * Chooses the data plane for a model: ModelService (synchronous, the native fast path) for the project's own
 * artifact, RuntimeService for XGBoost and ONNX models. A threshold in the options applies to both planes.
 */
export function servingModel(model: ServableModel, options: ModelServiceOptions): ServingModel {
  const native = !isRuntime(model) ? model : model instanceof NativeRuntime ? model.loaded : undefined;
  if (native !== undefined) {
    const service = new ModelService(native, options);
    const runtime = options.threshold === undefined && isRuntime(model) ? model : new NativeRuntime(native, options.threshold === undefined ? {} : { threshold: options.threshold });
    return { service, runtime, warmUp: async () => service.warmUp() };
  }
  const service = new RuntimeService(model as ModelRuntime, options);
  return { service, runtime: service.runtime, warmUp: () => service.warmUp() };
}

/** The name and version of a model, before any data plane exists (metrics are labelled with them). */
export function modelIdentity(model: ServableModel): { name: string; version: string } {
  const { name, version } = isRuntime(model) ? model.description : model.manifest;
  return { name, version };
}
