import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { parsePrometheusText } from '../../src/console/prometheus-text.js';
import { parseCsvRecords } from '../../src/features/csv-records.js';
import { telcoChurnSchema } from '../../src/features/telco-schema.js';
import { loadTestDefaults } from '../../src/loadtest/load-test.js';
import { OpenLoopRunner, type RunOutcome } from '../../src/loadtest/open-loop-runner.js';
import { bundledDataFile } from '../../src/model/bundled-model.js';
import { parseTrafficProfile } from '../../src/traffic/traffic-profile-spec.js';
import { residentBytes, scrapeMetric } from './harness/process-sampler.js';
import { Replica } from './harness/replica.js';

/**
 * Explained batches of 100 records (about 4 ms of CPU each, 47 KB): the server, not the load generator, is the
 * bottleneck, and a refusal (its headers parsed, its body read and dropped) costs a small fraction of an accepted
 * request. That fraction bounds goodput whatever the shedding does: with refusals costing r of an accepted
 * request, a server offered three times its capacity keeps at most (1 - 3r) / (1 - r) of it (docs/server.md,
 * Overload, measures r per request kind: for single records it is near 1, and no HTTP server on one core can shed
 * three times their rate).
 */
const recordsPerRequest = 100;
const route = '/predict/batch';
const path = `${route}?explain=true`;
const overloadFactor = 3;
const goodputShare = 0.9;
// A trial whose capacity before and after the flood differ by more than this share of their mean judged nothing:
// the machine changed speed under it (one CI run measured 125/s before and 182/s after).
const maxCapacityDrift = 0.25;
// So does a trial in which the server was busy for less than this share of the flood: offered three times its
// capacity it always has work, so the rest of its core went to something else. Locally it was busy 1.06-1.08 of
// the flood (collector threads beside the main one); a CI rehearsal whose capacity held steady before and after
// (175/s and 183/s) served 0.86 of it during the flood, and nothing here could say whether it had had its core.
const minServerBusy = 0.95;
const acceptedP99BoundSeconds = 0.1;
/** Every answer, accepted or shed, as the client times it from the scheduled send (a looser bound: the client shares the machine). */
const clientP99BoundMs = 1000;
const rssBoundBytes = 400 * 1024 * 1024; // under the 512Mi container limit with room for GC
const sheddingBoundMs = 50;

/** The server's own request-duration histogram for one route and status: its count and bucket counts. */
async function durations(url: string, status: string): Promise<{ count: number; buckets: Map<number, number> }> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const buckets = new Map<number, number>();
  let count = 0;
  for (const sample of parsePrometheusText(text)) {
    if (sample.labels['route'] !== route || sample.labels['status'] !== status) continue;
    if (sample.name === 'http_request_duration_seconds_bucket') buckets.set(Number(sample.labels['le']), sample.value);
    if (sample.name === 'http_request_duration_seconds_count') count = sample.value;
  }
  return { count, buckets };
}

/** The server's CPU time so far (user and system, all its threads), as its own metric reports it. */
async function serverCpuSeconds(url: string): Promise<number> {
  const seconds = await scrapeMetric(url, 'process_cpu_seconds_total');
  assert.ok(seconds !== undefined, 'the server reports process_cpu_seconds_total');
  return seconds;
}

/** Share of the requests between two readings that took at most `seconds` (a bucket bound), as the server measured them. */
function shareWithin(before: Awaited<ReturnType<typeof durations>>, after: Awaited<ReturnType<typeof durations>>, seconds: number): { share: number; count: number } {
  const count = after.count - before.count;
  const within = (after.buckets.get(seconds) ?? 0) - (before.buckets.get(seconds) ?? 0);
  return { share: count === 0 ? 1 : within / count, count };
}

/** Request bodies: the data file's records, `recordsPerRequest` at a time. */
function requestBodies(): Buffer[] {
  const records = parseCsvRecords(readFileSync(bundledDataFile, 'utf8'), telcoChurnSchema).records;
  const bodies: Buffer[] = [];
  for (let i = 0; i + recordsPerRequest <= records.length && bodies.length < 50; i += recordsPerRequest) {
    bodies.push(Buffer.from(JSON.stringify({ records: records.slice(i, i + recordsPerRequest) })));
  }
  return bodies;
}

/** One open-loop run (latency from scheduled send times) at a constant rate. */
function run(origin: string, bodies: readonly Buffer[], rate: number, seconds: number, connections: number, maxInFlight: number = loadTestDefaults.maxInFlight): Promise<RunOutcome> {
  return new OpenLoopRunner({
    origin, path, bodies, headers: { 'content-type': 'application/json' },
    profile: parseTrafficProfile(`constant:${rate}`, { durationSeconds: seconds }),
    connections, maxInFlight, timeoutMs: 10_000, timelineIntervalMs: 1000, lateSendMs: loadTestDefaults.lateSendMs,
  }).run();
}

describe(`overload at ${overloadFactor} times one replica's capacity`, { timeout: 240_000 }, () => {
  it('keeps goodput near capacity, sheds the excess with fast 503 + Retry-After, keeps accepted latency and memory bounded, and recovers', async (t) => {
    // A tighter shedding bound than the default 200 ms keeps accepted requests well inside the latency bound.
    const replica = await Replica.start({ MAX_EVENT_LOOP_DELAY_MS: String(sheddingBoundMs) });
    try {
      await replica.waitReady();
      // A trial the machine changed speed under is run once more; the second is judged whatever it measures.
      for (let trial = 1; ; trial++) {
        // Capacity: the rate one replica sustains with one request always waiting for it (one connection, so the
        // loop never holds more than one request and never reaches its shedding point), measured now, on this
        // machine, as it is loaded now (and again after the flood). A first run only warms the JIT up.
        const bodies = requestBodies();
        await run(replica.url, bodies, 20, 2, 2);
        const saturated = await run(replica.url, bodies, 2000, 4, 1, 2);
        const capacityBefore = saturated.ok / saturated.elapsedSeconds;
        const offered = Math.round(overloadFactor * capacityBefore);

        let peakRss = 0;
        let shedResponse: { retryAfter: string | null; ms: number } | undefined;
        const sampler = setInterval(() => { peakRss = Math.max(peakRss, residentBytes(replica.process.pid!) ?? 0); }, 200);
        const acceptedBefore = await durations(replica.url, '200');
        const shedBefore = await durations(replica.url, '503');
        const cpuBefore = await serverCpuSeconds(replica.url);
        // Open loop, with far more connections than the server has cores: the queue forms at the server.
        const load = run(replica.url, bodies, offered, 10, 512);
        // A client probing alongside the flood, to read what a shed request is told, and how fast.
        const probe = async () => {
          const body = JSON.stringify({ records: [{ gender: 'Female', SeniorCitizen: 0, Partner: 'Yes', Dependents: 'No', tenure: 1, PhoneService: 'No', MultipleLines: 'No phone service', InternetService: 'DSL', OnlineSecurity: 'No', OnlineBackup: 'Yes', DeviceProtection: 'No', TechSupport: 'No', StreamingTV: 'No', StreamingMovies: 'No', Contract: 'Month-to-month', PaperlessBilling: 'Yes', PaymentMethod: 'Electronic check', MonthlyCharges: 29.85, TotalCharges: 29.85 }] });
          const until = performance.now() + 9000;
          while (performance.now() < until && shedResponse === undefined) {
            const started = performance.now();
            try {
              const response = await fetch(`${replica.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
              await response.arrayBuffer();
              if (response.status === 503) shedResponse = { retryAfter: response.headers.get('retry-after'), ms: performance.now() - started };
            } catch { /* counted by the load generator's report */ }
            await sleep(20);
          }
        };
        const probes = Promise.all([probe(), probe()]);
        const report = await load;
        await probes;
        clearInterval(sampler);
        const acceptedAfter = await durations(replica.url, '200');
        const shedAfter = await durations(replica.url, '503');
        // Offered three times what it can serve, the server has work at every moment of the flood: CPU time it did
        // not use is time the machine gave to something else.
        const serverBusy = ((await serverCpuSeconds(replica.url)) - cpuBefore) / report.elapsedSeconds;

        const readyStarted = performance.now();
        let readyAfterMs = -1;
        while (performance.now() - readyStarted < 10_000) {
          const r = await fetch(`${replica.url}/readyz`).catch(() => undefined);
          await r?.arrayBuffer();
          if (r?.status === 200) { readyAfterMs = performance.now() - readyStarted; break; }
          await sleep(100);
        }
        // Measured again once the flood is over: on a shared machine the speed drifts by more than a tenth within
        // seconds (one CI run measured 211/s before and served 189/s), so the goodput is held against the mean of
        // the capacity on both sides of the flood.
        const resaturated = await run(replica.url, bodies, 2000, 4, 1, 2);
        const capacityAfter = resaturated.ok / resaturated.elapsedSeconds;
        const capacity = (capacityBefore + capacityAfter) / 2;
        const goodput = report.ok / report.elapsedSeconds;
        const drift = Math.abs(capacityAfter - capacityBefore) / capacity;
        if ((drift > maxCapacityDrift || serverBusy < minServerBusy) && trial < 2) {
          t.diagnostic(`trial ${trial}: capacity ${capacityBefore.toFixed(0)}/s before the flood and ${capacityAfter.toFixed(0)}/s after (${(100 * drift).toFixed(0)}% apart), the server busy ${serverBusy.toFixed(2)} of the flood, goodput ${goodput.toFixed(0)}/s: measured again`);
          continue;
        }
        const statuses = Object.fromEntries([...report.statuses].map(([status, n]) => [String(status), n]));
        const latency = report.latency.summary();
        const accepted = shareWithin(acceptedBefore, acceptedAfter, acceptedP99BoundSeconds);
        const shed = shareWithin(shedBefore, shedAfter, acceptedP99BoundSeconds);
        t.diagnostic(`overload: ${report.sent} requests sent, ${JSON.stringify(statuses)}, errors ${JSON.stringify(Object.fromEntries(report.errorsByKind))};`
          + ` client-side p50 ${latency.p50Ms.toFixed(0)} ms, p99 ${latency.p99Ms.toFixed(0)} ms; capacity ${capacity.toFixed(0)}/s (${capacityBefore.toFixed(0)} before, ${capacityAfter.toFixed(0)} after), offered ${offered}/s, goodput ${goodput.toFixed(0)}/s = ${(goodput / capacity).toFixed(2)} of capacity;`
          + ` server-measured: ${accepted.count} accepted, ${(100 * accepted.share).toFixed(1)}% within ${acceptedP99BoundSeconds * 1000} ms, ${shed.count} shed, ${(100 * shed.share).toFixed(1)}% within ${acceptedP99BoundSeconds * 1000} ms;`
          + ` probe: ${shedResponse === undefined ? 'no 503 seen' : `503 with Retry-After ${shedResponse.retryAfter} in ${shedResponse.ms.toFixed(0)} ms`};`
          + ` peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB; ready again after ${readyAfterMs} ms; server busy ${serverBusy.toFixed(2)} of the flood`);

        assert.ok((statuses['503'] ?? 0) > 0, `the excess is shed with 503: ${JSON.stringify(statuses)}`);
        assert.ok(Object.keys(statuses).every((s) => s === '200' || s === '503'), JSON.stringify(statuses));
        assert.ok(accepted.share >= 0.99, `accepted p99 above ${acceptedP99BoundSeconds * 1000} ms as the server measures it (${(100 * accepted.share).toFixed(1)}% within)`);
        assert.ok(shed.share >= 0.99, `shed requests are answered at once (${(100 * shed.share).toFixed(1)}% within ${acceptedP99BoundSeconds * 1000} ms)`);
        // The probes see a 503 well within the run; it must say when to retry (test/server/run-queue.test.ts checks
        // the header deterministically).
        assert.ok(shedResponse !== undefined, 'a probe saw a 503');
        assert.ok(shedResponse.retryAfter !== null && Number(shedResponse.retryAfter) > 0, 'a 503 carries Retry-After');
        // No queue the server cannot see: requests waiting unaccepted in the kernel (libuv accepts one connection per
        // turn of the loop) showed as a client-side p99 of 5 to 15 s and timeouts, while the server measured 100 ms.
        assert.equal(report.errorsByKind.get('timeout') ?? 0, 0, 'no request waited until its client gave up');
        assert.ok(latency.p99Ms < clientP99BoundMs, `client-side p99 ${latency.p99Ms.toFixed(0)} ms: requests queue where the server does not see them`);
        assert.ok(peakRss < rssBoundBytes, `peak RSS ${peakRss}`);
        assert.ok(readyAfterMs >= 0 && readyAfterMs < 5000, `readiness did not recover within 5 s (${readyAfterMs})`);
        assert.equal(replica.process.exitCode, null, 'the server is still running');
        assert.ok(goodput >= goodputShare * capacity, `goodput ${goodput.toFixed(0)}/s is below ${goodputShare} of the capacity measured around it (${capacity.toFixed(0)}/s)`);
        break;
      }
    } finally {
      await replica.stop();
    }
  });
});
