/**
 * Process start to ready for the bundled model, against what the same machine needs for less: Node alone, a bare
 * node:http server, and importing the third-party modules the server cannot serve without (fastify, pino, prom-client)
 * one file at a time from node_modules, as the server did before its command line was bundled. Every process is pinned to core 0; each figure is the median of `--starts` starts.
 *
 *   node dist/bench/start-up.bench.js [--starts 7]
 *
 * "Ready" is the `listening` line (the port is open, the model loaded and warmed); the server's own breakdown of
 * that time comes from the same line (src/server/start-server.ts): modules (Node's start and imports), model,
 * app (routes and their schemas), listen. The server starts three times each time: HTTP only (GRPC_PORT=0, issue 16's
 * row 6 and the breakdown), the same without V8's code cache (NODE_DISABLE_COMPILE_CACHE=1: compiling the server, as
 * a build without a cache would), and as `npm start` runs it, with gRPC on. The cache is the one the build writes
 * (scripts/warm-code-cache.mjs, run here first in case it has not).
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { packageRoot } from '../src/foundation/package-files.js';
import { serveArguments } from '../src/foundation/server-launch.js';
import { median, reportBench } from './bench-report.js';
import { freePort, ON_LOOPBACK, pinned, pinningNote, SERVER_CORE } from './load-targets.js';

interface Start {
  wallMs: number;
  /** The listening line's fields, when there is one. */
  listening?: Record<string, number>;
}

/** Spawns `args` on core 0 and resolves when it prints a line containing `until` (then kills it) or exits. */
function timeStart(args: string[], env: Record<string, string>, until?: string): Promise<Start> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = pinned(SERVER_CORE, process.execPath, args, { cwd: packageRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let done = false;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (done || until === undefined) return;
      const line = out.split('\n').find((l) => l.includes(until));
      if (line === undefined) return;
      done = true;
      const wallMs = performance.now() - started;
      child.kill('SIGKILL');
      resolve({ wallMs, listening: JSON.parse(line) as Record<string, number> });
    });
    child.on('exit', (code) => {
      if (done) return;
      if (until !== undefined || code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${out.slice(-500)}`));
      else resolve({ wallMs: performance.now() - started });
    });
  });
}

const { values } = parseArgs({ options: { starts: { type: 'string', default: '7' } } });
const starts = Number(values.starts);
const bareServer = join(packageRoot, 'dist', 'bench', 'http-predict.bench.js');
const imports = "await Promise.all([import('fastify'), import('pino'), import('prom-client')])";
const runs = { node: [] as Start[], bare: [] as Start[], imports: [] as Start[], server: [] as Start[], withoutCache: [] as Start[], withGrpc: [] as Start[] };
execFileSync(process.execPath, [join(packageRoot, 'scripts', 'warm-code-cache.mjs')], { stdio: 'inherit' });
for (let i = 0; i < starts; i++) {
  // Interleaved, so drift in the machine's load hits every kind alike.
  runs.node.push(await timeStart(['-e', ''], {}));
  runs.bare.push(await timeStart([bareServer, '--bare-server'], {}, '"listening"'));
  runs.imports.push(await timeStart(['--input-type=module', '-e', imports], {}));
  runs.server.push(await timeStart(serveArguments(), ON_LOOPBACK, '"listening"'));
  runs.withoutCache.push(await timeStart(serveArguments(), { ...ON_LOOPBACK, NODE_DISABLE_COMPILE_CACHE: '1' }, '"listening"'));
  // As `npm start` runs it: gRPC is on unless GRPC_PORT=0, and the listening line waits for both endpoints.
  runs.withGrpc.push(await timeStart(serveArguments(), { PORT: '0', GRPC_PORT: String(await freePort()), HOST: '127.0.0.1' }, '"listening"'));
}
const wall = (list: Start[]) => median(list.map((s) => s.wallMs));
const phase = (name: string) => median(runs.server.map((s) => s.listening?.[name] ?? Number.NaN));
const serverWall = wall(runs.server);
reportBench({
  scenario: 'start-up',
  rows: [
    { metric: 'churn-predictor serve: start to ready', value: serverWall, unit: 'ms', note: `issue 16 row 6: target <= 250; spawn to the listening line, bundled model` },
    { metric: '  in the process: modules (Node start + imports)', value: phase('modulesMs'), unit: 'ms', note: 'performance.now() when startServer begins' },
    { metric: '  in the process: model (load, verify, warm up)', value: phase('modelMs'), unit: 'ms' },
    { metric: '  in the process: app (routes, schemas compiled)', value: phase('appMs'), unit: 'ms' },
    { metric: '  in the process: listen', value: phase('listenMs'), unit: 'ms' },
    { metric: '  outside the process (spawn, exec, pipe)', value: serverWall - phase('sinceProcessStartMs'), unit: 'ms' },
    { metric: 'the same start without the code cache', value: wall(runs.withoutCache), unit: 'ms', note: 'NODE_DISABLE_COMPILE_CACHE=1: V8 compiles the server bundle' },
    { metric: 'churn-predictor serve with gRPC on (the default)', value: wall(runs.withGrpc), unit: 'ms', note: 'GRPC_PORT set: the listening line comes once HTTP and gRPC both answer' },
    { metric: 'node -e "" (Node alone, to exit)', value: wall(runs.node), unit: 'ms', note: 'the floor of any Node server' },
    { metric: 'bare node:http: start to listening', value: wall(runs.bare), unit: 'ms' },
    { metric: 'node importing fastify, pino, prom-client (to exit)', value: wall(runs.imports), unit: 'ms', note: 'unbundled, from node_modules: what the bundle saves' },
    { metric: 'server start / bare node:http start', value: serverWall / wall(runs.bare), unit: 'x' },
  ],
  extra: { command: `node dist/bench/start-up.bench.js --starts ${starts}`, pinning: pinningNote, runs },
});
