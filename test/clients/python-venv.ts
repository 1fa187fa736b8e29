import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/foundation/package-files.js';

/** The venv .ci/run creates for the real clients and schemathesis (test/clients/requirements.txt). */
export const clientsPython = join(packageRoot, '.venv', 'clients', 'bin', 'python');

/** Why these tests cannot run here (the venv is missing), or undefined when they can. */
export const venvMissing: string | undefined = existsSync(clientsPython)
  ? undefined
  : 'the clients\' Python venv is missing: python3 -m venv .venv/clients && .venv/clients/bin/pip install -r test/clients/requirements.txt';

/**
 * In CI (CI=true) the real clients must run: a missing venv is a failing test there, a loud skip elsewhere.
 * Call once per test file, beside `describe(..., { skip: venvMissing })`.
 */
export function requireVenvInCi(what: string): void {
  if (venvMissing === undefined) return;
  if (process.env['CI'] === 'true') {
    test(`${what}: the clients' venv is installed (CI=true: these tests must run)`, () => { throw new Error(venvMissing); });
  } else {
    process.stderr.write(`\n!!! SKIPPED ${what}: ${venvMissing}\n\n`);
  }
}

/** Runs a program of the venv; resolves with its exit code, stdout and stderr (never rejects for a non-zero exit). */
export function runVenv(program: string, args: readonly string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: packageRoot,
      // No bytecode in the tree; no proxies or user site-packages leaking in.
      env: { PATH: process.env['PATH'] ?? '', PYTHONDONTWRITEBYTECODE: '1', PYTHONNOUSERSITE: '1', HOME: process.env['HOME'] ?? '/tmp', NO_PROXY: '*' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal === null ? -1 : 137), stdout, stderr });
    });
  });
}
