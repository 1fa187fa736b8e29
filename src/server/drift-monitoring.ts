import type { ServerConfig } from '../config/server-config.js';
import { ChurnError } from '../errors.js';
import type { FeatureSchema } from '../features/schema.js';
import { profileSchemaProblems, type ReferenceProfile } from '../model/reference-profile.js';
import { runtimeFeatureSchema } from '../model/runtimes/runtime-feature-schema.js';
import { NativeRuntime } from '../model/runtimes/native-runtime.js';
import { DriftMonitor } from '../monitoring/drift-monitor.js';
import type { ServableModel } from './serving-model.js';

/**
 * The drift monitor of the model being served, or undefined when it has no reference profile (a version 1
 * artifact, a foreign model nobody profiled) or when DRIFT_WINDOW=off: the model is served as before, without
 * drift metrics.
 * The profile is checked against the feature schema the server validates records with.
 */
export function driftMonitorOf(model: ServableModel, window: ServerConfig['driftWindow']): DriftMonitor | undefined {
  let schema: FeatureSchema;
  let profile: ReferenceProfile | undefined;
  if ('manifest' in model || model instanceof NativeRuntime) {
    const { manifest } = 'manifest' in model ? model : model.loaded;
    ({ schema, referenceProfile: profile } = manifest);
  } else {
    schema = runtimeFeatureSchema(model.description);
    profile = model.description.referenceProfile;
  }
  if (profile === undefined || window.kind === 'off') return undefined;
  const mismatches = profileSchemaProblems(profile, schema);
  if (mismatches.length > 0) throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `the reference profile does not fit the model's inputs: ${mismatches.slice(0, 3).join('; ')}`);
  return new DriftMonitor(schema, profile, { window });
}
