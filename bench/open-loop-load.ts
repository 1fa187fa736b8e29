/**
 * Our open-loop generator (src/loadtest) as a child process, so a benchmark can pin it to its own core: requests
 * leave at their scheduled times whatever the server does, and latency runs from each scheduled time (no
 * coordinated omission). A warm-up at the same rate goes first, on the same connections, counted nowhere: without
 * it the run's first half second (connections opening, the generator's code not yet optimised) made the whole
 * p99 at 10,000 req/s against bare node:http (about 200 ms, where the rest of the run's was 2-8 ms). Prints one
 * JSON line.
 *
 *   node dist/bench/open-loop-load.js --origin http://127.0.0.1:8000 --path /predict --body body.json --rate 1000
 *     [--duration 5] [--connections 64] [--warmup 2]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadTestDefaults } from '../src/loadtest/load-test.js';
import { OpenLoopRunner } from '../src/loadtest/open-loop-runner.js';
import { parseTrafficProfile } from '../src/traffic/traffic-profile-spec.js';

const { values } = parseArgs({
  options: {
    origin: { type: 'string' },
    path: { type: 'string', default: '/predict' },
    body: { type: 'string' },
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    warmup: { type: 'string', default: '2' },
  },
});
const outcome = await new OpenLoopRunner({
  origin: values.origin!, path: values.path, bodies: [readFileSync(values.body!)], headers: { 'content-type': 'application/json' },
  profile: parseTrafficProfile(`constant:${values.rate}`, { durationSeconds: Number(values.duration) }),
  connections: Number(values.connections), maxInFlight: loadTestDefaults.maxInFlight, timeoutMs: loadTestDefaults.timeoutMs,
  timelineIntervalMs: 1000, lateSendMs: loadTestDefaults.lateSendMs, warmupSeconds: Number(values.warmup),
}).run();
const latency = outcome.latency.summary();
process.stdout.write(`${JSON.stringify({
  offeredRps: Number(values.rate), okPerSecond: outcome.ok / outcome.elapsedSeconds, ok: outcome.ok, failed: outcome.failed,
  p50Ms: latency.p50Ms, p99Ms: latency.p99Ms, maxMs: latency.maxMs,
  // A generator that sent more than 1% of its requests late measured itself, not the server.
  keptUp: outcome.lateSends <= 0.01 * Math.max(1, outcome.sent), lateSends: outcome.lateSends, sent: outcome.sent,
})}\n`);
