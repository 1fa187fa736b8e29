/**
 * What the benches' own instruments cost the server they measure. `http-predict` counts system calls with perf
 * stat and samples the server's memory while it serves; if either slowed the run it watches, the ratios beside
 * unwatched runs would lean. Here bare node:http and this server each serve single-record /predict in four ways,
 * alternated round by round: unwatched; counted by perf (where it can count); sampled every 100 ms the way the
 * benches did until 2026-12-04 (a stat of every process on the machine); and sampled as they do now (the
 * server's own tree, through the kernel's children lists). The figure is each way's best throughput over the
 * unwatched best, per target, with the CPU time per request beside it. Where the ways' rounds overlap, the
 * instruments cost less than the machine's own noise.
 *
 *   node dist/bench/instrument-cost.bench.js [--duration 3] [--rounds 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../src/foundation/package-files.js';
import { serveArguments } from '../src/foundation/server-launch.js';
import { median, reportBench, type BenchRow } from './bench-report.js';
import { autocannon, best, GENERATOR_CORE, ON_LOOPBACK, pinningNote, pinThisProcess, runBareServer, startTarget, stop, writeRequestBodies, type LoadResult, type Target } from './load-targets.js';
import { sampleRssPeak, treeFromEveryProcess } from './peers/process-tree.js';
import { canCountSyscalls } from './syscall-counter.js';

const SAMPLE_EVERY_MS = 100;

/** One way of watching a run: started before the load, stopped after it. */
interface Watch {
  name: string;
  countKernel: boolean;
  start: (pid: number) => () => void;
}

const nothing = (): (() => void) => () => undefined;

const watches: Watch[] = [
  { name: 'unwatched', countKernel: false, start: nothing },
  ...(canCountSyscalls() ? [{ name: 'counted by perf stat', countKernel: true, start: nothing }] : []),
  {
    name: 'every process stat-ed each 100 ms', countKernel: false,
    start: (pid) => {
      const timer = setInterval(() => treeFromEveryProcess(pid), SAMPLE_EVERY_MS);
      return () => clearInterval(timer);
    },
  },
  {
    name: 'its tree sampled each 100 ms', countKernel: false,
    start: (pid) => {
      const sampler = sampleRssPeak(pid, SAMPLE_EVERY_MS);
      return () => { sampler.stop(); };
    },
  },
];

function costRows(target: Target, runs: ReadonlyMap<Watch, LoadResult[]>): BenchRow[] {
  const plain = best(runs.get(watches[0]!)!);
  return watches.map((watch) => {
    const results = runs.get(watch)!;
    const top = best(results);
    const spread = results.map((r) => r.requestsPerSecond);
    return {
      metric: `${target.name}, ${watch.name}: best req/s / unwatched best`,
      value: top.requestsPerSecond / plain.requestsPerSecond,
      unit: 'x',
      note: `best ${top.requestsPerSecond.toFixed(0)} req/s (rounds ${Math.min(...spread).toFixed(0)}-${Math.max(...spread).toFixed(0)}); CPU ${median(results.map((r) => r.cpuMicrosPerRequest)).toFixed(1)} us/req median`,
    };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'bare-server': { type: 'boolean', default: false },
      duration: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '4' },
    },
  });
  if (values['bare-server']) { runBareServer(); return; }
  // As in http-predict: the watcher runs on the generators' core, not the server's.
  pinThisProcess(GENERATOR_CORE);
  const duration = Number(values.duration);
  const rounds = Number(values.rounds);
  const work = mkdtempSync(join(tmpdir(), 'instrument-cost-bench-'));
  const { single } = writeRequestBodies(work, 1);
  const targets: Target[] = [];
  try {
    const self = join(packageRoot, 'dist', 'bench', 'instrument-cost.bench.js');
    targets.push(await startTarget('bare node:http', [self, '--bare-server'], {}, join(work, 'bare.log')));
    targets.push(await startTarget('churn-predictor', serveArguments(), ON_LOOPBACK, join(work, 'server.log')));
    for (const target of targets) await autocannon(target, '/predict', { connections: 8, duration: 2, bodyFile: single });
    const runs = new Map(targets.map((t) => [t, new Map(watches.map((w) => [w, [] as LoadResult[]]))]));
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        // Each round starts with a different way, so none always follows the same one.
        for (const watch of [...watches.slice(round % watches.length), ...watches.slice(0, round % watches.length)]) {
          const end = watch.start(target.process.pid!);
          try {
            runs.get(target)!.get(watch)!.push(await autocannon(target, '/predict', { connections: 32, duration, bodyFile: single, countKernel: watch.countKernel }));
          } finally {
            end();
          }
        }
      }
      process.stderr.write(`round ${round + 1} of ${rounds} done\n`);
    }
    reportBench({
      scenario: 'instrument-cost',
      rows: targets.flatMap((t) => costRows(t, runs.get(t)!)),
      extra: { duration, rounds, pinning: pinningNote },
    });
  } finally {
    for (const target of targets) await stop(target);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
