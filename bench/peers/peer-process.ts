/**
 * A peer's server process: started pinned to the servers' core, timed from spawn until its readiness endpoint answers
 * 200, and stopped with its whole process group (Python servers fork workers).
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { pinned, SERVER_CORE } from '../load-targets.js';
import type { Launch } from './peer-servers.js';
export { freePort } from '../../src/foundation/free-port.js';


export interface RunningPeer {
  process: ChildProcess;
  pid: number;
  origin: string;
  startupSeconds: number;
  logFile: string;
}

/** 200 from GET `url` within a short timeout; false on any other answer or error. */
async function answers200(url: string): Promise<boolean> {
  try {
    const response = await request(url, { method: 'GET', headersTimeout: 2000, bodyTimeout: 2000 });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  }
}

/** Starts the server and resolves once `readyPath` answers 200 (polled every 20 ms). */
export async function startPeer(launch: Launch, port: number, readyPath: string, logFile: string, timeoutSeconds = 180): Promise<RunningPeer> {
  const log = openSync(logFile, 'w');
  const started = performance.now();
  // taskset execs the server, so the child's pid is the server's; detached gives it a process group to stop.
  const child = pinned(SERVER_CORE, launch.command, launch.args, {
    cwd: launch.cwd,
    env: { ...process.env, ...launch.env },
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  const origin = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => { exitCode = code; });
  while (performance.now() - started < timeoutSeconds * 1000) {
    if (await answers200(`${origin}${readyPath}`)) {
      return { process: child, pid: child.pid!, origin, startupSeconds: (performance.now() - started) / 1000, logFile };
    }
    if (exitCode !== undefined) break;
    await sleep(20);
  }
  await stopPeer({ process: child, pid: child.pid!, origin, startupSeconds: 0, logFile });
  const tail = readFileSync(logFile, 'utf8').slice(-3000);
  throw new Error(exitCode !== undefined ? `exited with ${exitCode} before it was ready:\n${tail}` : `not ready after ${timeoutSeconds} s:\n${tail}`);
}

/** SIGTERM to the process group, SIGKILL after 5 s. */
export async function stopPeer(peer: RunningPeer): Promise<void> {
  if (peer.process.exitCode !== null || peer.process.signalCode !== null) return;
  const exited = new Promise((resolve) => peer.process.once('exit', resolve));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-peer.pid, signal);
    } catch {
      // already gone
    }
  };
  signalGroup('SIGTERM');
  const killed = await Promise.race([exited.then(() => false), sleep(5000).then(() => true)]);
  if (killed) {
    signalGroup('SIGKILL');
    await exited;
  }
  // Workers that outlived their parent in the group.
  signalGroup('SIGKILL');
}
