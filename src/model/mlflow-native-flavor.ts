import { stringify } from 'yaml';
import type { FeatureSchema } from '../features/schema.js';
import { ARTIFACT_FORMAT, type ModelManifest } from './artifact-manifest.js';

/**
 * Our native artifact as an MLflow model: a folder with an MLmodel file whose flavour `churn_predictor` names the
 * artifact folder beside it (`artifact/`: manifest.json and its payload). MLflow lists, registers and aliases it like
 * any model; `MODEL_PATH=models:/…` serves it through the native runtime.
 */
export const nativeFlavor = 'churn_predictor';
export const nativeFlavorData = 'artifact';

/** The feature schema as an MLflow column signature: what the MLflow UI shows as the model's inputs. */
export function schemaSignature(schema: FeatureSchema): string {
  return JSON.stringify(schema.features.map((f) => ({
    type: f.kind === 'categorical' ? 'string' : f.integer ? 'long' : 'double',
    name: f.name,
    required: f.kind === 'categorical' || !f.nullable,
  })));
}

/** The MLmodel file of a native artifact logged as `<artifactPath>` of a run. */
export function nativeMlmodelText(manifest: ModelManifest, run: { runId: string; artifactPath: string; modelUuid: string; createdAt: Date }): string {
  return stringify({
    artifact_path: run.artifactPath,
    flavors: {
      [nativeFlavor]: {
        data: nativeFlavorData,
        format: ARTIFACT_FORMAT,
        format_version: manifest.formatVersion,
        model_name: manifest.name,
        model_version: manifest.version,
        algorithm: manifest.algorithm,
      },
    },
    model_uuid: run.modelUuid,
    run_id: run.runId,
    signature: {
      inputs: schemaSignature(manifest.schema),
      outputs: JSON.stringify([{ type: 'double', name: 'churnProbability', required: true }, { type: 'boolean', name: 'churn', required: true }]),
      params: null,
    },
    // MLflow's own format: '2026-11-27 21:58:13.355000', UTC.
    utc_time_created: run.createdAt.toISOString().replace('T', ' ').replace('Z', '000'),
  });
}
