import type { ModelLocation } from './model-location.js';

/** What the MLflow tracking server said a `models:/` or `runs:/` MODEL_PATH stands for. */
export interface MlflowProvenance {
  /** MLFLOW_TRACKING_URI. */
  readonly trackingUri: string;
  /** The registered model, for `models:/<name>…`. */
  readonly registeredModel?: string;
  /** The model version served (resolved from an alias, `latest` or a stage). */
  readonly version?: string;
  /** The alias MODEL_PATH follows (`models:/<name>@<alias>`). */
  readonly alias?: string;
  /** The stage MODEL_PATH follows (`models:/<name>/<stage>`, MLflow's legacy stages). */
  readonly stage?: string;
  /** The run that produced the model. */
  readonly runId?: string;
  /** The MLflow 3 logged model (`m-…`). */
  readonly modelId?: string;
  /** Where the files came from (a model version's download URI). */
  readonly artifactUri: string;
}

/**
 * Where the served model came from, for GET /model, the start-up log and metrics labels. Holds no credentials:
 * a URL's user info and query (a presigned URL's signature) are left out.
 */
export interface ModelProvenance {
  readonly kind: ModelLocation['kind'];
  /** MODEL_PATH without credentials. */
  readonly source: string;
  /** sha256 of the model file (the file MODEL_PATH names, or the file an MLflow flavour names), when one was read. */
  readonly sha256?: string;
  /** The MLflow flavour an MLflow model folder (a folder with an MLmodel file) was loaded through. */
  readonly flavor?: string;
  readonly mlflow?: MlflowProvenance;
}

/** MODEL_PATH as it may be shown: no user info, no query string. */
export function displayedSource(location: ModelLocation, modelPath: string): string {
  if (location.kind !== 'http') return modelPath;
  const url = new URL(location.url.href);
  url.username = '';
  url.password = '';
  url.search = '';
  return url.href;
}
