import type { FastifyBaseLogger } from 'fastify';
import { mlflowConnection, type ServerConfig } from '../config/server-config.js';
import { openModelWithProvenance } from '../runtimes/open-model-from.js';
import { ModelFollower } from '../serving/model-follower.js';
import type { ServingCore } from '../serving/serving-core.js';
import type { FetchOptions } from '../sources/fetch-model.js';
import { MlflowRegistryClient } from '../sources/mlflow-registry-client.js';
import { parseMlflowUri } from '../sources/mlflow-uri.js';

/** How MODEL_PATH is fetched, from the configuration: at start-up and for every version an alias moves to. */
export function modelSourceOptions(config: ServerConfig, log: NonNullable<FetchOptions['log']>): FetchOptions {
  return {
    ...(config.modelSha256 === undefined ? {} : { sha256: config.modelSha256 }),
    s3: { region: config.awsRegion, ...(config.awsEndpointUrl === undefined ? {} : { endpoint: config.awsEndpointUrl }) },
    ...(config.mlflowTrackingUri === undefined ? {} : { mlflow: mlflowConnection(config, config.mlflowTrackingUri) }),
    log,
  };
}

/**
 * MODEL_REFRESH_SECONDS: a follower of the alias MODEL_PATH names, polling the registry (one call, one attempt per
 * poll) and loading a version it moves to as start-up loaded the first (same fetch options, same warm-up), into a
 * data plane on the core's metrics. Undefined when following is off. The configuration has checked that MODEL_PATH
 * is an alias (or latest) and that MLFLOW_TRACKING_URI is set.
 */
export function aliasFollower(config: ServerConfig, core: ServingCore, log: FastifyBaseLogger): ModelFollower | undefined {
  if (config.modelRefreshSeconds === undefined || config.mlflowTrackingUri === undefined) return undefined;
  const reference = parseMlflowUri(config.modelPath);
  const intervalMs = config.modelRefreshSeconds * 1000;
  const registry = new MlflowRegistryClient(mlflowConnection(config, config.mlflowTrackingUri));
  const options = modelSourceOptions(config, (message, fields) => log.info(fields, message));
  return new ModelFollower(core, {
    intervalMs,
    currentVersion: async () => (await registry.currentVersion(reference, Math.min(intervalMs, 10_000)))?.version ?? '',
    versionOf: (plane) => plane.card.provenance?.mlflow?.version,
    open: async () => {
      const { runtime, provenance } = await openModelWithProvenance(config.modelPath, options);
      try {
        const plane = core.planeFor(runtime, provenance);
        await plane.warmUp();
        return plane;
      } catch (error) {
        await runtime.close();
        throw error;
      }
    },
    log,
  });
}
