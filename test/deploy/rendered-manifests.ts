import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../src/foundation/package-files.js';
import { kubectl } from './kubectl.js';
import { isKubernetesObject, type KubernetesObject } from './kubernetes-object.js';

export const kubernetesDirectory = join(packageRoot, 'deploy', 'kubernetes');
export const overlays = ['local', 'production', 'production-model-from-s3', 'production-model-from-mlflow'] as const;
export type Overlay = (typeof overlays)[number];

/** Parses a multi-document YAML stream; a YAML error or a document that is not an object throws. */
export function parseManifests(text: string, source: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`${source}: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubernetesObject(value)) throw new Error(`${source}: a document is not a Kubernetes object`);
    objects.push(value);
  }
  return objects;
}

const renders = new Map<string, KubernetesObject[]>();

/** `kubectl kustomize` of a kustomization directory (relative to deploy/kubernetes), parsed. */
export function renderKustomization(relativeDirectory: string): KubernetesObject[] {
  let objects = renders.get(relativeDirectory);
  if (objects === undefined) {
    const directory = join(kubernetesDirectory, relativeDirectory);
    objects = parseManifests(kubectl(['kustomize', directory]), directory);
    renders.set(relativeDirectory, objects);
  }
  return objects;
}

export function renderOverlay(overlay: Overlay): KubernetesObject[] {
  return renderKustomization(join('overlays', overlay));
}

/** A YAML file from the repository (e.g. a fixture or the Secret example), parsed. */
export function loadManifestFile(path: string): KubernetesObject[] {
  return parseManifests(readFileSync(path, 'utf8'), path);
}
