import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ChurnError, type ErrorCode } from '../errors.js';
import { compileRecordEncoder, type RecordEncoder } from '../features/record-encoder.js';
import { encodedColumns } from '../features/schema.js';
import { checkShape } from '../features/shape-problems.js';
import {
  ARTIFACT_FORMAT, MANIFEST_FILE, manifestShapes, SUPPORTED_FORMAT_VERSIONS, type ModelManifest,
} from './artifact-manifest.js';
import type { LinearModel } from './linear-model.js';
import { profileSchemaProblems } from './reference-profile.js';
import type { CompactModel } from './scorer.js';
import type { TreeEnsemble } from './tree-ensemble.js';

/** A model ready to evaluate: its manifest, its compact form and the encoder its schema compiles to. */
export interface LoadedModel {
  readonly directory: string;
  readonly manifest: ModelManifest;
  readonly model: CompactModel;
  readonly encoder: RecordEncoder;
}

function fail(code: ErrorCode, file: string, problem: string): never {
  throw new ChurnError(code, `${file}: ${problem}`);
}

function readFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read (${(cause as Error).message})`;
    return fail('ARTIFACT_NOT_FOUND', file, reason);
  }
}

function parseJson(file: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    return fail('ARTIFACT_CORRUPT', file, `not valid JSON, the file may be truncated (${(cause as Error).message})`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How many problems one message lists: enough to fix a hand-edited manifest in one go, short enough to read. */
const PROBLEMS_SHOWN = 5;

function problemList(problems: readonly string[]): string {
  const shown = problems.slice(0, PROBLEMS_SHOWN).join('; ');
  return problems.length > PROBLEMS_SHOWN ? `${shown}; and ${problems.length - PROBLEMS_SHOWN} more` : shown;
}

/**
 * Checks the whole manifest against the schema of its format version (artifact-manifest.ts), once: every
 * missing or malformed field is ARTIFACT_CORRUPT naming the field. Then what the fields say of one another:
 * a schema whose encoding or reference profile does not match it is ARTIFACT_SCHEMA_MISMATCH.
 */
function checkManifest(file: string, value: unknown): ModelManifest {
  if (!isRecord(value)) fail('ARTIFACT_CORRUPT', file, 'the manifest is not a JSON object');
  if (value['format'] !== ARTIFACT_FORMAT) fail('ARTIFACT_CORRUPT', file, `"format" must be "${ARTIFACT_FORMAT}", got ${JSON.stringify(value['format'])}`);
  const version = value['formatVersion'];
  if (version === undefined) fail('ARTIFACT_CORRUPT', file, '"formatVersion" is missing');
  if (typeof version !== 'number') fail('ARTIFACT_CORRUPT', file, `"formatVersion" must be a number, got ${JSON.stringify(version)}`);
  const shape = manifestShapes[version];
  if (shape === undefined) {
    fail('ARTIFACT_UNSUPPORTED_VERSION', file, `"formatVersion" ${version} is not supported (this build reads versions ${SUPPORTED_FORMAT_VERSIONS.join(' and ')})`);
  }
  const check = checkShape(shape, value);
  if (!check.ok) return fail('ARTIFACT_CORRUPT', file, problemList(check.problems));
  const manifest = check.value;
  const expected = encodedColumns(manifest.schema).map((c) => c.name);
  const stored = manifest.encoding.columns;
  if (stored.length !== expected.length || stored.some((name, i) => name !== expected[i])) {
    fail('ARTIFACT_SCHEMA_MISMATCH', file, `"encoding.columns" (${stored.length} columns) does not match the encoding of its feature schema (${expected.length} columns)`);
  }
  if (manifest.referenceProfile !== undefined) {
    const mismatches = profileSchemaProblems(manifest.referenceProfile, manifest.schema);
    if (mismatches.length > 0) fail('ARTIFACT_SCHEMA_MISMATCH', file, problemList(mismatches));
  }
  return manifest;
}

function numberArray(file: string, payload: Record<string, unknown>, key: string, length: number | undefined, integer = false): number[] {
  const array = payload[key];
  if (!Array.isArray(array)) return fail('ARTIFACT_CORRUPT', file, `"${key}" must be an array`);
  if (length !== undefined && array.length !== length) fail('ARTIFACT_CORRUPT', file, `"${key}" has ${array.length} entries, expected ${length}`);
  for (let i = 0; i < array.length; i++) {
    const v = array[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      fail('ARTIFACT_CORRUPT', file, `"${key}[${i}]" must be a finite ${integer ? 'integer' : 'number'}`);
    }
  }
  return array as number[];
}

function toTreeEnsemble(file: string, payload: Record<string, unknown>, width: number): TreeEnsemble {
  const feature = numberArray(file, payload, 'feature', undefined, true);
  const n = feature.length;
  const roots = numberArray(file, payload, 'roots', undefined, true);
  const left = numberArray(file, payload, 'left', n, true);
  const right = numberArray(file, payload, 'right', n, true);
  const defaultLeft = numberArray(file, payload, 'defaultLeft', n, true);
  const threshold = numberArray(file, payload, 'threshold', n);
  const value = numberArray(file, payload, 'value', n);
  const cover = numberArray(file, payload, 'cover', n);
  const baseMargin = payload['baseMargin'];
  if (typeof baseMargin !== 'number' || !Number.isFinite(baseMargin)) fail('ARTIFACT_CORRUPT', file, '"baseMargin" must be a finite number');
  // Every tree must be a proper tree: children after their parent (no cycles) and inside the node arrays.
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t]!;
    const end = t + 1 < roots.length ? roots[t + 1]! : n;
    if (root < 0 || root >= end || end > n) fail('ARTIFACT_CORRUPT', file, `tree ${t} has an invalid root ${root}`);
    for (let node = root; node < end; node++) {
      const f = feature[node]!;
      if (f < 0) continue;
      if (f >= width) fail('ARTIFACT_SCHEMA_MISMATCH', file, `tree ${t} node ${node} reads column ${f}, but the feature schema encodes ${width} columns`);
      for (const child of [left[node]!, right[node]!]) {
        if (child <= node || child >= end) fail('ARTIFACT_CORRUPT', file, `tree ${t} node ${node} has an invalid child ${child}`);
      }
    }
  }
  return {
    kind: 'tree-ensemble', columns: width, baseMargin,
    roots: Int32Array.from(roots), feature: Int32Array.from(feature), threshold: Float64Array.from(threshold),
    defaultLeft: Uint8Array.from(defaultLeft), left: Int32Array.from(left), right: Int32Array.from(right),
    value: Float64Array.from(value), cover: Float64Array.from(cover),
  };
}

function toLinearModel(file: string, payload: Record<string, unknown>, width: number): LinearModel {
  const intercept = payload['intercept'];
  if (typeof intercept !== 'number' || !Number.isFinite(intercept)) fail('ARTIFACT_CORRUPT', file, '"intercept" must be a finite number');
  const scale = numberArray(file, payload, 'scale', width);
  if (scale.some((s) => s <= 0)) fail('ARTIFACT_CORRUPT', file, '"scale" entries must be positive');
  return {
    kind: 'linear', columns: width, intercept,
    weights: Float64Array.from(numberArray(file, payload, 'weights', width)),
    center: Float64Array.from(numberArray(file, payload, 'center', width)),
    scale: Float64Array.from(scale),
    missingWeights: Float64Array.from(numberArray(file, payload, 'missingWeights', width)),
    means: Float64Array.from(numberArray(file, payload, 'means', width)),
    missingRates: Float64Array.from(numberArray(file, payload, 'missingRates', width)),
  };
}

/**
 * Loads and verifies a model artifact directory without any training code. Every problem is a
 * ChurnError whose message names the file and what is wrong with it.
 */
export function loadModelArtifact(directory: string): LoadedModel {
  const root = resolve(directory);
  try {
    if (!statSync(root).isDirectory()) fail('ARTIFACT_NOT_FOUND', root, 'not a directory');
  } catch (cause) {
    if (cause instanceof ChurnError) throw cause;
    fail('ARTIFACT_NOT_FOUND', root, 'model directory not found');
  }
  const manifestFile = join(root, MANIFEST_FILE);
  const manifest = checkManifest(manifestFile, parseJson(manifestFile, readFile(manifestFile)));

  const payloadFile = join(root, manifest.payload.file);
  const bytes = readFile(payloadFile);
  if (bytes.length !== manifest.payload.bytes) {
    fail('ARTIFACT_CORRUPT', payloadFile, `${bytes.length} bytes, the manifest records ${manifest.payload.bytes}: the file is truncated or was replaced`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== manifest.payload.sha256) {
    fail('ARTIFACT_CHECKSUM_MISMATCH', payloadFile, `sha256 ${sha256} does not match the manifest's ${manifest.payload.sha256}`);
  }
  const payload = parseJson(payloadFile, bytes);
  if (!isRecord(payload)) fail('ARTIFACT_CORRUPT', payloadFile, 'the payload is not a JSON object');

  const encoder = compileRecordEncoder(manifest.schema);
  if (payload['columns'] !== encoder.width) {
    fail('ARTIFACT_SCHEMA_MISMATCH', payloadFile, `the model reads ${String(payload['columns'])} columns, but its feature schema encodes ${encoder.width}`);
  }
  const expectedKind = manifest.algorithm === 'gbdt' ? 'tree-ensemble' : 'linear';
  if (payload['kind'] !== expectedKind) fail('ARTIFACT_CORRUPT', payloadFile, `kind ${JSON.stringify(payload['kind'])} does not match algorithm "${manifest.algorithm}"`);
  const model = expectedKind === 'tree-ensemble'
    ? toTreeEnsemble(payloadFile, payload, encoder.width)
    : toLinearModel(payloadFile, payload, encoder.width);
  return { directory: root, manifest, model, encoder };
}
