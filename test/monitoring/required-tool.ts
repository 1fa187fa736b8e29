import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/** Whether an executable answers `--version`. */
export function toolAvailable(command: string): boolean {
  const result = spawnSync(command, ['--version'], { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

/**
 * Skips a test loudly when `command` is missing; in CI (CI=true, set by .ci/run's environment) that is a failure
 * instead, as the alerting tests must run there. Returns true when the test may run.
 */
export function requireTool(t: TestContext, command: string, debianPackage: string): boolean {
  if (toolAvailable(command)) return true;
  const message = `${command} is not installed: install the Debian package "${debianPackage}" (apt-get install -y ${debianPackage}) to run this test`;
  if (process.env['CI'] === 'true' || process.env['E2E_REQUIRED'] === '1') throw new Error(message);
  process.stderr.write(`\n!!! SKIPPED: ${message}\n\n`);
  t.skip(message);
  return false;
}
