/**
 * The load generator's own ceiling: how many requests per second it offers open-loop, and keeps to
 * schedule, against a trivial server: HAProxy answering a fixed JSON body itself (`http-request return`),
 * which serves several times what one Node.js process can, so the generator is what is measured; a
 * node:http server where haproxy is not installed (then the server's core is the limit). Baseline in the same run: autocannon (closed loop, the
 * usual Node.js load tool) against the same server with the same connections, before and after the steps
 * (their mean), so a noisy machine shows as a ratio. Server and generator are pinned to different cores
 * where taskset exists. The figure that holds on a busy machine is requests per generator CPU-second: what
 * one fully used core would sustain.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runLoadTest } from '../src/loadtest/load-test.js';
import { reportBench } from './bench-report.js';
import { freePort } from '../src/foundation/free-port.js';
import { canPin, pinned, pinThisProcess } from './load-targets.js';

const connections = 32;
const stepSeconds = 4;
const offeredSteps = [2_000, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 35_000, 40_000];
const target = 20_000;

const answer = '{"churnProbability":0.5,"churn":false}';

// A JSON body in, a small JSON answer out: the least a server can do per request.
const nodeServer = `
const http = require('node:http');
const body = Buffer.from('${answer}');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body));
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

// The generator under test runs in this process, on core 0; the trivial server on core 1.
pinThisProcess(0);
const onServerCore = (command: string, args: string[]) => pinned(1, command, args, { stdio: ['ignore', 'pipe', 'inherit'] });

async function startTrivialServer(): Promise<{ kind: string; port: number; process: ChildProcess; cleanup: () => void }> {
  if (spawnSync('haproxy', ['-v']).status === 0) {
    const directory = mkdtempSync(join(tmpdir(), 'loadgen-ceiling-'));
    const port = await freePort();
    writeFileSync(join(directory, 'haproxy.cfg'), [
      'global', '  nbthread 1', '  maxconn 4000',
      'defaults', '  mode http', '  timeout client 60s', '  timeout server 60s', '  timeout connect 5s', '  timeout http-keep-alive 60s',
      'frontend trivial', `  bind 127.0.0.1:${port}`, `  http-request return status 200 content-type application/json string '${answer}'`, '',
    ].join('\n'));
    const child = onServerCore('haproxy', ['-f', join(directory, 'haproxy.cfg'), '-db']);
    for (let attempt = 0; ; attempt++) {
      const up = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); }).on('error', () => resolve(false));
      });
      if (up) break;
      if (attempt > 100 || child.exitCode !== null) throw new Error('haproxy did not start');
      await sleep(50);
    }
    return { kind: 'haproxy (http-request return)', port, process: child, cleanup: () => rmSync(directory, { recursive: true, force: true }) };
  }
  const child = onServerCore(process.execPath, ['-e', nodeServer]);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`trivial server exited with ${code}`)));
  });
  return { kind: 'node:http', port, process: child, cleanup: () => undefined };
}

const trivial = await startTrivialServer();
const server = trivial.process;
const url = `http://127.0.0.1:${trivial.port}`;
process.stderr.write(`trivial server: ${trivial.kind} on ${url}${canPin ? ' (core 1; generator on core 0)' : ''}\n`);

function cpuSecondsOf<T>(body: () => Promise<T>): Promise<{ result: T; cpuSeconds: number }> {
  const before = process.cpuUsage();
  return body().then((result) => {
    const used = process.cpuUsage(before);
    return { result, cpuSeconds: (used.user + used.system) / 1e6 };
  });
}

try {
  // Warm-up: JIT and connections, unmeasured.
  await runLoadTest({ url, profile: 'constant:2000', durationSeconds: 1, connections });

  type Autocannon = (options: Record<string, unknown>) => Promise<{ requests: { total: number }; duration: number; non2xx: number; errors: number }>;
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const runAutocannon = async () => {
    const { result, cpuSeconds } = await cpuSecondsOf(() => autocannon({
      url: `${url}/predict`, method: 'POST', body: '{"tenure":1}', headers: { 'content-type': 'application/json' }, connections, duration: stepSeconds,
    }));
    const run = { rps: result.requests.total / result.duration, perCpuSecond: result.requests.total / cpuSeconds, non2xx: result.non2xx, errors: result.errors };
    process.stderr.write(`autocannon: ${run.rps.toFixed(0)}/s, ${run.perCpuSecond.toFixed(0)} requests per CPU second\n`);
    return run;
  };
  // The baseline runs before and after the steps, and counts as their mean: on a shared machine the load
  // from elsewhere drifts during a run, and one baseline can land in a quiet or a busy spell.
  const baselines = [await runAutocannon()];

  const steps: { offeredRps: number; achievedRps: number; keptUp: boolean; errorRate: number; sendLagP99Ms: number; p99Ms: number; perCpuSecond: number }[] = [];
  // Sustained: every request answered and the achieved rate within 3% of the offered one. Late sends alone do
  // not end the search: on a shared machine they come from other processes' bursts as much as from ours.
  const sustained = (s: (typeof steps)[number]) => s.errorRate === 0 && s.achievedRps >= 0.97 * s.offeredRps;
  for (const offered of offeredSteps) {
    const { result: r, cpuSeconds } = await cpuSecondsOf(() => runLoadTest({ url, profile: `constant:${offered}`, durationSeconds: stepSeconds, connections }));
    const step = {
      offeredRps: offered, achievedRps: r.rates.achievedRps, keptUp: r.generator.keptUp, errorRate: r.errors.rate,
      sendLagP99Ms: r.generator.sendLagP99Ms, p99Ms: r.latency.p99Ms, perCpuSecond: r.requests.ok / cpuSeconds,
    };
    steps.push(step);
    process.stderr.write(`offered ${offered}/s: achieved ${step.achievedRps.toFixed(0)}/s, send lag p99 ${step.sendLagP99Ms.toFixed(1)} ms, `
      + `latency p99 ${step.p99Ms.toFixed(1)} ms, ${step.perCpuSecond.toFixed(0)} requests per CPU second, ${step.keptUp ? 'kept up' : 'sent late'}\n`);
    if (!sustained(step)) break;
  }
  baselines.push(await runAutocannon());
  const baselineRps = (baselines[0]!.rps + baselines[1]!.rps) / 2;
  const baselinePerCpu = (baselines[0]!.perCpuSecond + baselines[1]!.perCpuSecond) / 2;
  const ceiling = Math.max(0, ...steps.filter(sustained).map((s) => s.offeredRps));
  const onSchedule = Math.max(0, ...steps.filter((s) => sustained(s) && s.keptUp).map((s) => s.offeredRps));
  const bestPerCpu = Math.max(...steps.map((s) => s.perCpuSecond));
  reportBench({
    scenario: 'loadgen-ceiling',
    rows: [
      { metric: 'open-loop rate sustained (highest step)', value: ceiling, unit: 'req/s', note: `target >= ${target}; steps of ${stepSeconds} s` },
      { metric: '... of which sent on schedule (< 1% late)', value: onSchedule, unit: 'req/s' },
      { metric: 'generator requests per CPU-second (one-core ceiling)', value: bestPerCpu, unit: 'req/CPU-s', note: `target >= ${target}` },
      { metric: 'baseline: autocannon closed loop, same server', value: baselineRps, unit: 'req/s', note: 'mean of a run before and after the steps' },
      { metric: 'baseline: autocannon requests per CPU-second', value: baselinePerCpu, unit: 'req/CPU-s', note: 'mean of the same two runs' },
      { metric: 'sustained open-loop rate / autocannon rate', value: ceiling / baselineRps, unit: 'ratio' },
      { metric: 'requests per CPU-second / autocannon', value: bestPerCpu / baselinePerCpu, unit: 'ratio' },
    ],
    extra: { server: trivial.kind, pinned: canPin, connections, steps, baseline: { rps: baselineRps, perCpuSecond: baselinePerCpu, runs: baselines } },
  });
} finally {
  server.kill();
  trivial.cleanup();
}
