import { ChurnError } from '../errors.js';
import { loadTreeModel } from '../model/formats/load-tree-model.js';
import { TreeModelRuntime, treeModelRuntimeOptions } from './tree-model-runtime.js';

/** A LightGBM text model (v2 to v4) evaluated in-process, exactly as LightGBM's predict(). */
export class LightGBMRuntime extends TreeModelRuntime {}

/** Loads `file` (Booster.save_model("model.txt")) and its optional sidecar manifest. */
export function loadLightGBMRuntime(file: string): LightGBMRuntime {
  const model = loadTreeModel(file);
  if (model.library !== 'lightgbm') throw new ChurnError('ARTIFACT_UNSUPPORTED_FORMAT', `${file}: this is an ${model.library} model, not a LightGBM one; name it model.json or model.ubj`);
  return new LightGBMRuntime(model, treeModelRuntimeOptions(file));
}
