import { mlflowConnectionFromEnvironment, readServerVariable } from '../config/server-config.js';
import type { ModelRuntime } from '../runtimes/model-runtime.js';
import { openModelWithProvenance, type OpenedModel } from '../runtimes/open-model-from.js';
import { DataPlane } from '../serving/data-plane.js';
import { isMlflowUri } from '../sources/mlflow-uri.js';
import type { ModelProvenance } from '../sources/model-provenance.js';

/**
 * Opens a model for a command (`--model`) the way the server opens MODEL_PATH: any location the loader takes, read
 * with the server's own specs from the environment — AWS_REGION and AWS_ENDPOINT_URL for s3:// locations,
 * MLFLOW_TRACKING_URI and its credentials for `models:/` and `runs:/`.
 */
export function openCliModelWithProvenance(location: string): Promise<OpenedModel> {
  const env = process.env;
  const endpoint = readServerVariable(env, 'AWS_ENDPOINT_URL', 'awsEndpointUrl');
  return openModelWithProvenance(location, {
    s3: { region: readServerVariable(env, 'AWS_REGION', 'awsRegion'), ...(endpoint === undefined ? {} : { endpoint }) },
    ...(isMlflowUri(location) ? { mlflow: mlflowConnectionFromEnvironment(env) } : {}),
    log: (message, fields) => { if (message !== 'model download progress') process.stderr.write(`${message} ${JSON.stringify(fields)}\n`); },
  });
}

/** openCliModelWithProvenance for commands that need the runtime only. */
export async function openCliModel(location: string): Promise<ModelRuntime> {
  return (await openCliModelWithProvenance(location)).runtime;
}

/**
 * The server's data plane over a model, warmed up, with no batch limit: a file scores as POST /predict/batch would
 * score it, and its card is the one GET /model answers (with where the model came from, when known).
 */
export async function cliDataPlane(runtime: ModelRuntime, threshold?: number, provenance?: ModelProvenance): Promise<DataPlane> {
  const plane = new DataPlane(runtime, { threshold, maxBatchSize: Number.MAX_SAFE_INTEGER, ...(provenance === undefined ? {} : { provenance }) });
  await plane.warmUp();
  return plane;
}
