import { mlflowConnectionFromEnvironment } from '../config/server-config.js';
import type { FetchOptions } from '../model/sources/fetch-model.js';
import { isMlflowUri } from '../model/sources/mlflow-uri.js';

/**
 * What a command's `--model` (taken as MODEL_PATH takes it) needs from the environment to load: for `models:/` and
 * `runs:/`, the tracking server and its credentials (MLFLOW_TRACKING_URI, …), read by the server's own specs.
 */
export function modelSourceOptions(model: string): FetchOptions {
  return isMlflowUri(model) ? { mlflow: mlflowConnectionFromEnvironment(process.env) } : {};
}
