/**
 * `npm run bench:peers`: churn-predictor and the servers users would pick instead (MLServer, KServe's model
 * server, `mlflow models serve`, BentoML, the course's FastAPI + scikit-learn), serving the same XGBoost model
 * (bench/peers/model), one after another in one run, each pinned to core 0 with one worker, driven by our
 * open-loop load generator from core 1.
 *
 *   node dist/bench/peers/run-peers.js [--smoke] [--peers ours,mlserver,...] [--duration 8] [--report saved.json]
 *   node dist/bench/peers/run-peers.js --prepare [--peers ...]   (only make the Python environments, e.g. while
 *                                                                 CI installs other things)
 *
 * Per server: single-row requests/s at saturation; p50/p99 at 100 and 1,000 requests/s (open loop, from the
 * scheduled send time); 100- and 1,000-row batch rows/s; start-up to ready; RSS (process tree) idle and peak
 * under load; ours / it. Before any load, each server's answers to the check rows must agree with the model
 * library's own. Python peers run in one virtual environment each, made from bench/peers/<peer>/requirements.txt
 * under .bench-cache/peers (PEERS_CACHE overrides) and reused. `--smoke` runs every scenario for about a
 * second (CI), and exits non-zero if any selected peer fails to install, start, agree or answer.
 * Results: a table on stdout, .bench-results/peers.json (or peers-smoke.json), the table as Markdown (peers.md)
 * and a chart (peers.svg) beside it. `--report <saved.json>` re-renders a saved run without running anything.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageInfo, packageRoot } from '../../src/foundation/package-files.js';
import { benchResultsDirectory } from '../bench-report.js';
import { checkAnswers } from './answer-check.js';
import { dataRecords, encodeRecord, readCheckRows, readModelInputs } from './peer-model.js';
import { canPin, GENERATOR_CORE, pinThisProcess } from '../load-targets.js';
import { freePort, startPeer, stopPeer, type RunningPeer } from './peer-process.js';
import { runScenario, requestBodies, scenarios, type ScenarioResult } from './peer-scenarios.js';
import { freshWorkFolder, peerServers, type PeerContext, type PeerRow, type PeerServer } from './peer-servers.js';
import { peersChartSvg } from './peers-chart.js';
import { markdownTable, tableNotes, textTable, type PeerResult } from './peers-table.js';
import { pythonEnvironment, type PythonEnvironment } from './python-environments.js';
import { treeUsage } from './process-tree.js';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    peers: { type: 'string' },
    duration: { type: 'string' },
    report: { type: 'string' },
    prepare: { type: 'boolean', default: false },
  },
});
if (values.report !== undefined) {
  // Re-renders a saved run (its table, Markdown and chart) without running anything, e.g. after a table change.
  const saved = JSON.parse(readFileSync(values.report, 'utf8')) as SavedRun;
  report({ ...saved, scenario: basename(values.report, '.json') });
  process.exit(0);
}
const smoke = values.smoke;
const durationSeconds = Number(values.duration ?? (smoke ? 1 : 8));
const warmupSeconds = smoke ? 0.5 : 2;
// A paced run that a slow server cannot keep up with ends in timeouts; the smoke run need not wait 10 s for them.
const timeoutMs = smoke ? 3000 : 10_000;
const selected = values.peers === undefined ? peerServers : values.peers.split(',').map((id) => {
  const peer = peerServers.find((p) => p.id === id.trim());
  if (peer === undefined) throw new Error(`unknown peer "${id}"; known: ${peerServers.map((p) => p.id).join(', ')}`);
  return peer;
});
if (!(durationSeconds > 0)) throw new Error(`--duration must be a positive number of seconds, got ${values.duration}`);
const cacheDirectory = process.env['PEERS_CACHE'] ?? join(packageRoot, '.bench-cache', 'peers');
const say = (line: string) => process.stderr.write(`[peers] ${line}\n`);

if (values.prepare) {
  // The environments only, one after another (pip's own downloads are what takes the time), then exit.
  for (const peer of selected) {
    if (peer.environment === undefined) continue;
    await pythonEnvironment(peer.environment, join(packageRoot, 'bench', 'peers', peer.environment, 'requirements.txt'), cacheDirectory, (line) => say(`${peer.label}: ${line}`));
  }
  process.exit(0);
}

// This process is the load generator.
pinThisProcess(GENERATOR_CORE);

// The rows: the check rows (with the library's own answers) and every customer of the data file, encoded
// here exactly as the training script encoded them, which the check rows prove before anything runs.
const check = readCheckRows();
const inputs = readModelInputs();
const encodingProblem = check.rows.find((row) => JSON.stringify(encodeRecord(row.record, inputs)) !== JSON.stringify(row.features));
if (encodingProblem !== undefined) throw new Error(`our encoding of ${String(encodingProblem.record['customerID'])} differs from the training script's`);
const checkRows: PeerRow[] = check.rows.map((r) => ({ record: r.record, features: r.features }));
const loadRows: PeerRow[] = dataRecords().map((record) => ({ record, features: encodeRecord(record, inputs) }));
say(`model: XGBoost ${check.xgboostVersion}, ${check.rounds} trees, ${inputs.length} inputs; ${loadRows.length} rows to send; `
  + `${canPin ? 'servers on core 0, load generator on core 1' : 'NOT pinned (taskset or a second core missing)'}; ${durationSeconds} s per scenario`);

function versionsOf(peer: PeerServer, environment: PythonEnvironment | undefined, ourVersion: string): string {
  if (environment === undefined) return `churn-predictor ${ourVersion}, Node.js ${process.version}`;
  const python = spawnSync(environment.python, ['--version'], { encoding: 'utf8' }).stdout.trim();
  // xgboost may be installed as its CPU-only build, xgboost-cpu: the same library and version.
  const version = (name: string) => environment.versions.get(name) ?? environment.versions.get(`${name}-cpu`) ?? '?';
  return [...peer.versionOf.map((name) => `${name} ${version(name)}`), python].join(', ');
}

const ourVersion = (() => {
  const { version } = packageInfo;
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: packageRoot, encoding: 'utf8' }).stdout.trim();
  return commit === '' ? version : `${version} (${commit})`;
})();

async function measurePeer(peer: PeerServer, index: number): Promise<PeerResult> {
  const step = `[${index + 1}/${selected.length}] ${peer.label}`;
  const result: PeerResult = { id: peer.id, label: peer.label, versions: '', configuration: peer.configuration, comparedWith: peer.comparedWith, scenarios: {}, ...(peer.modelNote === undefined ? {} : { modelNote: peer.modelNote }) };
  let running: RunningPeer | undefined;
  try {
    let environment: PythonEnvironment | undefined;
    if (peer.environment !== undefined) {
      environment = await pythonEnvironment(peer.environment, join(packageRoot, 'bench', 'peers', peer.environment, 'requirements.txt'), cacheDirectory, (line) => say(`${step}: ${line}`));
      result.environment = { name: environment.name, sizeMegabytes: environment.sizeMegabytes, ...(environment.installSeconds === undefined ? {} : { installSeconds: environment.installSeconds }) };
    }
    result.versions = versionsOf(peer, environment, ourVersion);
    const work = freshWorkFolder(cacheDirectory, peer.id);
    const context: PeerContext = {
      work, environment, inputs, check,
      python: (args, env = {}) => {
        const run = spawnSync(environment!.python, args, { cwd: work, env: { ...process.env, ...env }, encoding: 'utf8' });
        if (run.status !== 0) throw new Error(`${args[0]} exited with ${run.status}: ${(run.stderr || run.stdout).slice(-2000)}`);
      },
    };
    if (peer.prepare !== undefined) {
      say(`${step}: preparing (${result.versions})`);
      peer.prepare(context);
    }
    const port = await freePort();
    const extraPorts = [await freePort(), await freePort()];
    say(`${step}: starting on port ${port}`);
    const launch = peer.launch(context, port, extraPorts);
    // As an activated environment: servers that start helpers by name (mlflow runs `uvicorn`) find them.
    if (environment !== undefined) Object.assign(launch.env, { VIRTUAL_ENV: environment.directory, PATH: `${join(environment.directory, 'bin')}:${process.env['PATH'] ?? ''}` });
    running = await startPeer(launch, port, peer.readyPath, join(work, 'server.log'));
    result.startupSeconds = running.startupSeconds;
    say(`${step}: ready in ${running.startupSeconds.toFixed(2)} s; checking its answers against the model library's`);
    result.check = await checkAnswers(running.origin, peer.single, peer.batch, checkRows, inputs, peer.expected(context));
    // Measured all the same (a server that scores a few rows differently still does the same work), but
    // flagged in the table and failing the run: a wrong answer is a bug to fix, not a figure to compare.
    if (!result.check.agrees) say(`${step}: ANSWERS DISAGREE with the model library (${result.check.disagreements} of ${2 * checkRows.length}): ${result.check.firstDifference}`);
    await sleep(smoke ? 200 : 1000);
    result.rssIdleBytes = treeUsage(running.pid).rssBytes;

    const singleBodies = requestBodies(peer.single, loadRows, inputs, 1, 512);
    // Warm-up (JIT, connections, caches), unmeasured: at saturation with a bounded client queue, so a slow
    // server is not left with a backlog to work off during the first measured run.
    await runScenario({ scenario: scenarios[0]!, origin: running.origin, format: peer.single, bodies: singleBodies, durationSeconds: warmupSeconds, timeoutMs, serverPid: running.pid, showProgress: false });
    let rssLoad = result.rssIdleBytes;
    for (const scenario of scenarios) {
      const bodies = scenario.rowsPerRequest === 1 ? singleBodies : requestBodies(peer.batch, loadRows, inputs, scenario.rowsPerRequest, Math.max(4, Math.floor(8000 / scenario.rowsPerRequest)));
      say(`${step}: ${scenario.title} (${durationSeconds} s)`);
      const outcome: ScenarioResult = await runScenario({
        scenario, origin: running.origin, format: scenario.rowsPerRequest === 1 ? peer.single : peer.batch, bodies,
        durationSeconds, timeoutMs, serverPid: running.pid, showProgress: !smoke,
      });
      result.scenarios[scenario.id] = outcome;
      rssLoad = Math.max(rssLoad, outcome.serverRssPeakBytes);
      // The smoke run exists to catch a scenario that no longer works at all: no answers, or wrong statuses or
      // broken connections. Timeouts are a slow server behind a paced rate, and 503s a server shedding load at
      // saturation (a CI smoke once had ours shed 2 of 2,296 when the machine stalled); the table shows both.
      const shed = outcome.statuses['503'] ?? 0;
      const broken = Object.entries(outcome.errorsByKind).filter(([kind]) => kind !== 'timeout' && kind !== 'dropped').reduce((n, [, count]) => n + count, 0) - shed;
      if (smoke && (outcome.ok === 0 || broken > 0)) throw new Error(`${scenario.title}: ${outcome.ok} answered 2xx, ${outcome.errors} errors ${JSON.stringify(outcome.statuses)}`);
      const rate = scenario.rowsPerRequest === 1 ? `${outcome.achievedRps.toFixed(0)} req/s` : `${outcome.rowsPerSecond.toFixed(0)} rows/s`;
      say(`${step}:   ${rate}, p50 ${outcome.p50Ms.toFixed(2)} ms, p99 ${outcome.p99Ms.toFixed(2)} ms, `
        + `${outcome.serverCpuMicrosPerRequest.toFixed(0)} us server CPU/request${outcome.errors > 0 ? `, ${outcome.errors} errors ${JSON.stringify(outcome.statuses)}` : ''}`);
    }
    result.rssLoadBytes = rssLoad;
  } catch (error) {
    result.error = (error as Error).message;
    say(`${step}: FAILED: ${result.error}`);
  } finally {
    if (running !== undefined) await stopPeer(running);
  }
  return result;
}

const results: PeerResult[] = [];
for (const [index, peer] of selected.entries()) results.push(await measurePeer(peer, index));

interface SavedRun {
  scenario: string;
  command: string;
  machine: { cpu: string; cores: number; node: string; pinned: boolean };
  durationSeconds: number;
  at: string;
  results: PeerResult[];
}

/** Prints the table and notes, and writes the JSON, the Markdown table (for the README) and the chart. */
function report(run: SavedRun): void {
  const subtitle = `${run.machine.cpu}; server pinned to one core, load from the other; ${run.durationSeconds} s per scenario; ${run.at.slice(0, 16)}Z`;
  process.stdout.write(`\n== peers (${subtitle}) ==\n${textTable(run.results)}\n\n${tableNotes(run.results).join('\n')}\n`);
  const environments = run.results.filter((r) => r.environment !== undefined).map((r) => `${r.environment!.name}: ${r.environment!.sizeMegabytes.toFixed(0)} MB${r.environment!.installSeconds === undefined ? ' (reused)' : `, installed in ${r.environment!.installSeconds.toFixed(0)} s`}`);
  if (environments.length > 0) process.stdout.write(`\nvirtual environments: ${environments.join('; ')}\n`);
  mkdirSync(benchResultsDirectory, { recursive: true });
  const base = join(benchResultsDirectory, run.scenario);
  writeFileSync(`${base}.json`, JSON.stringify(run, null, 2) + '\n');
  writeFileSync(`${base}.md`, `${markdownTable(run.results)}\n\n${tableNotes(run.results).map((n) => `- ${n}`).join('\n')}\n`);
  writeFileSync(`${base}.svg`, peersChartSvg(run.results, subtitle));
  process.stdout.write(`\nresults: ${base}.json, table for the README: ${base}.md, chart: ${base}.svg\n`);
}

report({
  scenario: smoke ? 'peers-smoke' : 'peers',
  command: `npm run bench:peers --${smoke ? ' --smoke' : ''}${values.peers === undefined ? '' : ` --peers ${values.peers}`}${values.duration === undefined ? '' : ` --duration ${values.duration}`}`,
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, pinned: canPin },
  durationSeconds,
  at: new Date().toISOString(),
  results,
});

const failed = results.filter((r) => r.error !== undefined || r.check?.agrees === false);
if (failed.length > 0) {
  process.stdout.write(`${failed.length} of ${results.length} servers failed or disagree with the model library: ${failed.map((r) => r.label).join(', ')}\n`);
  process.exitCode = 1;
}
