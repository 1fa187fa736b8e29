#!/usr/bin/env node
// Makes some of the package's optional peer dependencies (onnxruntime-node, @aws-sdk/client-s3) production
// dependencies of this checkout, so that `npm ci --omit=dev` installs them at the versions package-lock.json pins.
// The Dockerfile runs it before `npm ci` to put into the image what its models need (the s3:// overlay needs the
// AWS SDK); a plain `npm install churn-predictor` gets neither.
//
// Usage: node scripts/include-optional-packages.mjs [package ...]    (rewrites ./package.json)
import { readFileSync, writeFileSync } from 'node:fs';

const file = 'package.json';
const manifest = JSON.parse(readFileSync(file, 'utf8'));
const optional = Object.keys(manifest.peerDependenciesMeta ?? {}).filter((name) => manifest.peerDependenciesMeta[name].optional === true);
for (const name of process.argv.slice(2)) {
  if (!optional.includes(name)) {
    process.stderr.write(`${name} is not an optional peer dependency of ${manifest.name} (those are: ${optional.join(', ')})\n`);
    process.exit(1);
  }
  manifest.dependencies[name] = manifest.devDependencies[name] ?? manifest.peerDependencies[name];
  delete manifest.devDependencies[name];
  process.stdout.write(`including ${name}@${manifest.dependencies[name]}\n`);
}
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
