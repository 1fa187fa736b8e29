import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../../src/foundation/package-files.js';

/** `churn-predictor serve` in a child process, as Kubernetes runs it, with its log lines parsed. */
export interface ChildServer {
  child: ChildProcess;
  port: number;
  logs: Record<string, unknown>[];
  stderr: () => string;
  /** Resolves with the exit code (or 128 + signal). */
  exited: Promise<number>;
  /** Kills the process if it is still running (SIGKILL): every test calls it in finally. */
  kill: () => void;
  /** Resolves with the first log line whose message starts with `message` (already logged, or when it is). */
  logged: (message: string, timeoutMs?: number) => Promise<Record<string, unknown>>;
}

export const cliPath = join(packageRoot, 'dist', 'src', 'cli', 'main.js');

function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? -1 : 128 + (signal === 'SIGKILL' ? 9 : 15))));
  });
}

/** Runs the CLI with the given environment; resolves once it logs "listening" (or rejects if it exits first). */
export async function startChildServer(env: Record<string, string>, timeoutMs = 15_000): Promise<ChildServer> {
  const child = spawn(process.execPath, [cliPath, 'serve'], {
    cwd: packageRoot,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = exitCode(child);
  const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const logs: Record<string, unknown>[] = [];
  const waiters: { message: string; resolve: (entry: Record<string, unknown>) => void }[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try { entry = JSON.parse(line) as Record<string, unknown>; } catch { return; }
      logs.push(entry);
      for (const waiter of waiters.filter((w) => String(entry['msg']).startsWith(w.message))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
      if (entry['msg'] === 'listening') { clearTimeout(timer); resolve(entry['port'] as number); }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited with ${code} before listening: ${stderr}`)); });
  }).catch((error: unknown) => { kill(); throw error; });
  const logged = (message: string, timeoutMs = 10_000) => {
    const seen = logs.find((entry) => String(entry['msg']).startsWith(message));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${message}" log line within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({ message, resolve: (entry) => { clearTimeout(timer); resolve(entry); } });
    });
  };
  return { child, port, logs, stderr: () => stderr, exited, kill, logged };
}

/** Runs the CLI expecting it to fail at start-up; returns exit code and stderr. */
export async function runFailingServer(env: Record<string, string>, timeoutMs = 15_000): Promise<{ code: number; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [cliPath, 'serve'], {
    cwd: packageRoot,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exitCode(child);
  clearTimeout(timer);
  return { code, stderr, stdout };
}
