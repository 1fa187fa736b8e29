import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ChurnError } from '../../errors.js';
import { packageRoot } from '../../foundation/package-files.js';

/** One Kubernetes object from a manifest, untyped until a reader picks it apart. */
export type ManifestObject = Record<string, unknown>;

const invalid = (message: string) => new ChurnError('MANIFEST_INVALID', message);

/** Every non-empty document of a multi-document YAML text; `List` objects (kubectl output) are unpacked. */
export function parseManifestText(text: string, origin: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw invalid(`${origin}: not valid YAML (${document.errors[0]!.message})`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${origin}: a document is not a Kubernetes object`);
    const object = value as ManifestObject;
    if (object['kind'] === 'List' && Array.isArray(object['items'])) objects.push(...(object['items'] as ManifestObject[]));
    else objects.push(object);
  }
  return objects;
}

const kustomizationFiles = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** $KUBECTL, then the kubectl that scripts/install-kubectl.mjs unpacks from the npm package, then the PATH. */
function kubectlCandidates(): string[] {
  if (process.env['KUBECTL'] !== undefined) return [process.env['KUBECTL']];
  const cache = join(packageRoot, 'node_modules', '.cache', 'kubectl');
  const unpacked = existsSync(cache) ? readdirSync(cache).sort().reverse().map((version) => join(cache, version, 'kubectl')).filter((p) => existsSync(p)) : [];
  return [...unpacked, 'kubectl'];
}

/**
 * Renders a Kustomize directory with the real tool (`kubectl kustomize`, or `kustomize build`), because a home-made
 * merge would silently differ from what the cluster receives. $KUBECTL names a kubectl binary to use.
 */
function renderKustomization(directory: string): string {
  const attempts: [string, string[]][] = [
    ...kubectlCandidates().map((kubectl): [string, string[]] => [kubectl, ['kustomize', directory]]),
    ['kustomize', ['build', directory]],
  ];
  const problems: string[] = [];
  for (const [command, args] of attempts) {
    const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    if (result.status === 0) return result.stdout;
    problems.push(`${command}: ${result.error?.message ?? result.stderr.trim().split('\n')[0] ?? `exit ${result.status}`}`);
  }
  throw invalid(`${directory} is a Kustomize directory and neither kubectl nor kustomize could render it (${problems.join('; ')}); `
    + `render it first (kubectl kustomize ${directory} > rendered.yaml) and pass the file`);
}

/**
 * The objects of `--manifests`: a rendered multi-document YAML file (e.g. `kubectl kustomize` output), a Kustomize
 * directory (rendered with the real tool), or a directory of plain YAML files.
 */
export function readManifestObjects(path: string): ManifestObject[] {
  if (!existsSync(path)) throw invalid(`${path}: no such file or directory`);
  if (!statSync(path).isDirectory()) return parseManifestText(readFileSync(path, 'utf8'), path);
  const entries = readdirSync(path).sort();
  if (entries.some((name) => kustomizationFiles.includes(name))) return parseManifestText(renderKustomization(path), `kustomize ${path}`);
  const files = entries.filter((name) => /\.ya?ml$/.test(name));
  if (files.length === 0) throw invalid(`${path}: no .yaml files in the directory`);
  return files.flatMap((name) => parseManifestText(readFileSync(join(path, name), 'utf8'), join(path, name)));
}
