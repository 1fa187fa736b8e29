import { ChurnError } from '../errors.js';
import { loadTreeModel } from '../model/formats/load-tree-model.js';
import { TreeModelRuntime, treeModelRuntimeOptions } from './tree-model-runtime.js';

/** An XGBoost model (JSON or UBJSON, 1.7 to 3.x) evaluated in-process, exactly as XGBoost's predict(). */
export class XGBoostRuntime extends TreeModelRuntime {}

/** Loads `file` (Booster.save_model, .json or .ubj) and its optional sidecar manifest. */
export function loadXGBoostRuntime(file: string): XGBoostRuntime {
  const model = loadTreeModel(file);
  if (model.library !== 'xgboost') throw new ChurnError('ARTIFACT_UNSUPPORTED_FORMAT', `${file}: this is a ${model.library} model, not an XGBoost one; name it model.txt`);
  return new XGBoostRuntime(model, treeModelRuntimeOptions(file));
}
