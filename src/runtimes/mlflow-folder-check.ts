import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether `path` is an MLflow model folder: a directory with an MLmodel file. Apart from the folder's reader
 * (mlflow-model-folder.ts), which loads a YAML parser: a server whose model is not such a folder never loads it.
 */
export function isMlflowModelFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory() && existsSync(join(path, 'MLmodel'));
  } catch {
    return false;
  }
}
