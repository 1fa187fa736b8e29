/**
 * This build's server against another server, head to head: both on the server core at the same time, each loaded
 * with single-record POST /predict by its own generator on the other core, so the host's swings hit both in the
 * same instant. The way to see what a change to the hot path does to throughput, in a timed measure that resolves
 * a few per cent, where runs taken one after the other swing by a third (docs/server.md, Head to head).
 *
 *   node dist/bench/head-to-head.bench.js [--against <dist/src/cli/main.js of another build> | --against floor | --against bare]
 *       [--with KEY=VALUE ...] [--against-with KEY=VALUE ...] [--pairs 4] [--rounds 6] [--seconds 3] [--connections 32]
 *
 * Without --against the other side is this build again, and --with or --against-with make the difference (what
 * one setting costs); with neither, the run measures the method's own error. `floor` is node:http scoring the model
 * with nothing for operators, `bare` node:http answering fixed JSON (http-predict.bench.ts starts both).
 *
 * One pair of processes errs by a few hundredths, and the same way all through its rounds: whichever process was
 * started first, and how each happened to be compiled and laid out, tilt it (2026-12-04: a variant measured 1.075
 * of the server in one pair and 1.035 in the next, the two started in the other order). So the bench runs --pairs
 * pairs of fresh processes, the side started first alternating from pair to pair, and within a pair the generator
 * started first alternating from round to round. Each round's figure is this build's throughput over the other's;
 * the report gives the median of all rounds, their quartiles, and each pair's median, whose spread is the
 * method's error for this comparison.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/foundation/package-files.js';
import { builtCli, SERVER_NODE_FLAGS, serveArguments } from '../src/foundation/server-launch.js';
import { median, reportBench, type BenchRow } from './bench-report.js';
import { oursFirst, summariseHeadToHead, type HeadToHeadRound } from './head-to-head-summary.js';
import {
  atOnce, autocannon, environmentSetting, freePort, GENERATOR_CORE, ON_LOOPBACK, pinThisProcess, startTarget, stop, writeRequestBodies, type LoadResult, type Target,
} from './load-targets.js';

/** A server the bench can start: its command line and environment. */
interface Side {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** A churn-predictor server (configured by variables), not one of http-predict's baselines. */
  readonly configured: boolean;
}

const HTTP_PREDICT = join(packageRoot, 'dist', 'bench', 'http-predict.bench.js');
const WARM_UP_SECONDS = 2;

/** The server of the build whose command line is `main`, with these variables. */
function serverSide(name: string, main: string, settings: readonly string[]): Side {
  const env = Object.fromEntries(settings.map(environmentSetting));
  return { name: settings.length === 0 ? name : `${name} ${settings.join(' ')}`, args: serveArguments(main), env, configured: true };
}

function otherSide(against: string | undefined, settings: readonly string[]): Side {
  if (against === 'floor') return { name: 'node:http scoring the model (the floor)', args: [...SERVER_NODE_FLAGS, HTTP_PREDICT, '--scoring-node'], env: {}, configured: false };
  if (against === 'bare') return { name: 'bare node:http', args: [HTTP_PREDICT, '--bare-server'], env: {}, configured: false };
  // The servers start in the package's directory: a relative path is the caller's.
  return serverSide(against === undefined ? 'churn-predictor (this build)' : `churn-predictor (${against})`, against === undefined ? builtCli : resolve(against), settings);
}

async function start(side: Side, work: string, tag: string): Promise<Target> {
  // A fixed port: above LOG_LEVEL=info the server writes no "listening" line for startTarget to read its port from.
  const env = side.configured ? { ...ON_LOOPBACK, PORT: String(await freePort()), ...side.env } : side.env;
  return startTarget(side.name, [...side.args], env, join(work, `${tag}.log`));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      against: { type: 'string' },
      with: { type: 'string', multiple: true, default: [] },
      'against-with': { type: 'string', multiple: true, default: [] },
      pairs: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '6' },
      seconds: { type: 'string', default: '3' },
      connections: { type: 'string', default: '32' },
    },
  });
  const pairs = Number(values.pairs);
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  if (!(pairs >= 1 && rounds >= 1 && seconds > 0 && connections >= 1)) throw new Error('--pairs, --rounds, --seconds and --connections take positive numbers');
  if ((values.against === 'floor' || values.against === 'bare') && values['against-with'].length > 0) throw new Error(`--against-with does not apply to --against ${values.against}`);
  const ours = serverSide('churn-predictor', builtCli, values.with);
  const theirs = otherSide(values.against, values['against-with']);
  pinThisProcess(GENERATOR_CORE);

  const work = mkdtempSync(join(tmpdir(), 'head-to-head-bench-'));
  const results: HeadToHeadRound[][] = [];
  try {
    const { single } = writeRequestBodies(work, 1);
    for (let pair = 0; pair < pairs; pair++) {
      const first = oursFirst(pair);
      const a = await start(first ? ours : theirs, work, `pair-${pair}-a`);
      const b = await start(first ? theirs : ours, work, `pair-${pair}-b`);
      const [ourTarget, theirTarget] = first ? [a, b] : [b, a];
      try {
        for (const target of [a, b]) await autocannon(target, '/predict', { connections: 8, duration: WARM_UP_SECONDS, bodyFile: single });
        const played: HeadToHeadRound[] = [];
        for (let round = 0; round < rounds; round++) {
          const load = (target: Target): Promise<LoadResult> => autocannon(target, '/predict', { connections, duration: seconds, bodyFile: single });
          const [o, t] = await atOnce(() => load(ourTarget), () => load(theirTarget), oursFirst(round));
          played.push({ ours: o, theirs: t });
          process.stdout.write(`pair ${pair + 1}/${pairs} (${first ? 'ours' : 'theirs'} started first), round ${round + 1}/${rounds}: ${(o.okPerSecond / t.okPerSecond).toFixed(3)}\n`);
        }
        results.push(played);
      } finally {
        await stop(a);
        await stop(b);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const summary = summariseHeadToHead(results);
  const throughput = (pick: (round: HeadToHeadRound) => LoadResult): number => median(results.flat().map((round) => pick(round).okPerSecond));
  const rows: BenchRow[] = [
    { metric: `${ours.name} / ${theirs.name}`, value: summary.median, unit: 'x', note: `median of ${pairs} x ${rounds} rounds of ${seconds} s; quartiles ${summary.lowerQuartile.toFixed(3)}-${summary.upperQuartile.toFixed(3)}; above 1: ours serves more` },
    ...summary.pairMedians.map((value, pair) => ({
      metric: `pair ${pair + 1} (${oursFirst(pair) ? 'ours' : 'theirs'} started first)`, value, unit: 'x', note: `median of its ${rounds} rounds`,
    })),
    { metric: `${ours.name}: /predict head to head`, value: throughput((round) => round.ours), unit: 'req/s', note: 'median round, sharing the core' },
    { metric: `${theirs.name}: /predict head to head`, value: throughput((round) => round.theirs), unit: 'req/s', note: 'median round, sharing the core' },
  ];
  const command = ['node dist/bench/head-to-head.bench.js', ...(values.against === undefined ? [] : ['--against', values.against]),
    ...values.with.map((s) => `--with ${s}`), ...values['against-with'].map((s) => `--against-with ${s}`),
    `--pairs ${pairs} --rounds ${rounds} --seconds ${seconds} --connections ${connections}`].join(' ');
  reportBench({ scenario: 'head-to-head', rows, extra: { command, ours: ours.name, theirs: theirs.name, ratios: summary.ratios } });
}

await main();
