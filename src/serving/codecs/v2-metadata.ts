import type { ModelFormat } from '../../runtimes/model-runtime.js';
import type { DataPlane } from '../data-plane.js';

/** The V2 `platform` of each model format (for the tree formats, the model types Triton's FIL backend names). */
const PLATFORMS: Record<ModelFormat, string> = {
  native: 'churn-predictor_native', 'xgboost-json': 'xgboost_json', 'xgboost-ubjson': 'xgboost_ubj', 'lightgbm-text': 'lightgbm', onnx: 'onnxruntime_onnx',
};

export interface V2TensorMetadata { name: string; datatype: string; shape: number[] }

export interface V2ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: V2TensorMetadata[];
  outputs: V2TensorMetadata[];
}

/** `$metadata_model_response`: inputs as the model takes them (categoricals as BYTES), outputs as infer answers them. */
export function modelMetadata(plane: DataPlane): V2ModelMetadata {
  return {
    name: plane.name,
    versions: [plane.version],
    platform: PLATFORMS[plane.card.format],
    inputs: plane.schema.features.map((f) => ({ name: f.name, datatype: f.kind === 'categorical' ? 'BYTES' : 'FP64', shape: [-1] })),
    outputs: plane.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.width === 1 ? [-1] : [-1, o.width] })),
  };
}

/** Why a request's model name or version is not this server's, or undefined when it is. */
export function unknownModel(plane: DataPlane, name: string, version: string | undefined): string | undefined {
  if (name !== plane.name) return `unknown model "${name}"; this server serves "${plane.name}"`;
  if (version !== undefined && version !== plane.version) return `model "${name}" has no version "${version}"; it serves version "${plane.version}"`;
  return undefined;
}
