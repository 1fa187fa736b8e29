import type { FeatureSchema } from '../features/schema.js';
import type { ModelDescription, ModelFormat, ModelTask, OutputSpec } from '../runtimes/model-runtime.js';
import { modelInputs, type ModelInput } from '../runtimes/runtime-feature-schema.js';
import type { ModelProvenance } from '../sources/model-provenance.js';

/** The decision threshold as served: the model's own, or DECISION_THRESHOLD's. */
export interface ServedThreshold {
  value: number;
  modelValue: number;
  method: string;
  overridden: boolean;
}

/**
 * What GET /model answers and `churn-predictor info` prints, for every runtime alike: identity, inputs and
 * outputs, threshold, what the server offers for it; then whatever more the model carries (the native
 * artifact's algorithm, metrics and training data). No file-system paths, no configuration, no secrets.
 */
export interface ModelCard {
  name: string;
  version: string;
  format: ModelFormat;
  task: ModelTask;
  featureSchema: FeatureSchema;
  inputs: ModelInput[];
  outputs: OutputSpec[];
  /** Binary classifiers only. */
  threshold?: ServedThreshold;
  explains: boolean;
  endpoints: string[];
  /** Where the served model came from (MODEL_PATH, and for `models:/` what the MLflow registry resolved it to). */
  provenance?: ModelProvenance;
  /** What drift monitoring compares live traffic with (GET /model/drift), or null when the model has no profile. */
  referenceProfile: { source: string; rows: number } | null;
  [fact: string]: unknown;
}

export function modelCard(
  description: ModelDescription,
  served: { threshold: ServedThreshold | undefined; outputs: readonly OutputSpec[]; explains: boolean; provenance?: ModelProvenance | undefined },
): ModelCard {
  const { name, version, format, task, schema } = description;
  const scoresRecords = served.threshold !== undefined;
  const { thresholdMethod: _method, ...facts } = description.card ?? {};
  return {
    name, version, format, task,
    featureSchema: schema,
    inputs: modelInputs(schema),
    outputs: [...served.outputs],
    ...(served.threshold === undefined ? {} : { threshold: served.threshold }),
    explains: served.explains,
    endpoints: [...(scoresRecords ? ['/predict', '/predict/batch'] : []), `/v2/models/${name}/infer`, '/invocations'],
    referenceProfile: description.referenceProfile === undefined ? null : { source: description.referenceProfile.source, rows: description.referenceProfile.rows },
    ...facts,
    ...(served.provenance === undefined ? {} : { provenance: served.provenance }),
  };
}

/** One line naming the model, for the API documentation and logs. */
export function modelHeadline(card: ModelCard): string {
  const what = typeof card['algorithm'] === 'string' ? card['algorithm'] : `${card.format}, ${card.task}`;
  return `model ${card.name} ${card.version} (${what}${card.threshold === undefined ? '' : `; decision threshold ${card.threshold.value}`})`;
}
