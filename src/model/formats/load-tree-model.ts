import { readFileSync } from 'node:fs';
import { ChurnError } from '../../errors.js';
import type { TreeModel, TreeModelFormat } from '../tree-model.js';
import { lightgbmFromText } from './lightgbm-text.js';
import { xgboostFromJson } from './xgboost-json.js';
import { xgboostFromUbjson } from './xgboost-ubjson.js';

/**
 * Which tree-model format the bytes are, from the bytes themselves (not the extension: `model.bin` works, a
 * JSON file named `.ubj` is still read): XGBoost JSON starts with `{` then `"`; XGBoost UBJSON with `{` then
 * a key-length type marker; LightGBM text with a `tree` line. Undefined for anything else.
 */
export function sniffTreeModelFormat(bytes: Uint8Array): TreeModelFormat | undefined {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0xef || bytes[i] === 0xbb || bytes[i] === 0xbf)) i++;
  if (bytes[i] === 0x7b /* { */) {
    const next = bytes[i + 1];
    // UBJSON: the first key's length type (i, U, I, l, L), or N (no-op) or # (a counted object).
    if (next !== undefined && 'iUIlLN#$'.includes(String.fromCharCode(next))) return 'xgboost-ubjson';
    return 'xgboost-json';
  }
  if (/^tree\r?\n/.test(String.fromCharCode(...bytes.subarray(i, i + 6)))) return 'lightgbm-text';
  return undefined;
}

/** A tree model from its bytes; `file` names it in errors. Unknown content is ARTIFACT_UNSUPPORTED_FORMAT. */
export function treeModelFromBytes(file: string, bytes: Uint8Array): TreeModel {
  const format = sniffTreeModelFormat(bytes);
  switch (format) {
    case 'xgboost-json':
      return xgboostFromJson(file, new TextDecoder().decode(bytes));
    case 'xgboost-ubjson':
      return xgboostFromUbjson(file, bytes);
    case 'lightgbm-text':
      return lightgbmFromText(file, new TextDecoder().decode(bytes));
    default: {
      const legacy = bytes.length >= 4 && String.fromCharCode(...bytes.subarray(0, 4)) === 'binf';
      throw new ChurnError('ARTIFACT_UNSUPPORTED_FORMAT', `${file}: not an XGBoost JSON or UBJSON model nor a LightGBM text model${legacy
        ? ' (this is XGBoost\'s deprecated binary format: load it in XGBoost and save_model("model.ubj") or "model.json")'
        : ''}`);
    }
  }
}

/** Reads a tree model file: XGBoost JSON or UBJSON (1.7, 2.x, 3.x), or LightGBM text (v2 to v4). */
export function loadTreeModel(file: string): TreeModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new ChurnError('ARTIFACT_NOT_FOUND', `${file}: cannot read (${(cause as Error).message})`);
  }
  return treeModelFromBytes(file, bytes);
}
