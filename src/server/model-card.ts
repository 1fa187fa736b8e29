import type { FeatureSchema } from '../features/schema.js';
import type { ModelManifest } from '../model/artifact-manifest.js';

/** What GET /model returns: the manifest's public facts. No file-system paths, no configuration, no secrets. */
export interface ModelCard {
  name: string;
  version: string;
  createdAt: string;
  algorithm: string;
  hyperParameters: Record<string, number>;
  link: string;
  threshold: { value: number; modelValue: number; method: string; overridden: boolean };
  featureSchema: FeatureSchema;
  metrics: ModelManifest['metrics'];
  trainingData: ModelManifest['training']['data'];
  split: ModelManifest['training']['split'];
  iterations: ModelManifest['training']['iterations'];
  payloadSha256: string;
}

export function modelCard(manifest: ModelManifest, threshold: number): ModelCard {
  return {
    name: manifest.name,
    version: manifest.version,
    createdAt: manifest.createdAt,
    algorithm: manifest.algorithm,
    hyperParameters: manifest.hyperParameters,
    link: manifest.link,
    threshold: {
      value: threshold,
      modelValue: manifest.threshold.value,
      method: threshold === manifest.threshold.value ? manifest.threshold.method : 'set by DECISION_THRESHOLD',
      overridden: threshold !== manifest.threshold.value,
    },
    featureSchema: manifest.schema,
    metrics: manifest.metrics,
    trainingData: manifest.training.data,
    split: manifest.training.split,
    iterations: manifest.training.iterations,
    payloadSha256: manifest.payload.sha256,
  };
}
