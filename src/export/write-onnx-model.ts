import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { ChurnError } from '../errors.js';
import type { LoadedModel } from '../model/artifact-loader.js';
import { sidecarManifestFile, type SidecarManifest } from '../runtimes/sidecar-manifest.js';
import { exportOnnx } from './onnx-export.js';

/**
 * Writes `<out>.onnx` and its sidecar manifest (name, version, threshold and feature schema, which ONNX cannot carry where the runtime
 * reads them), each through a temporary file and a rename so a reader never sees half a model.
 */
export function writeOnnxModel(loaded: LoadedModel, out: string): { model: string; manifest: string; bytes: number } {
  if (extname(out).toLowerCase() !== '.onnx') throw new ChurnError('INVALID_ARGUMENT', `--out must name an .onnx file, got ${out}`);
  const bytes = exportOnnx(loaded);
  const manifest: SidecarManifest = {
    name: loaded.manifest.name, version: loaded.manifest.version, threshold: loaded.manifest.threshold.value, schema: loaded.manifest.schema,
  };
  const manifestFile = sidecarManifestFile(out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, bytes);
  writeFileSync(`${manifestFile}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${manifestFile}.tmp`, manifestFile);
  renameSync(`${out}.tmp`, out);
  return { model: out, manifest: manifestFile, bytes: bytes.length };
}
