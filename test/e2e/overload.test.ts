import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { runLoadTest } from '../../src/loadtest/load-test.js';
import { residentBytes } from './harness/process-sampler.js';
import { Replica } from './harness/replica.js';
import { reportFigures } from './harness/scenario-figures.js';

/** Batches of 50 records make the server, not the load generator, the bottleneck. */
const payload = 'batch:50';
const acceptedP99BoundMs = 1500;
const rssBoundBytes = 400 * 1024 * 1024; // under the 512Mi container limit with room for GC
const sheddingBoundMs = 50;

describe('overload at about three times one replica\'s capacity', { timeout: 90_000 }, () => {
  it('sheds with 503 + Retry-After, keeps accepted latency and memory bounded, and recovers', async (t) => {
    // A tighter shedding bound than the default 200 ms: with a bounded number of client connections the
    // server's own queue is bounded too, and at 200 ms it may never cross the bound on a fast machine.
    const replica = await Replica.start({ MAX_EVENT_LOOP_DELAY_MS: String(sheddingBoundMs) });
    try {
      await replica.waitReady();
      // Capacity: the rate one replica sustains when 16 connections keep it busy (the pool bounds concurrency,
      // so the server never reaches its shedding point). A first run only warms the JIT up.
      await runLoadTest({ url: replica.url, profile: 'constant:100', durationSeconds: 2, payload, connections: 8 });
      const saturated = await runLoadTest({ url: replica.url, profile: 'constant:4000', durationSeconds: 3, payload, connections: 16 });
      const capacity = saturated.rates.achievedRps;
      const offered = Math.round(3 * capacity);

      let peakRss = 0;
      let shedResponse: { status: number; retryAfter: string | null } | undefined;
      const acceptedLatencies: number[] = [];
      const sampler = setInterval(() => { peakRss = Math.max(peakRss, residentBytes(replica.process.pid!) ?? 0); }, 200);
      const controller = new AbortController();
      const load = runLoadTest({ url: replica.url, profile: `constant:${offered}`, durationSeconds: 10, payload, connections: 1024, timeoutMs: 10_000, signal: controller.signal });
      // Well-behaved clients probing alongside the flood: what accepted requests cost, and what a shed one says.
      // Four of them, so that a shed response is seen even when only a few percent of requests are shed.
      const probeClient = async () => {
        const body = JSON.stringify({ records: [{ gender: 'Female', SeniorCitizen: 0, Partner: 'Yes', Dependents: 'No', tenure: 1, PhoneService: 'No', MultipleLines: 'No phone service', InternetService: 'DSL', OnlineSecurity: 'No', OnlineBackup: 'Yes', DeviceProtection: 'No', TechSupport: 'No', StreamingTV: 'No', StreamingMovies: 'No', Contract: 'Month-to-month', PaperlessBilling: 'Yes', PaymentMethod: 'Electronic check', MonthlyCharges: 29.85, TotalCharges: 29.85 }] });
        const until = Date.now() + 9000;
        while (Date.now() < until) {
          const started = performance.now();
          try {
            const response = await fetch(`${replica.url}/predict/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
            await response.arrayBuffer();
            if (response.status === 200) acceptedLatencies.push(performance.now() - started);
            else if (response.status === 503) shedResponse ??= { status: 503, retryAfter: response.headers.get('retry-after') };
          } catch { /* counted by the load generator's report */ }
          await sleep(20);
        }
      };
      const probes = Promise.all([probeClient(), probeClient(), probeClient(), probeClient()]);
      const report = await load;
      await probes;
      clearInterval(sampler);

      const readyStarted = Date.now();
      let readyAfterMs = -1;
      while (Date.now() - readyStarted < 10_000) {
        const r = await fetch(`${replica.url}/readyz`).catch(() => undefined);
        await r?.arrayBuffer();
        if (r?.status === 200) { readyAfterMs = Date.now() - readyStarted; break; }
        await sleep(100);
      }
      acceptedLatencies.sort((a, b) => a - b);
      const acceptedP99 = acceptedLatencies[Math.floor(0.99 * (acceptedLatencies.length - 1))] ?? 0;
      reportFigures(t, 'overload', report, `; capacity ${capacity.toFixed(0)}/s offered ${offered}/s; probe: ${acceptedLatencies.length} accepted, p99 ${acceptedP99.toFixed(0)} ms, ${shedResponse === undefined ? 'no 503 seen' : `503 with Retry-After ${shedResponse.retryAfter}`};`
        + ` peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB; ready again after ${readyAfterMs} ms`);

      assert.ok((report.statuses['503'] ?? 0) > 0, 'the server should shed load with 503');
      // Shedding comes in bursts the probes may miss; when they catch one it must say when to retry
      // (test/server/error-responses.test.ts checks the header deterministically).
      if (shedResponse !== undefined) assert.ok(shedResponse.retryAfter !== null && Number(shedResponse.retryAfter) > 0, 'a 503 carries Retry-After');
      assert.ok(report.requests.ok > 0, 'the server keeps serving some requests');
      assert.ok(acceptedLatencies.length > 0);
      assert.ok(acceptedP99 < acceptedP99BoundMs, `accepted p99 ${acceptedP99} ms`);
      assert.ok(peakRss < rssBoundBytes, `peak RSS ${peakRss}`);
      assert.ok(readyAfterMs >= 0 && readyAfterMs < 5000, `readiness did not recover within 5 s (${readyAfterMs})`);
      assert.equal(replica.process.exitCode, null, 'the server is still running');
      assert.ok(Object.keys(report.statuses).every((s) => s === '200' || s === '503'), JSON.stringify(report.statuses));
    } finally {
      await replica.stop();
    }
  });
});
