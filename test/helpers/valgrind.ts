import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

/**
 * Whether valgrind can run here; when it cannot, skips the test with the reason. CI installs valgrind (.ci/run), so
 * there the tests that need it must run, and a missing valgrind fails them instead.
 */
export function valgrindOrSkip(t: { skip: (reason: string) => void }): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    assert.notEqual(process.env['CI'], 'true', 'CI installs valgrind (.ci/run), so this test must run there');
    t.skip('valgrind is not installed (Debian: apt-get install valgrind)');
    return false;
  }
}
