/**
 * HTTP throughput and latency of the model server against a bare node:http JSON server, in the same run, and
 * against the same bare server written in Fastify (the framework's own cost: the floor of any server built on it),
 * and against node:http scoring the model through the data plane with nothing for operators (the floor of rows 1,
 * 2 and 4 of issue 16 on the server's own HTTP layer: what operators' features cost is the gap to it).
 * The server under test runs on core 0 and the load generator (autocannon) on core 1 (taskset), when the
 * machine has both; the baseline server gets the same core and the same load.
 *
 *   node dist/bench/http-predict.bench.js [--cycles 15] [--slice 1] [--head-rounds 6] [--head-seconds 3] [--duration 8] [--connections 32] [--rounds 2]
 *
 * Scenarios: single-record POST /predict at full load (server at LOG_LEVEL=info, the default, and at warn, and
 * with every request logged, vs bare), open loop at a fixed 1,000 and 10,000 requests/s (our generator: p99
 * from scheduled send times, no coordinated omission), and POST /predict/batch with 1,000 records (records/s,
 * server vs bare); the server's RSS idle, 1 s after listening, and under each kind of load.
 *
 * Single records are served in --cycles cycles of one --slice-second run per server, each cycle starting with the
 * next server: on this host one second's throughput differs from the next by up to a third, for every server, so
 * a ratio of two long runs minutes apart is mostly the host's. Each server's throughput is the median of its
 * slices and its CPU per request the whole CPU over the whole count (typical() in load-targets.ts); each ratio row
 * also gives the quartiles of the per-cycle ratios. Rows 1 and 2 are then measured head to head as well: bare
 * node:http and one other server on the server core at the same time, each loaded by its own generator, for
 * --head-rounds rounds of --head-seconds; the host's swings then hit both in the same instant, and a second bare
 * process measured the same way shows the method's own error. Batches and open loop run --rounds runs of --duration seconds,
 * the best counted. The server's CPU time per request is reported beside throughput: on a shared machine it is the
 * steadier measure.
 * Where perf can count system calls (bench/syscall-counter.ts), bare node:http, the floor and the server each
 * serve one more single-record run under perf, after the timed ones, for their system calls, context switches and
 * kernel time per request.
 * Start-up is bench/start-up.bench.ts.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/foundation/package-files.js';
import { SERVER_NODE_FLAGS, serveArguments } from '../src/foundation/server-launch.js';
import { median, percentile, reportBench, type BenchRow } from './bench-report.js';
import {
  alternate, atOnce, autocannon, best, canPin, freePort, GENERATOR_CORE, ON_LOOPBACK, openLoop, pinThisProcess, runBareFastifyServer, runBareServer, runScoringFastifyServer, runScoringNodeServer, startTarget, stop, typical, writeRequestBodies, type LoadResult, type Target,
} from './load-targets.js';
import { sampleRssPeak, treeUsage } from './peers/process-tree.js';
import { canCountSyscalls } from './syscall-counter.js';

const BATCH_SIZE = 1000;
const IDLE_SETTLE_MS = 15_000;

/** A server's /predict counted by perf stat, and the same server's timed slices taken as one (run without perf). */
interface KernelRun {
  name: string;
  counted: LoadResult;
  timed: LoadResult;
}

/**
 * The kernel's side of a /predict, where perf could count it: system calls and context switches per request, and
 * the system time among the CPU time. Servers that make the same calls a request but differ in system time pay
 * more for each, not more of them. The counted run's CPU beside the timed one's is what counting costs.
 */
function kernelRows(runs: readonly KernelRun[]): BenchRow[] {
  return runs.flatMap(({ name, counted, timed }) => (counted.syscallsPerRequest === undefined ? [] : [{
    metric: `single: system calls per /predict, ${name}`, value: counted.syscallsPerRequest, unit: 'calls',
    note: `${counted.systemMicrosPerRequest!.toFixed(1)} of ${counted.cpuMicrosPerRequest.toFixed(1)} us CPU in the kernel; ${counted.contextSwitchesPerRequest!.toFixed(3)} context switches (perf stat); `
      + `uncounted ${timed.systemMicrosPerRequest!.toFixed(1)} of ${timed.cpuMicrosPerRequest.toFixed(1)} us, ${(counted.requestsPerSecond / timed.requestsPerSecond).toFixed(2)}x the timed median throughput while counted`,
  }]));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'bare-server': { type: 'boolean', default: false },
      'bare-fastify': { type: 'boolean', default: false },
      'scoring-fastify': { type: 'boolean', default: false },
      'scoring-node': { type: 'boolean', default: false },
      // Single records: cycles of one short run per server (see above).
      cycles: { type: 'string', default: '15' },
      slice: { type: 'string', default: '1' },
      // Head to head with bare node:http on one core (see below): rounds of this many seconds.
      'head-rounds': { type: 'string', default: '6' },
      'head-seconds': { type: 'string', default: '3' },
      // Batches, open loop and the kernel's count: rounds of this many seconds.
      duration: { type: 'string', default: '8' },
      connections: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '2' },
    },
  });
  if (values['bare-server']) { runBareServer(); return; }
  if (values['bare-fastify']) { await runBareFastifyServer(); return; }
  if (values['scoring-fastify']) { await runScoringFastifyServer(); return; }
  if (values['scoring-node']) { await runScoringNodeServer(); return; }
  // This process samples the server's memory while it is under load: on the generators' core, not the server's.
  pinThisProcess(GENERATOR_CORE);
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const rounds = Number(values.rounds);
  const cycles = Number(values.cycles);
  const slice = Number(values.slice);
  const headRounds = Number(values['head-rounds']);
  const headSeconds = Number(values['head-seconds']);

  const work = mkdtempSync(join(tmpdir(), 'http-predict-bench-'));
  const { single: singleFile, batch: batchFile } = writeRequestBodies(work, BATCH_SIZE);

  const self = join(packageRoot, 'dist', 'bench', 'http-predict.bench.js');
  const targets: Target[] = [];
  try {
    const bare = await startTarget('bare node:http', [self, '--bare-server'], {}, join(work, 'bare.log'));
    targets.push(bare);
    const bareAgain = await startTarget('bare node:http, a second process', [self, '--bare-server'], {}, join(work, 'bare-again.log'));
    targets.push(bareAgain);
    const bareFastify = await startTarget('bare Fastify', [self, '--bare-fastify'], {}, join(work, 'bare-fastify.log'));
    targets.push(bareFastify);
    const scoringFastify = await startTarget('Fastify scoring the model', [self, '--scoring-fastify'], {}, join(work, 'scoring-fastify.log'));
    targets.push(scoringFastify);
    // Launched as the server is (its V8 flags): the floor differs from the server by what it adds for operators only.
    const scoringNode = await startTarget('node:http scoring the model', [...SERVER_NODE_FLAGS, self, '--scoring-node'], {}, join(work, 'scoring-node.log'));
    targets.push(scoringNode);
    // The server as deployed: default configuration (LOG_LEVEL=info, the request log's sample and summary, metrics,
    // shedding armed); then at LOG_LEVEL=warn, and with a line for every request (what the default saves).
    const server = await startTarget('churn-predictor', serveArguments(), ON_LOOPBACK, join(work, 'server.log'));
    targets.push(server);
    const warn = await startTarget('churn-predictor LOG_LEVEL=warn', serveArguments(), { ...ON_LOOPBACK, PORT: String(await freePort()), LOG_LEVEL: 'warn' }, join(work, 'server-warn.log'));
    targets.push(warn);
    const everyLine = await startTarget('churn-predictor REQUEST_LOG_SAMPLE_RATE=1', serveArguments(), { ...ON_LOOPBACK, REQUEST_LOG_SAMPLE_RATE: '1' }, join(work, 'server-all.log'));
    targets.push(everyLine);
    const listening = performance.now();
    await sleep(1000);
    const startupRss = treeUsage(server.process.pid!).rssBytes;
    // Warm them up (JIT, connection setup) before measuring; the server last, once it has been idle long enough
    // for V8 to give back the young generation start-up grew (its memory reducer runs about 8-10 s into a quiet
    // spell): that is the RSS of a replica waiting for traffic.
    for (const target of targets) if (target !== server) await autocannon(target, '/predict', { connections: 8, duration: 2, bodyFile: singleFile });
    await sleep(Math.max(0, IDLE_SETTLE_MS - (performance.now() - listening)));
    const idleRss = treeUsage(server.process.pid!).rssBytes;
    await autocannon(server, '/predict', { connections: 8, duration: 2, bodyFile: singleFile });

    const batch = { bare: [] as LoadResult[], scoringNode: [] as LoadResult[], server: [] as LoadResult[] };
    const batchConnections = 4;
    // The server's peak RSS while it serves each kind of load (sampled every 100 ms).
    const peak = { single: 0, batch: 0 };
    const sampled = async <T>(kind: keyof typeof peak, load: Promise<T>): Promise<T> => {
      const sampler = sampleRssPeak(server.process.pid!, 100);
      try {
        return await load;
      } finally {
        peak[kind] = Math.max(peak[kind], sampler.stop());
      }
    };
    // Alternated in short slices, so the host's swings hit every side alike.
    const slices = await alternate([bare, bareFastify, scoringFastify, scoringNode, server, warn, everyLine], cycles, async (target, cycle) => {
      const run = autocannon(target, '/predict', { connections, duration: slice, bodyFile: singleFile });
      const result = await (target === server ? sampled('single', run) : run);
      if (target === everyLine) process.stderr.write(`single records: cycle ${cycle + 1} of ${cycles}\n`);
      return result;
    });
    const single = {
      bare: slices.get(bare)!, bareFastify: slices.get(bareFastify)!, scoringFastify: slices.get(scoringFastify)!, scoringNode: slices.get(scoringNode)!,
      server: slices.get(server)!, warn: slices.get(warn)!, everyLine: slices.get(everyLine)!,
    };
    // Head to head: bare node:http and one other server on the server core at the same time, each loaded by its own
    // generator. The host's swings then hit both in the same instant, so their ratio holds still where the alternated
    // slices above move by a third; a second bare process beside the first shows what is left of the error.
    // Which generator starts first alternates from round to round: the first started has its connections open first.
    const headToHead = await alternate([bareAgain, scoringNode, server, warn], headRounds, async (target, round) => {
      const load = (t: Target): Promise<LoadResult> => autocannon(t, '/predict', { connections, duration: headSeconds, bodyFile: singleFile });
      const [base, other] = await atOnce(() => load(bare), () => load(target), round % 2 === 0);
      return { base, other };
    });
    // The kernel's side in runs of their own, so the timed rounds above (whose ratios are the rows) run
    // alike on every side. Counting cost nothing beyond the machine's noise (instrument-cost.bench.ts); each row says
    // its run's throughput beside the timed median.
    const kernel: KernelRun[] = [];
    if (canCountSyscalls()) {
      for (const [target, timed] of [[bare, single.bare], [scoringNode, single.scoringNode], [server, single.server]] as const) {
        kernel.push({ name: target.name, counted: await autocannon(target, '/predict', { connections, duration, bodyFile: singleFile, countKernel: true }), timed: typical(timed) });
      }
    }
    // Batches after every single-record round, so the single-record peak is not a batch run's leftover.
    for (let round = 0; round < rounds; round++) {
      batch.bare.push(await autocannon(bare, '/predict/batch', { connections: batchConnections, duration, bodyFile: batchFile }));
      batch.scoringNode.push(await autocannon(scoringNode, '/predict/batch', { connections: batchConnections, duration, bodyFile: batchFile }));
      batch.server.push(await sampled('batch', autocannon(server, '/predict/batch', { connections: batchConnections, duration, bodyFile: batchFile })));
    }
    const paced = await openLoop(server, '/predict', { rate: 1000, duration, bodyFile: singleFile });
    const pacedBare = await openLoop(bare, '/predict', { rate: 1000, duration, bodyFile: singleFile });
    const fast = await openLoop(server, '/predict', { rate: 10_000, duration, bodyFile: singleFile, connections: 128 });
    const fastBare = await openLoop(bare, '/predict', { rate: 10_000, duration, bodyFile: singleFile, connections: 128 });

    const sb = typical(single.bare);
    const sf = typical(single.bareFastify);
    const sm = typical(single.scoringFastify);
    const sn = typical(single.scoringNode);
    const ss = typical(single.server);
    const sw = typical(single.warn);
    const se = typical(single.everyLine);
    // Head to head: each round's ratio to bare beside it, and how busy the two kept the server core.
    const headRow = (target: Target, metric: string, note: string): BenchRow => {
      const rounds = headToHead.get(target)!;
      const ratios = rounds.map(({ base, other }) => other.okPerSecond / base.requestsPerSecond);
      const busy = median(rounds.map(({ base, other }) => (base.cpuMicrosPerRequest * base.total + other.cpuMicrosPerRequest * other.total) / 1e6 / headSeconds));
      return {
        metric: `head to head: ${metric}`, value: median(ratios), unit: 'x',
        note: `${note}; median of ${ratios.length} rounds of ${headSeconds} s, ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}; the two used ${(busy * 100).toFixed(0)}% of the core`,
      };
    };
    // How the ratio of two servers moved from cycle to cycle: its quartiles.
    const spread = (over: readonly LoadResult[]): string => {
      const ratios = over.map((r, cycle) => r.okPerSecond / single.bare[cycle]!.requestsPerSecond);
      return `cycles' ratios ${percentile(ratios, 0.25).toFixed(2)}-${percentile(ratios, 0.75).toFixed(2)} (quartiles of ${ratios.length})`;
    };
    const bb = best(batch.bare);
    const bn = best(batch.scoringNode);
    const bs = best(batch.server);
    const serverRuns = [...single.server, ...single.warn, ...single.everyLine, ...batch.server];
    const shed = serverRuns.reduce((n, r) => n + r.non2xx, 0) + paced.failed + fast.failed;
    const failures = serverRuns.reduce((n, r) => n + r.errors, 0);
    const late = (r: { keptUp: boolean }) => (r.keptUp ? '' : '; the generator ran late: partly its own latency');
    const mib = (bytes: number) => bytes / 2 ** 20;
    // What the hypervisor took from the server's core during each timed run: the figures it moves are the host's.
    const stolen = (r: LoadResult) => (Number.isNaN(r.stolenPercent) ? '' : `; core stolen ${r.stolenPercent.toFixed(1)}%`);
    const singleRuns = Object.values(single).flat();
    const logLines = readFileSync(join(work, 'server.log'), 'utf8').split('\n').length;
    reportBench({
      scenario: 'http-predict',
      rows: [
        { metric: 'single: bare node:http', value: sb.requestsPerSecond, unit: 'req/s', note: `median of ${cycles} ${slice}-s runs; ${sb.cpuMicrosPerRequest.toFixed(0)} us CPU/req; p99 ${sb.p99Ms} ms; ${connections} connections${stolen(sb)}` },
        { metric: 'single: bare Fastify', value: sf.requestsPerSecond, unit: 'req/s', note: `${sf.cpuMicrosPerRequest.toFixed(0)} us CPU/req; the same JSON in and out${stolen(sf)}` },
        { metric: 'single: throughput bare Fastify/bare node:http', value: sf.requestsPerSecond / sb.requestsPerSecond, unit: 'x', note: 'the framework alone' },
        { metric: 'single: Fastify scoring the model', value: sm.requestsPerSecond, unit: 'req/s', note: `${sm.cpuMicrosPerRequest.toFixed(0)} us CPU/req; the data plane, nothing for operators${stolen(sm)}` },
        { metric: 'single: throughput Fastify scoring/bare node:http', value: sm.requestsPerSecond / sb.requestsPerSecond, unit: 'x', note: 'the framework and the model: the floor of row 1 on Fastify' },
        { metric: 'single: node:http scoring the model', value: sn.requestsPerSecond, unit: 'req/s', note: `${sn.cpuMicrosPerRequest.toFixed(0)} us CPU/req; the data plane on the server's HTTP layer, nothing for operators${stolen(sn)}` },
        { metric: 'single: throughput node:http scoring/bare node:http', value: sn.requestsPerSecond / sb.requestsPerSecond, unit: 'x', note: `the floor of rows 1 and 2: the model's own work, nothing for operators; ${spread(single.scoringNode)}` },
        { metric: 'single: churn-predictor (info, default)', value: ss.okPerSecond, unit: 'req/s', note: `2xx only; ${ss.cpuMicrosPerRequest.toFixed(0)} us CPU/req; p99 ${ss.p99Ms} ms${stolen(ss)}` },
        { metric: 'single: throughput server/bare (info)', value: ss.okPerSecond / sb.requestsPerSecond, unit: 'x', note: `alone, alternated (issue 16 row 1: >= 0.8; head to head below); ${spread(single.server)}` },
        { metric: 'single: throughput server/node:http scoring (info)', value: ss.okPerSecond / sn.requestsPerSecond, unit: 'x', note: 'what serving it for operators costs' },
        { metric: 'single: throughput server/bare (warn)', value: sw.okPerSecond / sb.requestsPerSecond, unit: 'x', note: `alone, alternated (row 2: >= 0.85; head to head below); ${spread(single.warn)}; ${sw.cpuMicrosPerRequest.toFixed(0)} us CPU/req${stolen(sw)}` },
        headRow(bareAgain, 'bare node:http, a second process / bare', 'what the method itself errs by'),
        headRow(scoringNode, 'node:http scoring / bare', 'the floor of rows 1 and 2'),
        headRow(server, 'server/bare (info)', 'issue 16 row 1: target >= 0.8'),
        headRow(warn, 'server/bare (warn)', 'issue 16 row 2: target >= 0.85'),
        { metric: 'single: throughput server/bare (every request logged)', value: se.okPerSecond / sb.requestsPerSecond, unit: 'x', note: `REQUEST_LOG_SAMPLE_RATE=1; ${se.cpuMicrosPerRequest.toFixed(0)} us CPU/req` },
        { metric: 'single: CPU per /predict (info)', value: ss.cpuMicrosPerRequest, unit: 'us', note: `issue 16 row 3: target <= 100; bare ${sb.cpuMicrosPerRequest.toFixed(0)} us` },
        { metric: 'single: CPU/req bare/server', value: sb.cpuMicrosPerRequest / ss.cpuMicrosPerRequest, unit: 'x', note: 'the throughput ratio, measured as CPU cost' },
        ...kernelRows(kernel),
        { metric: 'host: server core stolen, single-record runs (most)', value: Math.max(...singleRuns.map((r) => r.stolenPercent)), unit: '%', note: 'time the hypervisor ran other guests on core 0 (/proc/stat steal); NaN where unknown' },
        { metric: 'open loop @1000 req/s: p99', value: paced.p99Ms, unit: 'ms', note: `p50 ${paced.p50Ms.toFixed(2)} ms; ${paced.okPerSecond.toFixed(0)} ok/s${late(paced)}` },
        { metric: 'open loop @1000 req/s: bare p99', value: pacedBare.p99Ms, unit: 'ms', note: `p50 ${pacedBare.p50Ms.toFixed(2)} ms${late(pacedBare)}` },
        { metric: 'open loop @1000 req/s: p99 server/bare', value: paced.p99Ms / pacedBare.p99Ms, unit: 'x', note: 'issue 16 row 5: target <= 1.5' },
        { metric: 'open loop @10000 req/s: p99', value: fast.p99Ms, unit: 'ms', note: `issue 16 row 5: target < 10 ms; p50 ${fast.p50Ms.toFixed(2)} ms; ${fast.okPerSecond.toFixed(0)} ok/s, ${fast.failed} failed${late(fast)}` },
        { metric: 'open loop @10000 req/s: bare p99', value: fastBare.p99Ms, unit: 'ms', note: `p50 ${fastBare.p50Ms.toFixed(2)} ms; ${fastBare.okPerSecond.toFixed(0)} ok/s${late(fastBare)}` },
        { metric: 'RSS idle', value: mib(idleRss), unit: 'MiB', note: `issue 16 row 7: target <= 70 (${IDLE_SETTLE_MS / 1000} s after listening, no request yet)` },
        { metric: 'RSS 1 s after listening', value: mib(startupRss), unit: 'MiB', note: 'start-up\'s young generation, not yet given back' },
        { metric: 'RSS under single-record load (peak)', value: mib(peak.single), unit: 'MiB', note: 'issue 16 row 7: target <= 120' },
        { metric: `RSS under ${BATCH_SIZE}-record batches (peak)`, value: mib(peak.batch), unit: 'MiB', note: `issue 16 row 7: target <= 120; ${batchConnections} connections, bodies of ${(statSync(batchFile).size / 2 ** 10).toFixed(0)} KiB` },
        { metric: `batch ${BATCH_SIZE}: bare node:http`, value: bb.requestsPerSecond * BATCH_SIZE, unit: 'records/s', note: `${(bb.cpuMicrosPerRequest / 1000).toFixed(2)} ms CPU/batch; ${batchConnections} connections` },
        { metric: `batch ${BATCH_SIZE}: node:http scoring the model`, value: bn.requestsPerSecond * BATCH_SIZE, unit: 'records/s', note: `${(bn.cpuMicrosPerRequest / 1000).toFixed(2)} ms CPU/batch; the floor of row 4: decode, score, answer; no drift, nothing for operators` },
        { metric: `batch ${BATCH_SIZE}: churn-predictor`, value: bs.requestsPerSecond * BATCH_SIZE, unit: 'records/s', note: `issue 16 row 4: target >= 300000; ${(bs.cpuMicrosPerRequest / 1000).toFixed(2)} ms CPU/batch; p99 ${bs.p99Ms} ms` },
        { metric: `batch ${BATCH_SIZE}: records/s per CPU-second`, value: (1e6 * BATCH_SIZE) / bs.cpuMicrosPerRequest, unit: 'records/s', note: 'what one uncontended core would do' },
        { metric: `batch ${BATCH_SIZE}: throughput server/bare`, value: bs.requestsPerSecond / bb.requestsPerSecond, unit: 'x' },
        { metric: 'server non-2xx responses', value: shed, unit: 'responses', note: '503 OVERLOADED when the core is starved: load shedding at work' },
        { metric: 'server connection errors/timeouts', value: failures, unit: 'requests', note: 'must be 0' },
      ],
      extra: {
        command: `node dist/bench/http-predict.bench.js --cycles ${cycles} --slice ${slice} --head-rounds ${headRounds} --head-seconds ${headSeconds} --duration ${duration} --connections ${connections} --rounds ${rounds}`,
        pinning: canPin ? 'server and baseline on core 0, autocannon on core 1 (taskset)' : 'not pinned (taskset or a second core unavailable)',
        serverLogLines: logLines,
        runs: { single, batch, paced, pacedBare, fast, fastBare },
      },
    });
  } finally {
    for (const target of targets) await stop(target);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
