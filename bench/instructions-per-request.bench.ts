/**
 * Machine instructions per request, counted by Valgrind's callgrind, for the server and the baselines of
 * bench/http-predict.bench.ts: bare node:http, bare Fastify, Fastify scoring the model, node:http scoring the model
 * (the floor: the model's own work, nothing for operators), and the server at LOG_LEVEL=info and warn; then
 * 1,000-record batches, server and floor against bare node:http.
 *
 *   node dist/bench/instructions-per-request.bench.js [--warmup 30000] [--requests 3000] [--rounds 4]
 *       [--baseline <dist/src/cli/main.js of another build>] [--only single|batch] [--with KEY=VALUE ...] [--cache-sim]
 *
 * With --baseline, that build's server is counted the same way in the same run, and the report gives this build's
 * count over the baseline's: the way to see what a change to the hot path saves, which timed runs here cannot
 * resolve below about 10 %. Compare builds within one run, not across hosts: the same build counted 151,000
 * instructions per /predict on one host and 177,000 on another with another CPU, where bare node:http counted
 * 98,500 on both.
 *
 * Why: on a shared machine the CPU time per request swings by 30 % from one minute to the next, more than most
 * of the costs worth finding. An instruction count does not depend on what else the host runs. It is not time
 * (cache misses, branch mispredictions and the kernel's side of each system call are not in it), so this bench
 * complements http-predict, which measures time.
 *
 * How: each server runs under callgrind, warmed up uninstrumented (--instr-atstart=no, which runs faster than counting),
 * then instrumented (about 50 times slower than without valgrind) and counted over rounds of load:
 * callgrind's counters are zeroed, a fixed number of requests is sent, the counters are dumped, and the dump's
 * total is divided by the requests answered. Batches get a hundredth of the requests. A server's figure is the
 * median of its rounds. In three runs on 2026-12-02 a server's rounds agreed within 10 % and the runs' medians
 * within about 3 %.
 *
 * The server's own count depends more on how it was counted than the simple servers' do: part of its work
 * depends on timing (how many calls its run queue's turns hold, how many sockets one turn of the event loop
 * finds ready), which callgrind's slowdown changes. Scratch counts of the same build without the uncounted
 * round, or warmed up instrumented, gave 155,000-185,000 instructions per request where this bench counts about
 * 151,000: compare builds with this bench, not across methods. Shedding is off in the server
 * (MAX_EVENT_LOOP_DELAY_MS=0): under callgrind its event loop is slow enough to shed.
 *
 * One build, one count: a server process used to count about 129,000 or about 152,000 instructions per /predict,
 * decided per process (30 processes of one build on 2026-12-02: 11 and 19), by whether a full collection had freed
 * the maps of Node's nextTick entries, which turns V8's feedback for their literal megamorphic for good. The command
 * line keeps one entry alive (src/foundation/next-tick-shape.ts), so it counts low; a build from before that
 * (--baseline) can still count either. --with KEY=VALUE counts the server once more with that variable set, to see
 * what one setting costs.
 *
 * --cache-sim runs callgrind's cache and branch simulations as well (slower still): each server's first-level and
 * last-level misses and mispredicted branches per request, and iai-callgrind's estimate of cycles from them, with
 * the ratios again in estimated cycles. It asks why a timed ratio can exceed the counted one: whether the server's
 * extra instructions are also ones that miss. The simulated caches take their sizes from this CPU; they are a model
 * (no prefetching, no out-of-order execution), not its counters, which this machine's virtual CPU does not expose.
 *
 * Needs `valgrind` (Debian: apt-get install valgrind); without it the bench says so and stops.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/foundation/package-files.js';
import { builtCli, SERVER_NODE_FLAGS, serveArguments } from '../src/foundation/server-launch.js';
import { median, reportBench, type BenchRow } from './bench-report.js';
import { dumpTotals, simulated, type DumpTotals, type Simulated } from './callgrind-dump.js';
import { environmentSetting, freePort, ON_LOOPBACK, runGenerator, startTarget, writeRequestBodies } from './load-targets.js';

const BATCH_SIZE = 1000;
const START_TIMEOUT_MS = 180_000;
// Enough to keep a server busy without the generator's own turns mattering; batches need few.
const SINGLE_CONNECTIONS = 8;
const BATCH_CONNECTIONS = 2;

interface CountedServer {
  name: string;
  port: number;
  process: ChildProcess;
  /** The environment callgrind_control must share with the server's valgrind to find it (it names its pipes after USER and HOST). */
  env: NodeJS.ProcessEnv;
  dumps: string;
}

interface Scenario {
  name: string;
  args: string[];
  env: Record<string, string>;
  path: string;
  bodyFile: string;
  connections: number;
}

function valgrindAvailable(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['-h'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Starts `node args` under callgrind, not counting until the warm-up is over; with `simulate`, through its cache and branch models too. */
async function startCounted(scenario: Scenario, work: string, simulate: boolean): Promise<CountedServer> {
  const dumps = mkdtempSync(join(work, 'callgrind-'));
  const env = { USER: process.env['USER'] || 'bench', ...scenario.env };
  const launcher = ['valgrind', '--tool=callgrind', '--smc-check=all-non-file', '--instr-atstart=no', `--callgrind-out-file=${join(dumps, 'callgrind.out')}`,
    ...(simulate ? ['--cache-sim=yes', '--branch-sim=yes'] : [])];
  const target = await startTarget(scenario.name, scenario.args, env, join(dumps, 'server.log'), { launcher, timeoutMs: START_TIMEOUT_MS });
  return { name: scenario.name, port: target.port, process: target.process, env: { ...process.env, ...env }, dumps };
}

function control(server: CountedServer, ...command: string[]): void {
  execFileSync('callgrind_control', [...command, String(server.process.pid)], { env: server.env, stdio: 'ignore' });
}

/** The totals of the newest dump (callgrind numbers them .1, .2, ...), by event: Ir, and with the simulations their misses. */
function newestDumpTotals(server: CountedServer): DumpTotals {
  const numbered = readdirSync(server.dumps).filter((f) => /^callgrind\.out\.\d+$/.test(f));
  const newest = numbered.sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop())).at(-1);
  if (newest === undefined) throw new Error(`${server.name}: callgrind wrote no dump`);
  const totals = dumpTotals(readFileSync(join(server.dumps, newest), 'utf8'));
  if (totals === undefined) throw new Error(`${server.name}: no events and summary lines in ${newest}`);
  return totals;
}

interface Load { total: number; non2xx: number; errors: number }

function load(server: CountedServer, scenario: Scenario, requests: number): Promise<Load> {
  const args = [join(packageRoot, 'dist', 'bench', 'http-load.js'), '--url', `http://127.0.0.1:${server.port}${scenario.path}`, '--body', scenario.bodyFile,
    '--connections', String(scenario.connections), '--amount', String(Math.max(requests, scenario.connections)), '--header', 'content-type=application/json'];
  return runGenerator<{ requests: { total: number }; non2xx: number; errors: number; timeouts: number }>('autocannon', args)
    .then((r) => ({ total: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts }));
}

interface Counting {
  /** Requests of the warm-up, run uninstrumented: enough for the counted rounds to agree. */
  warmup: number;
  /** Requests in each counted round. */
  requests: number;
  rounds: number;
  /** Run callgrind's cache and branch simulations too (--cache-sim). */
  simulate: boolean;
}

/** Each counted round, after the warm-up: instructions per request, and the simulations' figures per request when asked. */
interface Rounds { instructions: number[]; simulated: Simulated[] }

async function count(scenario: Scenario, work: string, counting: Counting): Promise<Rounds> {
  const server = await startCounted(scenario, work, counting.simulate);
  try {
    process.stderr.write(`${scenario.name}: listening under callgrind, warming up with ${counting.warmup} requests\n`);
    await load(server, scenario, counting.warmup);
    // One round more, not counted: in the first bench run, each server's first instrumented round of single records
    // counted 1.9-2.4 times its last one, after a warm-up of 30,000.
    control(server, '--instr=on');
    await load(server, scenario, counting.requests);
    const rounds: Rounds = { instructions: [], simulated: [] };
    for (let round = 1; round <= counting.rounds; round++) {
      control(server, '-z');
      const result = await load(server, scenario, counting.requests);
      control(server, '-d');
      if (result.non2xx > 0 || result.errors > 0 || result.total === 0) {
        throw new Error(`${scenario.name}: ${result.non2xx} non-2xx answers and ${result.errors} errors in ${result.total} requests`);
      }
      const totals = newestDumpTotals(server);
      const perRequest = (totals['Ir'] ?? 0) / result.total;
      rounds.instructions.push(perRequest);
      const simulation = simulated(totals, result.total);
      if (simulation !== undefined) rounds.simulated.push(simulation);
      process.stderr.write(`${scenario.name}: round ${round}/${counting.rounds}, ${result.total} requests, ${(perRequest / 1000).toFixed(1)} k instructions each`
        + `${simulation === undefined ? '' : `, ${(simulation.estimatedCycles / 1000).toFixed(1)} k estimated cycles`}\n`);
    }
    return rounds;
  } finally {
    server.process.kill('SIGKILL');
  }
}

/** What a scenario's figures are given per: a request, or a batch's record. */
function unitOf(scenario: Scenario): { per: number; unit: 'req' | 'record' } {
  return scenario.path === '/predict' ? { per: 1, unit: 'req' } : { per: BATCH_SIZE, unit: 'record' };
}

/** The figures of one run, as rows: each server's count, then the ratios that the scenarios run allow. */
function reportRows(rounds: ReadonlyMap<string, number[]>, scenarios: readonly Scenario[], variants: readonly string[]): BenchRow[] {
  const has = (name: string): boolean => rounds.has(name);
  const k = (name: string): number => median(rounds.get(name)!) / 1000;
  // Each round's count in the row's unit: a request's, or a batch record's.
  const spread = (name: string, per: number): string => `rounds ${rounds.get(name)!.map((v) => (v / per / 1000).toFixed(1)).join(', ')}`;
  const rows: BenchRow[] = [];
  for (const s of scenarios) {
    const { per, unit } = unitOf(s);
    rows.push({ metric: s.path === '/predict' ? `${s.name}: /predict` : s.name, value: k(s.name) / per, unit: `k instr/${unit}`, note: spread(s.name, per) });
  }
  const ratio = (metric: string, over: string, under: string, note: string): void => {
    if (has(over) && has(under)) rows.push({ metric, value: k(over) / k(under), unit: 'x', note });
  };
  ratio('bare Fastify / bare node:http', 'bare Fastify', BARE, 'the framework');
  ratio('Fastify scoring / bare node:http', 'Fastify scoring the model', BARE, 'the framework and the model: 1.25 is 0.8x throughput (issue 16 row 1)');
  ratio('churn-predictor / bare node:http', OURS, BARE, 'issue 16 row 1 needs <= 1.25 (LOG_LEVEL=info)');
  ratio('churn-predictor warn / bare node:http', OURS_WARN, BARE, 'issue 16 row 2 needs <= 1.18 (LOG_LEVEL=warn)');
  ratio('node:http scoring / bare node:http', SCORING, BARE, 'the model\'s own work on node:http: the floor of rows 1 and 2');
  ratio('churn-predictor / node:http scoring', OURS, SCORING, 'what serving it for operators costs');
  for (const variant of variants) ratio(`${variant} / churn-predictor`, variant, OURS, 'what the setting changes (below 1: saves)');
  ratio(`batch ${BATCH_SIZE}: churn-predictor / bare`, BATCH_OURS, BATCH_BARE, 'per record; issue 16 row 4 is 300,000 records/s (http-batch times it)');
  ratio(`batch ${BATCH_SIZE}: node:http scoring / bare`, BATCH_SCORING, BATCH_BARE, 'decode, score, answer: the floor of row 4');
  ratio(`batch ${BATCH_SIZE}: churn-predictor / node:http scoring`, BATCH_OURS, BATCH_SCORING, 'what drift and operators\' features cost a batch');
  ratio('churn-predictor: this build / baseline', OURS, baselineOf(OURS), 'below 1: this build does less work per request');
  ratio('churn-predictor warn: this build / baseline', OURS_WARN, baselineOf(OURS_WARN), 'below 1: this build does less work per request');
  ratio(`batch ${BATCH_SIZE}: this build / baseline`, BATCH_OURS, baselineOf(BATCH_OURS), 'below 1: this build does less work per record');
  return rows;
}

/**
 * With --cache-sim: each server's estimated cycles (the median round's) with its misses, then the same ratios in
 * estimated cycles as in instructions. Where a ratio grows from instructions to cycles, the server's extra work also
 * misses the caches or the predictor more often than the other's: time would exceed the count.
 */
function simulationRows(rounds: ReadonlyMap<string, Rounds>, scenarios: readonly Scenario[]): BenchRow[] {
  const medianOf = (name: string, pick: (s: Simulated) => number): number | undefined => {
    const simulated = rounds.get(name)?.simulated ?? [];
    return simulated.length === 0 ? undefined : median(simulated.map(pick));
  };
  const rows: BenchRow[] = [];
  for (const s of scenarios) {
    const cycles = medianOf(s.name, (r) => r.estimatedCycles);
    if (cycles === undefined) continue;
    const { per, unit } = unitOf(s);
    const figure = (pick: (r: Simulated) => number): string => (medianOf(s.name, pick)! / per).toFixed(0);
    rows.push({
      metric: `${s.name}: estimated cycles`, value: cycles / per / 1000, unit: `k cycles/${unit}`,
      note: `${(cycles / medianOf(s.name, (r) => r.instructions)!).toFixed(3)} a instruction; L1 misses ${figure((r) => r.l1Misses)}, memory ${figure((r) => r.memoryAccesses)}, mispredicted branches ${figure((r) => r.mispredictedBranches)}`,
    });
  }
  const ratio = (metric: string, over: string, under: string): void => {
    const a = medianOf(over, (r) => r.estimatedCycles);
    const b = medianOf(under, (r) => r.estimatedCycles);
    if (a !== undefined && b !== undefined) rows.push({ metric: `${metric}, estimated cycles`, value: a / b, unit: 'x', note: 'iai-callgrind\'s model of the simulated misses' });
  };
  ratio('churn-predictor / bare node:http', OURS, BARE);
  ratio('churn-predictor warn / bare node:http', OURS_WARN, BARE);
  ratio('node:http scoring / bare node:http', SCORING, BARE);
  ratio('churn-predictor / node:http scoring', OURS, SCORING);
  ratio(`batch ${BATCH_SIZE}: churn-predictor / node:http scoring`, BATCH_OURS, BATCH_SCORING);
  ratio(`batch ${BATCH_SIZE}: node:http scoring / bare`, BATCH_SCORING, BATCH_BARE);
  return rows;
}

const BARE = 'bare node:http';
const OURS = 'churn-predictor';
const OURS_WARN = 'churn-predictor LOG_LEVEL=warn';
const SCORING = 'node:http scoring the model';
const BATCH_SCORING = `batch ${BATCH_SIZE}: node:http scoring the model`;
const BATCH_BARE = `batch ${BATCH_SIZE}: bare node:http`;
const BATCH_OURS = `batch ${BATCH_SIZE}: churn-predictor`;
const baselineOf = (name: string): string => `${name} (baseline build)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      warmup: { type: 'string', default: '30000' },
      requests: { type: 'string', default: '3000' },
      rounds: { type: 'string', default: '4' },
      // Another build's dist/src/cli/main.js (main's, built in a copy of the tree): its server is counted beside this one's.
      baseline: { type: 'string' },
      // single: the /predict scenarios only; batch: the batch scenarios only.
      only: { type: 'string' },
      // The server once more with this environment variable set (repeatable): what one setting costs or saves.
      with: { type: 'string', multiple: true, default: [] },
      // Through callgrind's cache and branch simulations too: misses and estimated cycles beside the instructions.
      'cache-sim': { type: 'boolean', default: false },
    },
  });
  if (values.only !== undefined && values.only !== 'single' && values.only !== 'batch') throw new Error('--only takes single or batch');
  const variants = values.with.map((setting) => ({ name: `${OURS} ${setting}`, env: Object.fromEntries([environmentSetting(setting)]) }));
  if (!valgrindAvailable()) {
    process.stdout.write('instructions-per-request: skipped, valgrind (callgrind) is not installed (Debian: apt-get install valgrind)\n');
    return;
  }
  const options: Counting = { warmup: Number(values.warmup), requests: Number(values.requests), rounds: Number(values.rounds), simulate: values['cache-sim'] };
  // A batch is a thousand records: a hundredth as many requests (ten times the records).
  const batchCounting: Counting = { ...options, warmup: Math.ceil(options.warmup / 100), requests: Math.ceil(options.requests / 100) };

  const work = mkdtempSync(join(tmpdir(), 'instructions-bench-'));
  try {
    const { single, batch } = writeRequestBodies(work, BATCH_SIZE);

    const baselines = join(packageRoot, 'dist', 'bench', 'http-predict.bench.js');
    const server = { ...ON_LOOPBACK, MAX_EVENT_LOOP_DELAY_MS: '0' };
    const onePath = { path: '/predict', bodyFile: single, connections: SINGLE_CONNECTIONS };
    const batchPath = { path: '/predict/batch', bodyFile: batch, connections: BATCH_CONNECTIONS };
    // Each build's servers: this one's, and the baseline's when asked.
    const builds = [{ main: builtCli, name: (n: string) => n }];
    if (values.baseline !== undefined) builds.push({ main: values.baseline, name: baselineOf });
    const singles: Scenario[] = [
      { name: BARE, args: [baselines, '--bare-server'], env: {}, ...onePath },
      { name: 'bare Fastify', args: [baselines, '--bare-fastify'], env: {}, ...onePath },
      { name: 'Fastify scoring the model', args: [baselines, '--scoring-fastify'], env: {}, ...onePath },
      { name: SCORING, args: [...SERVER_NODE_FLAGS, baselines, '--scoring-node'], env: {}, ...onePath },
    ];
    const batches: Scenario[] = [
      { name: BATCH_BARE, args: [baselines, '--bare-server'], env: {}, ...batchPath },
      { name: BATCH_SCORING, args: [...SERVER_NODE_FLAGS, baselines, '--scoring-node'], env: {}, ...batchPath },
    ];
    for (const build of builds) {
      singles.push(
        { name: build.name(OURS), args: serveArguments(build.main), env: server, ...onePath },
        // No listening line at warn: a fixed port, polled.
        { name: build.name(OURS_WARN), args: serveArguments(build.main), env: { ...server, PORT: String(await freePort()), LOG_LEVEL: 'warn' }, ...onePath },
      );
      batches.push({ name: build.name(BATCH_OURS), args: serveArguments(build.main), env: server, ...batchPath });
      for (const variant of variants) {
        singles.push({ name: build.name(variant.name), args: serveArguments(build.main), env: { ...server, PORT: String(await freePort()), ...variant.env }, ...onePath });
      }
    }
    const scenarios = values.only === 'single' ? singles : values.only === 'batch' ? batches : [...singles, ...batches];
    // Two at a time: counts do not depend on what else runs, so the machine's two cores halve the wall time.
    const rounds = new Map<string, Rounds>();
    const queue = [...scenarios];
    await Promise.all([0, 1].map(async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) rounds.set(next.name, await count(next, work, next.path === '/predict' ? options : batchCounting));
    }));
    const instructions = new Map([...rounds].map(([name, r]) => [name, r.instructions]));
    reportBench({
      scenario: 'instructions-per-request',
      rows: [...reportRows(instructions, scenarios, variants.map((v) => v.name)), ...simulationRows(rounds, scenarios)],
      extra: {
        options, ...(values.baseline === undefined ? {} : { baseline: values.baseline }), instructionsPerRequest: Object.fromEntries(instructions),
        ...(options.simulate ? { simulatedPerRequest: Object.fromEntries([...rounds].map(([name, r]) => [name, r.simulated])) } : {}),
      },
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
