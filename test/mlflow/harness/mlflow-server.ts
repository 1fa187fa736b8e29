import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '../../../src/foundation/package-files.js';
import { freePort } from '../../../src/foundation/free-port.js';

/** The virtual environment .ci/run builds from test/mlflow/requirements.txt (MLflow, XGBoost, ONNX, LightGBM). */
export const mlflowVenv = process.env['CHURN_MLFLOW_VENV'] ?? join(packageRoot, '.venv', 'mlflow');
export const venvPython = join(mlflowVenv, 'bin', 'python');
const venvMlflow = join(mlflowVenv, 'bin', 'mlflow');

/**
 * Why the MLflow tests cannot run here, or undefined when they can. In CI (CI=true) a missing venv is a failure,
 * not a skip: the caller throws the reason.
 */
export function mlflowMissing(): string | undefined {
  if (existsSync(venvPython) && existsSync(venvMlflow)) return undefined;
  return `no MLflow venv at ${mlflowVenv}: create it with python3 -m venv ${mlflowVenv} && ${mlflowVenv}/bin/pip install -r test/mlflow/requirements.txt (as .ci/run does)`;
}

export const mlflowRequired = process.env['CI'] === 'true';

/** No usage reports to the internet from a test run (MLflow 3 sends them by default), no __pycache__ in the tree. */
export const quietPythonEnv: Record<string, string> = { MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true', PYTHONWARNINGS: 'ignore', PYTHONDONTWRITEBYTECODE: '1' };

export interface MlflowServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Where --serve-artifacts keeps the files (`mlflow-artifacts:/<path>` is `<artifactsDir>/<path>`). */
  readonly artifactsDir: string;
  /** Seconds from spawn to the first healthy answer. */
  readonly startSeconds: number;
  readonly output: () => string;
  stop(): Promise<void>;
}

export interface StartOptions {
  directory: string;
  /** `mlflow server --app-name basic-auth`, configured by this ini file's contents. */
  basicAuth?: { config: string };
  /** More environment for the server (what the authorization function reads). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * `mlflow server` with a SQLite backend and --serve-artifacts on a temporary folder, on a free loopback port,
 * one worker and no job runner (the tests need the REST API only). Resolves once GET /health answers.
 * The server runs in its own process group, so stop() ends it and the uvicorn worker it spawns, and nothing else.
 */
export async function startMlflowServer(options: StartOptions): Promise<MlflowServer> {
  const { directory } = options;
  mkdirSync(directory, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const artifactsDir = join(directory, 'artifacts');
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? directory, ...quietPythonEnv, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false', ...options.env,
  };
  const args = [
    'server', '--backend-store-uri', `sqlite:///${join(directory, 'mlflow.db')}`, '--serve-artifacts', '--artifacts-destination', artifactsDir,
    '--host', '127.0.0.1', '--port', String(port), '--workers', '1',
  ];
  if (options.basicAuth !== undefined) {
    const ini = join(directory, 'basic_auth.ini');
    writeFileSync(ini, options.basicAuth.config.replaceAll('{directory}', directory));
    env['MLFLOW_AUTH_CONFIG_PATH'] = ini;
    // The test's own authorization function (Basic, or a bearer token) is importable from here.
    env['PYTHONPATH'] = join(packageRoot, 'test', 'mlflow');
    args.push('--app-name', 'basic-auth');
  }
  const started = performance.now();
  const server = await startServerGroup('mlflow server', venvMlflow, args, { cwd: directory, env }, `${url}/health`, options.timeoutMs ?? 180_000);
  return { url, artifactsDir, startSeconds: (performance.now() - started) / 1000, ...server };
}

/** Runs a script of test/mlflow in the venv; rejects with its output when it fails. */
export async function runVenvPython(script: string, args: string[], env: Record<string, string>, timeoutMs = 300_000): Promise<string> {
  const child = spawn(venvPython, [join(packageRoot, 'test', 'mlflow', script), ...args], {
    cwd: packageRoot, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...quietPythonEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${code}: ${output().slice(-3000)}`);
  return output();
}

export interface MlflowModelServer {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * `mlflow models serve -m <model URI> --env-manager local`: MLflow's own scoring server over the model the registry
 * names, the reference the MLflow scoring protocol is compared with. Resolves once GET /ping answers 200.
 */
export async function startMlflowModelServer(modelUri: string, trackingUri: string, timeoutMs = 180_000): Promise<MlflowModelServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServerGroup(`mlflow models serve ${modelUri}`, venvMlflow, ['models', 'serve', '-m', modelUri, '--env-manager', 'local', '-h', '127.0.0.1', '-p', String(port), '-w', '1'], {
    cwd: packageRoot,
    // The venv's bin first: MLflow runs uvicorn from PATH.
    env: { PATH: `${join(mlflowVenv, 'bin')}:${process.env['PATH'] ?? ''}`, HOME: process.env['HOME'] ?? '/tmp', ...quietPythonEnv, MLFLOW_TRACKING_URI: trackingUri },
  }, `${url}/ping`, timeoutMs);
  return { url, ...server };
}

/** Everything a child writes to stdout and stderr, as it comes. */
function collectOutput(child: ChildProcess): () => string {
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  return () => output;
}

/**
 * Spawns a server in a process group of its own and resolves once `healthUrl` answers 2xx. stop() ends the group
 * (the server and the workers it spawned, nothing else): SIGTERM, then SIGKILL after 10 s.
 */
async function startServerGroup(
  what: string, command: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }, healthUrl: string, timeoutMs: number,
): Promise<{ output: () => string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collectOutput(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
    if (await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)])) return;
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    await exited;
  };
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${output().slice(-2000)}`);
    try {
      if ((await fetch(healthUrl, { signal: AbortSignal.timeout(2000) })).ok) break;
    } catch {
      // Not listening yet.
    }
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`${what} did not answer ${new URL(healthUrl).pathname} within ${timeoutMs} ms: ${output().slice(-2000)}`);
    }
    await sleep(250);
  }
  return { output, stop };
}
