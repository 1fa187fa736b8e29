import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { ChurnError } from '../errors.js';
import { importOptional } from '../foundation/optional-package.js';
import type { ModelRuntime } from './model-runtime.js';
import { NativeRuntime } from './native-runtime.js';
import { loadLightGBMRuntime } from './lightgbm-runtime.js';
import { loadXGBoostRuntime } from './xgboost-runtime.js';

/**
 * Chooses the runtime from what MODEL_PATH (a local path) names: a directory is a native artifact, `*.json` or
 * `*.ubj` an XGBoost model, `*.txt` a LightGBM model, `*.onnx` an ONNX model. Anything else stops start-up with a
 * message listing what is accepted.
 */
export async function openModel(modelPath: string): Promise<ModelRuntime> {
  const path = resolve(modelPath);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new ChurnError('ARTIFACT_NOT_FOUND', `${path}: model not found`);
  }
  if (isDirectory) return NativeRuntime.open(path);
  const extension = extname(path).toLowerCase();
  if (extension === '.json' || extension === '.ubj') return loadXGBoostRuntime(path);
  if (extension === '.txt') return loadLightGBMRuntime(path);
  if (extension === '.onnx') {
    // onnxruntime (about 290 MB, an optional package) is loaded only for ONNX models.
    const { OnnxRuntime } = await importOptional(() => import('./onnx-runtime.js'), 'onnxruntime-node', `${path}: an ONNX model`);
    return OnnxRuntime.load(path);
  }
  throw new ChurnError('ARTIFACT_UNSUPPORTED_FORMAT', `${path}: unknown model format "${extension || '(no extension)'}"; MODEL_PATH must name a native artifact directory, an XGBoost .json or .ubj file, a LightGBM .txt file or an .onnx file`);
}
