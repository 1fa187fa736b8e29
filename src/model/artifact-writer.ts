import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE, PAYLOAD_FILE, type ModelManifest, type SerializedModel } from './artifact-manifest.js';
import type { CompactModel } from './scorer.js';

export function serializeModel(model: CompactModel): SerializedModel {
  if (model.kind === 'tree-ensemble') {
    return {
      kind: model.kind, columns: model.columns, baseMargin: model.baseMargin,
      roots: Array.from(model.roots), feature: Array.from(model.feature), threshold: Array.from(model.threshold),
      defaultLeft: Array.from(model.defaultLeft), left: Array.from(model.left), right: Array.from(model.right),
      value: Array.from(model.value), cover: Array.from(model.cover),
    };
  }
  return {
    kind: model.kind, columns: model.columns, intercept: model.intercept,
    weights: Array.from(model.weights), center: Array.from(model.center), scale: Array.from(model.scale),
    missingWeights: Array.from(model.missingWeights),
    means: Array.from(model.means), missingRates: Array.from(model.missingRates),
  };
}

function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/**
 * Writes the payload, then the manifest that records its checksum. JSON.stringify prints doubles in
 * their shortest round-trip form, so a reloaded model scores exactly like the one in memory, and the
 * same training run writes the same bytes.
 */
export function writeModelArtifact(directory: string, manifest: Omit<ModelManifest, 'payload'>, model: CompactModel): ModelManifest {
  mkdirSync(directory, { recursive: true });
  const payloadText = JSON.stringify(serializeModel(model)) + '\n';
  const complete: ModelManifest = {
    ...manifest,
    payload: {
      file: PAYLOAD_FILE,
      sha256: createHash('sha256').update(payloadText).digest('hex'),
      bytes: Buffer.byteLength(payloadText),
    },
  };
  writeAtomically(join(directory, PAYLOAD_FILE), payloadText);
  writeAtomically(join(directory, MANIFEST_FILE), JSON.stringify(complete, null, 2) + '\n');
  return complete;
}

/**
 * Rewrites the manifest of an existing artifact (the payload is left as it is, so its checksum still holds):
 * how `churn-predictor profile` gives a version 1 artifact its reference profile.
 */
export function rewriteManifest(directory: string, manifest: ModelManifest): void {
  writeAtomically(join(directory, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}
