import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { ChurnError } from '../errors.js';
import { schemaProblems, type FeatureSchema } from '../features/schema.js';
import { checkShape } from '../features/shape-problems.js';
import { profileSchemaProblems, referenceProfileShape, type ReferenceProfile } from '../model/reference-profile.js';

/**
 * The optional small manifest beside a foreign model file (`churn.json` → `churn.manifest.json`): what the
 * model file itself cannot say. Every field is optional.
 */
export interface SidecarManifest {
  name?: string;
  version?: string;
  /** Input column names in model order (for models saved without feature names, and ONNX). */
  inputs?: string[];
  /** Decision threshold on the positive-class probability of binary classifiers (default 0.5). */
  threshold?: number;
  /**
   * ONNX: the output holding class probabilities, when it is not named probability, probabilities or
   * output_probability (skl2onnx's name). [N] or [N, 1] is a binary classifier's positive class, [N, 2]
   * a binary classifier's two classes (the second is positive), wider a multi-class classifier.
   */
  probabilityOutput?: string;
  /**
   * The feature schema of the records the model takes (what `churn-predictor export` writes): gives categorical
   * inputs their categories and lets /predict validate ranges and categories as it does for the native model.
   */
  schema?: FeatureSchema;
  /** The distributions drift is measured against, written by `churn-predictor profile` (docs/monitoring.md). */
  referenceProfile?: ReferenceProfile;
}

/** `churn.json` → `churn.manifest.json`. */
export function sidecarManifestName(modelFileName: string): string {
  return `${basename(modelFileName, extname(modelFileName))}.manifest.json`;
}

export function sidecarManifestFile(modelFile: string): string {
  return join(dirname(modelFile), sidecarManifestName(basename(modelFile)));
}

/** Reads and checks the sidecar manifest; undefined when there is none. */
export function readSidecarManifest(modelFile: string): SidecarManifest | undefined {
  const file = sidecarManifestFile(modelFile);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ChurnError('ARTIFACT_NOT_FOUND', `${file}: cannot read (${(cause as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ChurnError('ARTIFACT_CORRUPT', `${file}: not valid JSON (${(cause as Error).message})`);
  }
  const bad = (problem: string): never => { throw new ChurnError('ARTIFACT_CORRUPT', `${file}: ${problem}`); };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('the manifest must be a JSON object');
  const m = value as Record<string, unknown>;
  for (const key of ['name', 'version', 'probabilityOutput'] as const) if (m[key] !== undefined && typeof m[key] !== 'string') bad(`"${key}" must be a string`);
  if (m['inputs'] !== undefined && !(Array.isArray(m['inputs']) && m['inputs'].every((s) => typeof s === 'string') && new Set(m['inputs']).size === m['inputs'].length)) {
    bad('"inputs" must be a list of distinct names');
  }
  if (m['threshold'] !== undefined && !(typeof m['threshold'] === 'number' && m['threshold'] >= 0 && m['threshold'] <= 1)) bad('"threshold" must be a number within [0, 1]');
  if (m['schema'] !== undefined) {
    const problems = schemaProblems(m['schema']);
    if (problems.length > 0) bad(`"schema" is not a feature schema: ${problems.slice(0, 3).join('; ')}`);
  }
  if (m['referenceProfile'] !== undefined) {
    const check = checkShape(referenceProfileShape, m['referenceProfile'], 'referenceProfile');
    if (!check.ok) bad(check.problems.slice(0, 3).join('; '));
    if (m['schema'] !== undefined) {
      const mismatches = profileSchemaProblems(m['referenceProfile'] as ReferenceProfile, m['schema'] as FeatureSchema);
      if (mismatches.length > 0) throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `${file}: ${mismatches.slice(0, 3).join('; ')}`);
    }
  }
  return m as SidecarManifest;
}
