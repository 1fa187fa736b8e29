/**
 * What the HTTP benchmarks share: servers started on core 0 and load generators on core 1 (taskset, when the
 * machine has both), the bare node:http baseline, autocannon runs, and a process's CPU time from /proc (on a
 * shared machine the steadier measure beside throughput).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseCsvRecords } from '../src/features/csv-records.js';
import { telcoChurnSchema } from '../src/features/telco-schema.js';
import { packageRoot } from '../src/foundation/package-files.js';
import { bundledDataFile } from '../src/model/bundled-model.js';
import type { MaybePromise } from '../src/serving/maybe-promise.js';
import { median } from './bench-report.js';
import { readProcStat } from './peers/process-tree.js';
import { canCountSyscalls, countKernelWork } from './syscall-counter.js';
// For GRPC_PORT, where 0 means "off" rather than "any".
export { freePort } from '../src/foundation/free-port.js';

/** What both baselines answer: JSON of the same shape as the real server's, for one record or a batch. */
function bareAnswer(body: { records?: { customerID?: string }[]; customerID?: string }): object {
  return Array.isArray(body.records)
    ? { modelVersion: 'bare', threshold: 0.5, count: body.records.length, failed: 0, results: body.records.map((r) => ({ customerID: r.customerID, churnProbability: 0.5, churn: false })) }
    : { customerID: body.customerID, churnProbability: 0.5, churn: false, threshold: 0.5, modelVersion: 'bare' };
}

function announceListening(port: number): void {
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port })}\n`);
}

/** A 200 answer of JSON text, as every baseline writes it. */
function answerJson(response: ServerResponse, payload: string): void {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  response.end(payload);
}

/** The bundled model's serving core for the scoring baselines: no shedding, no process metrics. */
async function openScoringCore() {
  const [{ openModelWithProvenance }, { openServingCore }, { bundledModelDirectory }] = await Promise.all([
    import('../src/runtimes/open-model-from.js'), import('../src/serving/open-serving-core.js'), import('../src/model/bundled-model.js'),
  ]);
  const { runtime } = await openModelWithProvenance(bundledModelDirectory);
  return openServingCore(runtime, { threshold: undefined, maxBatchSize: 1000, apiKeys: [], maxEventLoopDelayMs: 0, processMetrics: false });
}

/** Drift monitoring off: the scoring baselines do the model's work and nothing for operators. */
const unmonitored = { monitored: false };

/** The baseline: parse a JSON body, answer JSON of the same shape as the real server, nothing else. */
export function runBareServer(): void {
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => { text += chunk; });
    request.on('end', () => {
      answerJson(response, JSON.stringify(bareAnswer(JSON.parse(text) as object)));
    });
  });
  server.keepAliveTimeout = 75_000;
  server.listen(0, '127.0.0.1', () => announceListening((server.address() as { port: number }).port));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

/**
 * The same baseline in Fastify, set up as lean as the server's app (no logger, no schemas, the same JSON parsing):
 * what the framework alone costs per request, the floor of any server built on it.
 */
export async function runBareFastifyServer(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false, onProtoPoisoning: 'ignore', onConstructorPoisoning: 'ignore', keepAliveTimeout: 75_000 });
  app.post('/*', (request) => bareAnswer(request.body as object));
  await app.listen({ port: 0, host: '127.0.0.1' });
  announceListening((app.server.address() as { port: number }).port);
  process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)); });
}

/**
 * Bare Fastify (as above) that scores the bundled model through the serving core's data plane, with drift
 * monitoring off: the framework plus the work any server of this model must do (decode, validate, encode, score,
 * answer), and none of what the server adds for operators (request ids, metrics, the request log, drift,
 * admission and the run queue). The floor of a Fastify server of this model.
 */
export async function runScoringFastifyServer(): Promise<void> {
  const [{ default: Fastify }, core] = await Promise.all([import('fastify'), openScoringCore()]);
  const app = Fastify({ logger: false, onProtoPoisoning: 'ignore', onConstructorPoisoning: 'ignore', keepAliveTimeout: 75_000 });
  app.post('/predict', (request) => core.plane.predict(request.body, unmonitored, 'rest'));
  await app.listen({ port: 0, host: '127.0.0.1' });
  announceListening((app.server.address() as { port: number }).port);
  process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)); });
}

/** The bundled model's runtime answers synchronously: a floor that awaited would not be one. */
function synchronous<T>(answer: MaybePromise<T>): T {
  if (answer instanceof Promise) throw new Error('the bundled model answered asynchronously');
  return answer;
}

/**
 * Bare node:http that scores the bundled model through the serving core's data plane, drift monitoring off: the
 * work any server of this model must do (decode, validate, encode, score, answer) on the same HTTP layer as the
 * server's own /predict (routes/predict-one.ts), with none of what it adds for operators (request ids, metrics,
 * the request log, drift, admission and the run queue). The floor of rows 1, 2 and 4 of issue 16 for this
 * model on node:http: what the server could reach if operators' features cost nothing.
 */
export async function runScoringNodeServer(): Promise<void> {
  const [core, { encodeBatchJson }, { BodyBuffers, readPooledBody }] = await Promise.all([
    openScoringCore(), import('../src/serving/codecs/batch-json.js'), import('../src/server/body-buffers.js'),
  ]);
  // Batches are read into kept buffers as the server reads them: joining each body's chunks anew costs more than
  // the model's work (a fresh 464 KB buffer a batch, and the collections its external memory brings on).
  const buffers = new BodyBuffers();
  const server = createServer((request, response) => {
    if (request.url === '/predict/batch') {
      readPooledBody(request, request.headers['content-length'], 2 ** 24, buffers, (error, body) => {
        if (error !== null || body === undefined) throw error;
        answerJson(response, encodeBatchJson(synchronous(core.plane.predictJsonBatch(body.bytes, unmonitored, 'rest'))));
        body.release();
      });
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => { chunks.push(chunk); });
    request.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      answerJson(response, JSON.stringify(synchronous(core.plane.predict(JSON.parse(body.toString('utf8')), unmonitored, 'rest'))));
    });
  });
  server.keepAliveTimeout = 75_000;
  server.listen(0, '127.0.0.1', () => announceListening((server.address() as { port: number }).port));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

/** A `KEY=VALUE` setting from a bench's command line (`--with`), as the name and value of an environment variable. */
export function environmentSetting(setting: string): [string, string] {
  const equals = setting.indexOf('=');
  if (equals < 1) throw new Error(`a setting takes KEY=VALUE, not ${setting}`);
  return [setting.slice(0, equals), setting.slice(equals + 1)];
}

/** The server's variables for a bench: a free port for HTTP, gRPC off, loopback only (startTarget reads the port it took). */
export const ON_LOOPBACK: Readonly<Record<string, string>> = { PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1' };

export interface Target {
  name: string;
  port: number;
  /** The listening line's other fields (grpcPort). */
  listening: Record<string, unknown>;
  process: ChildProcess;
}

/** Where servers run and where load generators run, when the machine can pin them. */
export const SERVER_CORE = 0;
export const GENERATOR_CORE = 1;

export const canPin = (() => {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
})();

export const pinningNote = canPin ? `servers on core ${SERVER_CORE}, load generators on core ${GENERATOR_CORE} (taskset)` : 'not pinned (taskset or a second core unavailable)';

/**
 * Moves this process, all its threads, to `core` where pinning is possible: a bench that generates load or samples
 * a server from its own process then stays off the server's core. Its children inherit the core unless started
 * with `pinned`.
 */
export function pinThisProcess(core: number): void {
  if (canPin) execFileSync('taskset', ['-a', '-cp', String(core), String(process.pid)], { stdio: 'ignore' });
}

/** Runs a command, pinned to one core when possible. */
export function pinned(core: number, command: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  return canPin ? spawn('taskset', ['-c', String(core), command, ...args], options) : spawn(command, args, options);
}

export interface StartOptions {
  /**
   * A command that runs node (valgrind and its flags, say). The server then runs unpinned, its stderr dropped (the
   * launcher's own messages would mix with the bench's).
   */
  launcher?: readonly string[];
  /** How long it may take to listen: 20 s, or minutes under valgrind. */
  timeoutMs?: number;
}

// Servers still running are killed when the bench exits, whatever stopped it: one failing scenario must not leave
// another's server behind.
const running = new Set<ChildProcess>();
process.once('exit', () => { for (const child of running) child.kill('SIGKILL'); });

/**
 * Starts a server (on core 0 unless launched) and waits for its "listening" log line, or, above LOG_LEVEL=info
 * where there is none, for its fixed PORT to answer /livez. stdout goes to a file, not a pipe we must drain.
 */
export async function startTarget(name: string, args: string[], env: Record<string, string>, logFile: string, options: StartOptions = {}): Promise<Target> {
  writeFileSync(logFile, '');
  const out = openSync(logFile, 'a');
  const spawnOptions = { cwd: packageRoot, env: { ...process.env, ...env } };
  const [launcher, ...launcherArgs] = options.launcher ?? [];
  const child = launcher === undefined
    ? pinned(SERVER_CORE, process.execPath, args, { ...spawnOptions, stdio: ['ignore', out, 'inherit'] })
    : spawn(launcher, [...launcherArgs, process.execPath, ...args], { ...spawnOptions, stdio: ['ignore', out, 'ignore'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const deadline = performance.now() + (options.timeoutMs ?? 20_000);
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const line of readFileSync(logFile, 'utf8').split('\n')) {
      if (!line.includes('"listening"')) continue;
      const listening = JSON.parse(line) as { port?: number } & Record<string, unknown>;
      if (typeof listening.port === 'number') return { name, port: listening.port, listening, process: child };
    }
    const fixedPort = Number(env['PORT'] ?? 0);
    if (fixedPort > 0 && (await fetch(`http://127.0.0.1:${fixedPort}/livez`).then((r) => r.ok, () => false))) {
      return { name, port: fixedPort, listening: {}, process: child };
    }
    if (child.exitCode !== null) break;
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not start: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
}

export async function stop(target: Target): Promise<void> {
  const exited = new Promise((resolve) => target.process.once('exit', resolve));
  target.process.kill('SIGKILL');
  await exited;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Requests answered 2xx (OK for gRPC) per second. */
  okPerSecond: number;
  /** Server CPU time (user + system) per request: robust to other load on the machine, unlike throughput. */
  cpuMicrosPerRequest: number;
  /** The part of it spent in the kernel (system time); NaN where /proc is not there. */
  systemMicrosPerRequest?: number;
  /** With countKernel: the server's system calls and context switches per request (all its threads). */
  syscallsPerRequest?: number;
  contextSwitchesPerRequest?: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  total: number;
  /** The load generator's CPU time per request, where it reports it (grpc-load). */
  generatorCpuMicrosPerRequest?: number;
  /** Share of the run the hypervisor gave the server's core to other guests (NaN where /proc/stat has no such line). */
  stolenPercent: number;
}

/** CPU seconds a process has used so far, in the kernel and in all, from /proc (Linux); NaN elsewhere. */
export function cpuSeconds(pid: number | undefined): { system: number; total: number } {
  const stat = pid === undefined ? undefined : readProcStat(pid);
  return stat === undefined ? { system: Number.NaN, total: Number.NaN } : { system: stat.systemSeconds, total: stat.cpuSeconds };
}

/**
 * Ticks of the server core's time the hypervisor ran other guests on ("steal" in /proc/stat), so far; NaN where
 * unknown. On a shared host this is what moves timed figures that instruction counts say should not move.
 */
export function stolenTicks(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${SERVER_CORE} `));
    return Number(line!.split(/ +/)[8]); // cpuN user nice system idle iowait irq softirq steal (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

/** The share of the last `seconds` stolen from the server core, given `stolenTicks()` read when they began. */
export const stolenPercentSince = (ticksBefore: number, seconds: number): number => ((stolenTicks() - ticksBefore) / 100 / seconds) * 100;

export interface AutocannonOptions {
  connections: number;
  duration: number;
  bodyFile: string;
  rate?: number;
  /** Request headers; content-type application/json when absent. */
  headers?: Record<string, string>;
  /** Count the server's system calls and context switches too, where perf can (syscall-counter.ts). */
  countKernel?: boolean;
}

/** One autocannon run on core 1 (bench/http-load.ts: binary bodies intact) against `target`. */
export async function autocannon(target: Target, path: string, options: AutocannonOptions): Promise<LoadResult> {
  const url = `http://127.0.0.1:${target.port}${path}`;
  const kernel = options.countKernel === true && canCountSyscalls() ? await countKernelWork(target.process.pid!) : undefined;
  const cpuBefore = cpuSeconds(target.process.pid);
  const stolenBefore = stolenTicks();
  const headers = Object.entries(options.headers ?? { 'content-type': 'application/json' }).flatMap(([k, v]) => ['--header', `${k}=${v}`]);
  const args = [join(packageRoot, 'dist', 'bench', 'http-load.js'), '--url', url, '--body', options.bodyFile, '--connections', String(options.connections),
    '--duration', String(options.duration), ...headers, ...(options.rate === undefined ? [] : ['--rate', String(options.rate)])];
  const r = await runGenerator<{
    requests: { average: number; total: number }; latency: { p50: number; p99: number };
    non2xx: number; errors: number; timeouts: number; duration: number;
  }>('autocannon', args).catch(async (error: unknown) => {
    // perf would otherwise stay attached to the server for the rest of the bench.
    await kernel?.stop().catch(() => undefined);
    throw error;
  });
  const cpu = cpuSeconds(target.process.pid);
  const counted = await kernel?.stop();
  const perRequest = (n: number): number => n / r.requests.total;
  return {
    requestsPerSecond: r.requests.total / r.duration, okPerSecond: (r.requests.total - r.non2xx) / r.duration,
    cpuMicrosPerRequest: perRequest((cpu.total - cpuBefore.total) * 1e6), systemMicrosPerRequest: perRequest((cpu.system - cpuBefore.system) * 1e6),
    p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, total: r.requests.total,
    stolenPercent: stolenPercentSince(stolenBefore, r.duration),
    ...(counted === undefined ? {} : { syscallsPerRequest: perRequest(counted.syscalls), contextSwitchesPerRequest: perRequest(counted.contextSwitches) }),
  };
}

/**
 * Runs a load generator script with `args` pinned to core 1 and answers the JSON it prints on stdout; a non-zero
 * exit rejects with the end of its stderr.
 */
export function runGenerator<T>(name: string, args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = pinned(GENERATOR_CORE, process.execPath, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
    child.on('exit', (code) => {
      if (code !== 0) { reject(new Error(`${name} exited ${code}: ${err.slice(-1000)}`)); return; }
      resolve(JSON.parse(out) as T);
    });
  });
}

/** The run with the highest throughput. */
export function best(runs: readonly LoadResult[]): LoadResult {
  return runs.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
}

/**
 * Short runs of one target taken as one: throughput, 2xx rate and latencies are the runs' medians (the typical
 * second, not the luckiest), CPU per request is the whole CPU over the whole count, the counts are summed and the
 * stolen share is the worst run's. On this host one second's throughput differs from the next by up to a third,
 * so many short runs, alternated with the servers compared, estimate a ratio better than a few long ones.
 */
export function typical(runs: readonly LoadResult[]): LoadResult {
  const sum = (pick: (r: LoadResult) => number): number => runs.reduce((n, r) => n + pick(r), 0);
  const total = sum((r) => r.total);
  const middle = (pick: (r: LoadResult) => number): number => median(runs.map(pick));
  return {
    requestsPerSecond: middle((r) => r.requestsPerSecond),
    okPerSecond: middle((r) => r.okPerSecond),
    cpuMicrosPerRequest: sum((r) => r.cpuMicrosPerRequest * r.total) / total,
    systemMicrosPerRequest: sum((r) => (r.systemMicrosPerRequest ?? Number.NaN) * r.total) / total,
    p50Ms: middle((r) => r.p50Ms),
    p99Ms: middle((r) => r.p99Ms),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    total,
    stolenPercent: Math.max(...runs.map((r) => r.stolenPercent)),
  };
}

/**
 * Serves every item once a cycle, for `cycles` cycles, each cycle starting one item later than the one before, so
 * no item always follows the same one; answers each item's results in cycle order.
 */
export async function alternate<T, R>(items: readonly T[], cycles: number, serve: (item: T, cycle: number) => Promise<R>): Promise<Map<T, R[]>> {
  const results = new Map<T, R[]>(items.map((item) => [item, []]));
  for (let cycle = 0; cycle < cycles; cycle++) {
    const shift = cycle % items.length;
    for (const item of [...items.slice(shift), ...items.slice(0, shift)]) results.get(item)!.push(await serve(item, cycle));
  }
  return results;
}

/**
 * Starts two loads at the same time, `a`'s generator first when `aFirst` (the first started has its connections
 * open first, so head-to-head rounds alternate it); answers their results as `[a's, b's]` either way.
 */
export async function atOnce<R>(a: () => Promise<R>, b: () => Promise<R>, aFirst: boolean): Promise<[R, R]> {
  if (aFirst) return Promise.all([a(), b()]);
  const [fromB, fromA] = await Promise.all([b(), a()]);
  return [fromA, fromB];
}

export interface OpenLoopResult {
  offeredRps: number;
  okPerSecond: number;
  ok: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Whether the generator sent (nearly) every request on time; when not, the latency is partly its own. */
  keptUp: boolean;
}

/** One open-loop run of our generator on core 1 (bench/open-loop-load.ts) at a fixed rate against `target`. */
export function openLoop(target: Target, path: string, options: { rate: number; duration: number; bodyFile: string; connections?: number }): Promise<OpenLoopResult> {
  const args = [join(packageRoot, 'dist', 'bench', 'open-loop-load.js'), '--origin', `http://127.0.0.1:${target.port}`, '--path', path, '--body', options.bodyFile,
    '--rate', String(options.rate), '--duration', String(options.duration), '--connections', String(options.connections ?? 64)];
  return runGenerator<OpenLoopResult>('open-loop generator', args);
}

export type Stages = Record<string, { sum: number; count: number }>;

/** churn_inference_stage_seconds of one protocol, summed over models: seconds and calls per stage. */
export async function stageTotals(target: Target, protocol: string): Promise<Stages> {
  const text = await (await fetch(`http://127.0.0.1:${target.port}/metrics`)).text();
  const totals: Stages = {};
  for (const match of text.matchAll(/^churn_inference_stage_seconds_(sum|count)\{[^}]*protocol="([a-z0-9]+)",stage="([a-z_]+)"\} ([0-9.e+-]+)$/gm)) {
    if (match[2] !== protocol) continue;
    const entry = (totals[match[3]!] ??= { sum: 0, count: 0 });
    entry[match[1] as 'sum' | 'count'] += Number(match[4]);
  }
  return totals;
}

/** Mean microseconds per call in each stage between two readings. */
export function stageMeans(before: Stages, after: Stages, calls: number): Record<string, number> {
  const means: Record<string, number> = {};
  for (const [stage, { sum }] of Object.entries(after)) {
    const spent = sum - (before[stage]?.sum ?? 0);
    if (spent > 0) means[stage] = (spent * 1e6) / calls;
  }
  return means;
}

/** The bodies the HTTP benches send, written into `work`: the data file's first record, and its first `batchSize` as a JSON batch. */
export function writeRequestBodies(work: string, batchSize: number): { single: string; batch: string } {
  const records = parseCsvRecords(readFileSync(bundledDataFile, 'utf8'), telcoChurnSchema).records;
  const single = join(work, 'single.json');
  const batch = join(work, 'batch.json');
  writeFileSync(single, JSON.stringify(records[0]));
  writeFileSync(batch, JSON.stringify({ records: records.slice(0, batchSize) }));
  return { single, batch };
}
