import { readServerVariable } from '../config/server-config.js';
import type { ModelRuntime } from '../runtimes/model-runtime.js';
import { openModelFrom } from '../runtimes/open-model-from.js';
import { DataPlane } from '../serving/data-plane.js';

/**
 * Opens a model for a command the way the server opens MODEL_PATH: any location the loader takes, with the
 * server's own AWS_REGION and AWS_ENDPOINT_URL parsers for s3:// locations.
 */
export function openCliModel(location: string): Promise<ModelRuntime> {
  const env = process.env;
  const endpoint = readServerVariable(env, 'AWS_ENDPOINT_URL', 'awsEndpointUrl');
  return openModelFrom(location, {
    s3: { region: readServerVariable(env, 'AWS_REGION', 'awsRegion'), ...(endpoint === undefined ? {} : { endpoint }) },
    log: (message, fields) => { if (message !== 'model download progress') process.stderr.write(`${message} ${JSON.stringify(fields)}\n`); },
  });
}

/** The server's data plane over a model, warmed up, with no batch limit: a file scores as POST /predict/batch would score it. */
export async function cliDataPlane(runtime: ModelRuntime, threshold?: number): Promise<DataPlane> {
  const plane = new DataPlane(runtime, { threshold, maxBatchSize: Number.MAX_SAFE_INTEGER });
  await plane.warmUp();
  return plane;
}
