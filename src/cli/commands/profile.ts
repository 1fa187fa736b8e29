import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { defineCommand } from 'citty';
import { ChurnError } from '../../errors.js';
import { loadModelArtifact } from '../../model/artifact-loader.js';
import { ARTIFACT_FORMAT_VERSION } from '../../model/artifact-manifest.js';
import { rewriteManifest } from '../../model/artifact-writer.js';
import { bundledDataFile } from '../../model/bundled-model.js';
import type { ReferenceProfile } from '../../model/reference-profile.js';
import { buildReferenceProfile } from '../../monitoring/reference-profile-builder.js';
import { openModel } from '../../runtimes/open-model.js';
import { sidecarManifestFile } from '../../runtimes/sidecar-manifest.js';
import { cliDataPlane } from '../cli-model.js';
import { runSafely } from '../run-safely.js';
import { readTextFile } from '../text-file.js';

/** A native artifact keeps its profile in manifest.json (written as format version 2, payload untouched). */
function storeInArtifact(directory: string, profile: ReferenceProfile): string {
  const { manifest } = loadModelArtifact(directory);
  rewriteManifest(directory, { ...manifest, formatVersion: ARTIFACT_FORMAT_VERSION, referenceProfile: profile });
  loadModelArtifact(directory);
  return `${directory}/manifest.json`;
}

/** A model file (XGBoost, ONNX) keeps it in its sidecar manifest, which is created when there is none; other fields stay. */
function storeInSidecar(modelFile: string, profile: ReferenceProfile): string {
  const file = sidecarManifestFile(modelFile);
  let sidecar: Record<string, unknown> = {};
  try {
    sidecar = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw new ChurnError('ARTIFACT_CORRUPT', `${file}: cannot read it to add the profile (${(cause as Error).message})`);
  }
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify({ ...sidecar, referenceProfile: profile }, null, 2)}\n`);
  renameSync(temporary, file);
  return file;
}

export const profileCommand = defineCommand({
  meta: { name: 'profile', description: 'Give a model the reference profile drift monitoring compares live traffic with: its inputs and scores on a data set (its training data)' },
  args: {
    model: { type: 'string', description: 'a local model: artifact directory, XGBoost .json or .onnx file', required: true },
    data: { type: 'string', description: 'CSV of the records the model was trained on (feature columns; the label is ignored)', default: bundledDataFile },
  },
  run: ({ args }) => runSafely(async () => {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(args.model)) {
      throw new ChurnError('INVALID_ARGUMENT', '--model must be a local path: profile a local copy, then upload its manifest (or <name>.manifest.json) beside the model');
    }
    const path = resolve(args.model);
    const text = readTextFile(args.data);
    const runtime = await openModel(path);
    try {
      // The server's own data plane: records are validated, encoded and scored exactly as served traffic will be.
      const plane = await cliDataPlane(runtime);
      const records = plane.decodeCsv(text, 'cli');
      const { rows, x, scores, refused } = await plane.referenceScores(records);
      if (rows === 0) throw new ChurnError('DATA_INVALID', `${args.data}: no record of the file is valid for the model; nothing to profile`);
      const profile = buildReferenceProfile({ schema: plane.schema, x, rows, scores, source: `${basename(args.data)} (churn-predictor profile)` });
      const written = statSync(path).isDirectory() ? storeInArtifact(path, profile) : storeInSidecar(path, profile);
      process.stdout.write(`profiled ${rows} records of ${args.data} (${refused} refused by the model's schema): ${profile.features.length} features and the score\nwrote ${written}\n`);
    } finally {
      await runtime.close();
    }
  }),
});
