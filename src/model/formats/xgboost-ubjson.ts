import { ChurnError } from '../../errors.js';
import type { TreeModel } from '../tree-model.js';
import { decodeUbjson, UbjsonError } from './ubjson.js';
import { xgboostFromDocument } from './xgboost-json.js';

/**
 * An XGBoost UBJSON model (`Booster.save_model("model.ubj")`, the default of XGBoost >= 2.1) → TreeModel. The
 * document is the JSON one in binary form; its float32 arrays decode to Float32Array, so values are exact.
 */
export function xgboostFromUbjson(file: string, bytes: Uint8Array): TreeModel {
  let document: unknown;
  try {
    document = decodeUbjson(bytes);
  } catch (cause) {
    if (cause instanceof UbjsonError) throw new ChurnError('ARTIFACT_CORRUPT', `${file}: not valid UBJSON, the file may be truncated (${cause.message})`);
    throw cause;
  }
  return xgboostFromDocument(file, document, 'xgboost-ubjson');
}
