/**
 * The load every peer gets, from our open-loop generator (src/loadtest): latency runs from each request's
 * scheduled time (no coordinated omission), and the server's CPU and RSS are read from /proc around each run.
 */
import { loadProgress } from '../../src/loadtest/progress-display.js';
import { OpenLoopRunner } from '../../src/loadtest/open-loop-runner.js';
import { parseTrafficProfile } from '../../src/traffic/traffic-profile-spec.js';
import { loadTestDefaults } from '../../src/loadtest/load-test.js';
import { SeededRandom } from '../../src/foundation/seeded-random.js';
import type { PeerRow, RequestFormat } from './peer-servers.js';
import { sampleRssPeak, treeUsage } from './process-tree.js';

export interface Scenario {
  id: 'single-saturation' | 'single-100' | 'single-1000' | 'batch-100' | 'batch-1000';
  title: string;
  rowsPerRequest: number;
  /** Offered requests per second: far above any server's capacity for the saturation scenarios. */
  offeredRps: number;
  connections: number;
  /** Arrivals beyond this many outstanding are dropped: at saturation, a bounded queue at the client. */
  maxInFlight: number;
  /** Saturation runs measure throughput; the paced ones measure latency at a rate the server should bear. */
  saturation: boolean;
}

/**
 * Saturation runs offer far more than any peer serves, with the client queue bounded, so the server always
 * has a request waiting on each connection: the throughput is the server's. 32 connections for single rows
 * (as in bench/http-predict), 4 for batches (a batch fills a core on its own).
 */
export const scenarios: Scenario[] = [
  { id: 'single-saturation', title: 'single row, saturation', rowsPerRequest: 1, offeredRps: 40_000, connections: 32, maxInFlight: 128, saturation: true },
  { id: 'single-100', title: 'single row at 100 req/s', rowsPerRequest: 1, offeredRps: 100, connections: 32, maxInFlight: loadTestDefaults.maxInFlight, saturation: false },
  { id: 'single-1000', title: 'single row at 1,000 req/s', rowsPerRequest: 1, offeredRps: 1000, connections: 32, maxInFlight: loadTestDefaults.maxInFlight, saturation: false },
  { id: 'batch-100', title: '100-row batches, saturation', rowsPerRequest: 100, offeredRps: 5_000, connections: 4, maxInFlight: 16, saturation: true },
  { id: 'batch-1000', title: '1,000-row batches, saturation', rowsPerRequest: 1000, offeredRps: 1_000, connections: 4, maxInFlight: 16, saturation: true },
];

export interface ScenarioResult {
  scenario: Scenario['id'];
  durationSeconds: number;
  offeredRps: number;
  /** 2xx responses per second. */
  achievedRps: number;
  rowsPerSecond: number;
  /** A paced run kept up: at least 97% of the offered rate answered 2xx, nothing failed. */
  sustained: boolean;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ok: number;
  /** Non-2xx answers and connection errors or timeouts (arrivals dropped at the bounded client queue are not errors of the server). */
  errors: number;
  statuses: Record<string, number>;
  /** Failures by kind (http_status, timeout, connection errors, dropped). */
  errorsByKind: Record<string, number>;
  /** Server CPU (its whole process tree) per 2xx request. */
  serverCpuMicrosPerRequest: number;
  serverRssPeakBytes: number;
  generatorKeptUp: boolean;
}

/** Request bodies, serialised once: `count` requests of `rowsPerRequest` rows each, drawn with a fixed seed. */
export function requestBodies(format: RequestFormat, rows: readonly PeerRow[], inputs: readonly string[], rowsPerRequest: number, count: number, seed = 42): Buffer[] {
  const random = new SeededRandom(seed);
  const pick = () => rows[Math.floor(random.next() * rows.length)]!;
  return Array.from({ length: count }, () => Buffer.from(JSON.stringify(format.body(Array.from({ length: rowsPerRequest }, pick), inputs))));
}

export async function runScenario(options: {
  scenario: Scenario;
  origin: string;
  format: RequestFormat;
  bodies: readonly Buffer[];
  durationSeconds: number;
  /** A response later than this is an error (a timeout), not a latency. */
  timeoutMs: number;
  serverPid: number;
  showProgress: boolean;
}): Promise<ScenarioResult> {
  const { scenario, durationSeconds } = options;
  const progress = options.showProgress ? loadProgress(durationSeconds) : undefined;
  const before = treeUsage(options.serverPid);
  const rss = sampleRssPeak(options.serverPid);
  let outcome;
  try {
    outcome = await new OpenLoopRunner({
      origin: options.origin,
      path: options.format.path,
      bodies: options.bodies,
      headers: {},
      profile: parseTrafficProfile(`constant:${scenario.offeredRps}`, { durationSeconds }),
      connections: scenario.connections,
      maxInFlight: scenario.maxInFlight,
      timeoutMs: options.timeoutMs,
      timelineIntervalMs: 1000,
      lateSendMs: loadTestDefaults.lateSendMs,
      ...(progress === undefined ? {} : { onInterval: progress.onProgress }),
    }).run();
  } finally {
    progress?.done();
  }
  const rssPeak = rss.stop();
  const after = treeUsage(options.serverPid);
  const latency = outcome.latency.summary();
  const dropped = outcome.errorsByKind.get('dropped') ?? 0;
  const errors = outcome.failed - dropped;
  const achievedRps = outcome.elapsedSeconds > 0 ? outcome.ok / outcome.elapsedSeconds : 0;
  return {
    scenario: scenario.id,
    durationSeconds,
    offeredRps: scenario.offeredRps,
    achievedRps,
    rowsPerSecond: achievedRps * scenario.rowsPerRequest,
    sustained: errors === 0 && dropped === 0 && achievedRps >= 0.97 * scenario.offeredRps,
    p50Ms: latency.p50Ms,
    p99Ms: latency.p99Ms,
    maxMs: latency.maxMs,
    ok: outcome.ok,
    errors,
    statuses: Object.fromEntries([...outcome.statuses].map(([status, n]) => [String(status), n])),
    errorsByKind: Object.fromEntries(outcome.errorsByKind),
    serverCpuMicrosPerRequest: outcome.ok > 0 ? ((after.cpuSeconds - before.cpuSeconds) * 1e6) / outcome.ok : Number.NaN,
    serverRssPeakBytes: rssPeak,
    generatorKeptUp: outcome.lateSends <= 0.01 * Math.max(1, outcome.sent),
  };
}
