/**
 * HTTP throughput and latency of the model server against a bare node:http JSON server, in the same run.
 * The server under test runs on core 0 and the load generator (autocannon) on core 1 (taskset), when the
 * machine has both; the baseline server gets the same core and the same load.
 *
 *   node dist/bench/http-predict.bench.js [--duration 8] [--connections 32] [--rounds 2]
 *
 * Scenarios: single-record POST /predict at full load (server vs bare), at a fixed 1,000 requests/s (p99),
 * and POST /predict/batch with 1,000 records (records/s, server vs bare). Each figure is the best of the
 * rounds, and the server's CPU time per request is reported beside throughput: on a shared machine it is
 * the steadier measure.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCsvRecords } from '../src/features/csv-records.js';
import { telcoChurnSchema } from '../src/features/telco-schema.js';
import { bundledDataFile } from '../src/model/bundled-model.js';
import { packageRoot } from '../src/foundation/package-files.js';
import { reportBench } from './bench-report.js';

const BATCH_SIZE = 1000;

/** The baseline: parse a JSON body, answer JSON of the same shape as the real server, nothing else. */
function runBareServer(): void {
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => { text += chunk; });
    request.on('end', () => {
      const body = JSON.parse(text) as { records?: { customerID?: string }[]; customerID?: string };
      const answer = Array.isArray(body.records)
        ? { modelVersion: 'bare', threshold: 0.5, count: body.records.length, failed: 0, results: body.records.map((r) => ({ customerID: r.customerID, churnProbability: 0.5, churn: false })) }
        : { customerID: body.customerID, churnProbability: 0.5, churn: false, threshold: 0.5, modelVersion: 'bare' };
      const payload = JSON.stringify(answer);
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
      response.end(payload);
    });
  });
  server.keepAliveTimeout = 75_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ msg: 'listening', port: (server.address() as { port: number }).port })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

interface Target {
  name: string;
  port: number;
  process: ChildProcess;
}

const canPin = (() => {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
})();

/** Runs a command, pinned to one core when possible. */
function pinned(core: number, command: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  return canPin ? spawn('taskset', ['-c', String(core), command, ...args], options) : spawn(command, args, options);
}

/** Starts a server on core 0 and waits for its "listening" log line (stdout goes to a file, not a pipe we must drain). */
async function startTarget(name: string, args: string[], env: Record<string, string>, logFile: string): Promise<Target> {
  writeFileSync(logFile, '');
  const { openSync } = await import('node:fs');
  const out = openSync(logFile, 'a');
  const child = pinned(0, process.execPath, args, { cwd: packageRoot, env: { ...process.env, ...env }, stdio: ['ignore', out, 'inherit'] });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const line of readFileSync(logFile, 'utf8').split('\n')) {
      if (!line.includes('"listening"')) continue;
      const port = (JSON.parse(line) as { port?: number }).port;
      if (typeof port === 'number') return { name, port, process: child };
    }
    if (child.exitCode !== null) break;
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not start: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
}

interface LoadResult {
  requestsPerSecond: number;
  /** Server CPU time (user + system) per request: robust to other load on the machine, unlike throughput. */
  cpuMicrosPerRequest: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  total: number;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/** One autocannon run on core 1 (its CLI, with --json) against `target`. */
function autocannon(target: Target, path: string, options: { connections: number; duration: number; bodyFile: string; rate?: number }): Promise<LoadResult> {
  const url = `http://127.0.0.1:${target.port}${path}`;
  const cpuBefore = cpuSeconds(target.process.pid);
  const cli = join(packageRoot, 'node_modules', 'autocannon', 'autocannon.js');
  const args = [cli, '--json', '-n', '-c', String(options.connections), '-d', String(options.duration), '-m', 'POST',
    '-H', 'content-type=application/json', '-i', options.bodyFile, ...(options.rate === undefined ? [] : ['-R', String(options.rate)]), url];
  return new Promise((resolve, reject) => {
    const child = pinned(1, process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
    child.on('exit', (code) => {
      if (code !== 0) { reject(new Error(`autocannon exited ${code}: ${err.slice(-1000)}`)); return; }
      const r = JSON.parse(out) as {
        requests: { average: number; total: number }; latency: { p50: number; p99: number };
        non2xx: number; errors: number; timeouts: number; duration: number;
      };
      const cpu = cpuSeconds(target.process.pid) - cpuBefore;
      resolve({
        requestsPerSecond: r.requests.total / r.duration, cpuMicrosPerRequest: (cpu * 1e6) / r.requests.total, p50Ms: r.latency.p50, p99Ms: r.latency.p99,
        non2xx: r.non2xx, errors: r.errors + r.timeouts, total: r.requests.total,
      });
    });
  });
}

async function stop(target: Target): Promise<void> {
  const exited = new Promise((resolve) => target.process.once('exit', resolve));
  target.process.kill('SIGKILL');
  await exited;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'bare-server': { type: 'boolean', default: false },
      duration: { type: 'string', default: '8' },
      connections: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '2' },
    },
  });
  if (values['bare-server']) { runBareServer(); return; }
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const rounds = Number(values.rounds);

  const work = mkdtempSync(join(tmpdir(), 'http-predict-bench-'));
  const records = parseCsvRecords(readFileSync(bundledDataFile, 'utf8'), telcoChurnSchema).records;
  const singleFile = join(work, 'single.json');
  const batchFile = join(work, 'batch.json');
  writeFileSync(singleFile, JSON.stringify(records[0]));
  writeFileSync(batchFile, JSON.stringify({ records: records.slice(0, BATCH_SIZE) }));

  const self = join(packageRoot, 'dist', 'bench', 'http-predict.bench.js');
  const cli = join(packageRoot, 'dist', 'src', 'cli', 'main.js');
  const targets: Target[] = [];
  try {
    const bare = await startTarget('bare node:http', [self, '--bare-server'], {}, join(work, 'bare.log'));
    targets.push(bare);
    // The server as deployed: default configuration (LOG_LEVEL=info, one log line per request, metrics, shedding armed).
    const server = await startTarget('churn-predictor', [cli, 'serve'], { PORT: '0', HOST: '127.0.0.1' }, join(work, 'server.log'));
    targets.push(server);

    // Warm both up (JIT, connection setup) before measuring.
    await autocannon(bare, '/predict', { connections: 8, duration: 2, bodyFile: singleFile });
    await autocannon(server, '/predict', { connections: 8, duration: 2, bodyFile: singleFile });

    const single = { bare: [] as LoadResult[], server: [] as LoadResult[] };
    const batch = { bare: [] as LoadResult[], server: [] as LoadResult[] };
    const batchConnections = 4;
    for (let round = 0; round < rounds; round++) {
      // Interleaved, so drift in the machine's load hits both sides alike.
      single.bare.push(await autocannon(bare, '/predict', { connections, duration, bodyFile: singleFile }));
      single.server.push(await autocannon(server, '/predict', { connections, duration, bodyFile: singleFile }));
      batch.bare.push(await autocannon(bare, '/predict/batch', { connections: batchConnections, duration, bodyFile: batchFile }));
      batch.server.push(await autocannon(server, '/predict/batch', { connections: batchConnections, duration, bodyFile: batchFile }));
    }
    const paced = await autocannon(server, '/predict', { connections: 16, duration, bodyFile: singleFile, rate: 1000 });
    const pacedBare = await autocannon(bare, '/predict', { connections: 16, duration, bodyFile: singleFile, rate: 1000 });

    const best = (runs: LoadResult[]) => runs.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
    const sb = best(single.bare);
    const ss = best(single.server);
    const bb = best(batch.bare);
    const bs = best(batch.server);
    const serverRuns = [...single.server, ...batch.server, paced];
    const shed = serverRuns.reduce((n, r) => n + r.non2xx, 0);
    const failures = serverRuns.reduce((n, r) => n + r.errors, 0);
    const logLines = readFileSync(join(work, 'server.log'), 'utf8').split('\n').length;
    reportBench({
      scenario: 'http-predict',
      rows: [
        { metric: 'single: bare node:http', value: sb.requestsPerSecond, unit: 'req/s', note: `${sb.cpuMicrosPerRequest.toFixed(0)} us CPU/req; p99 ${sb.p99Ms} ms; ${connections} connections` },
        { metric: 'single: churn-predictor', value: ss.requestsPerSecond, unit: 'req/s', note: `${ss.cpuMicrosPerRequest.toFixed(0)} us CPU/req; p99 ${ss.p99Ms} ms` },
        { metric: 'single: throughput server/bare', value: ss.requestsPerSecond / sb.requestsPerSecond, unit: 'x', note: 'target >= 0.60' },
        { metric: 'single: CPU/req bare/server', value: sb.cpuMicrosPerRequest / ss.cpuMicrosPerRequest, unit: 'x', note: 'the same ratio, measured as CPU cost' },
        { metric: 'single @1000 req/s: p99', value: paced.p99Ms, unit: 'ms', note: `target < 5 ms; p50 ${paced.p50Ms} ms; achieved ${paced.requestsPerSecond.toFixed(0)} req/s` },
        { metric: 'single @1000 req/s: bare p99', value: pacedBare.p99Ms, unit: 'ms', note: `p50 ${pacedBare.p50Ms} ms (the machine's own noise)` },
        { metric: `batch ${BATCH_SIZE}: bare node:http`, value: bb.requestsPerSecond * BATCH_SIZE, unit: 'records/s', note: `${(bb.cpuMicrosPerRequest / 1000).toFixed(2)} ms CPU/batch; ${batchConnections} connections` },
        { metric: `batch ${BATCH_SIZE}: churn-predictor`, value: bs.requestsPerSecond * BATCH_SIZE, unit: 'records/s', note: `target > 200000; ${(bs.cpuMicrosPerRequest / 1000).toFixed(2)} ms CPU/batch; p99 ${bs.p99Ms} ms` },
        { metric: `batch ${BATCH_SIZE}: records/s per CPU-second`, value: (1e6 * BATCH_SIZE) / bs.cpuMicrosPerRequest, unit: 'records/s', note: 'what one uncontended core would do' },
        { metric: `batch ${BATCH_SIZE}: throughput server/bare`, value: bs.requestsPerSecond / bb.requestsPerSecond, unit: 'x' },
        { metric: 'server non-2xx responses', value: shed, unit: 'responses', note: '503 OVERLOADED when the core is starved: load shedding at work' },
        { metric: 'server connection errors/timeouts', value: failures, unit: 'requests', note: 'must be 0' },
      ],
      extra: {
        command: `node dist/bench/http-predict.bench.js --duration ${duration} --connections ${connections} --rounds ${rounds}`,
        pinning: canPin ? 'server and baseline on core 0, autocannon on core 1 (taskset)' : 'not pinned (taskset or a second core unavailable)',
        serverLogLines: logLines,
        runs: { single, batch, paced, pacedBare },
      },
    });
  } finally {
    for (const target of targets) await stop(target);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
