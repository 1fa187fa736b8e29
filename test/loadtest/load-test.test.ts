import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runLoadTest } from '../../src/loadtest/load-test.js';
import { buildRequestPayloads } from '../../src/loadtest/request-payloads.js';
import { closedPort, startStubServer, type StubServer } from './stub-server.js';

const servers: StubServer[] = [];
after(async () => { await Promise.all(servers.map((s) => s.close())); });
async function stub(...args: Parameters<typeof startStubServer>): Promise<StubServer> {
  const server = await startStubServer(...args);
  servers.push(server);
  return server;
}

describe('runLoadTest', { timeout: 30_000 }, () => {
  it('offers the profile, counts responses by status and fills the timeline', async () => {
    const server = await stub((n) => ({ status: n % 10 === 9 ? 503 : 200 }));
    const report = await runLoadTest({ url: server.url, profile: 'constant:100', durationSeconds: 2, connections: 4 });
    assert.equal(report.requests.offered, 200);
    assert.equal(report.requests.sent, 200);
    assert.equal(server.received, 200);
    assert.deepEqual(report.statuses, { 200: 180, 503: 20 });
    assert.equal(report.errors.byKind.http_status, 20);
    assert.equal(report.errors.rate, 0.1);
    assert.deepEqual(report.target.model, { name: 'stub', version: '0.0.1' });
    assert.equal(report.latency.count, 200);
    assert.ok(report.latency.p50Ms > 0 && report.latency.p50Ms <= report.latency.p99Ms && report.latency.p99Ms <= report.latency.maxMs);
    assert.ok(Math.abs(report.rates.offeredRps - 100) < 1e-9);
    const points = report.timeline.points;
    assert.equal(points.reduce((sum, p) => sum + p.offeredRps, 0), 200);
    assert.equal(points.reduce((sum, p) => sum + p.achievedRps, 0), 180);
    assert.equal(points.reduce((sum, p) => sum + p.errorsPerSecond, 0), 20);
  });

  it('measures latency from the scheduled time: a stall shows in every request that queued behind it', async () => {
    // One request, at about 0.5 s, takes 300 ms; with a single connection the ~30 scheduled during that
    // stall wait for it. Timing from the actual send would report them as fast (coordinated omission).
    const server = await stub((n) => (n === 50 ? { status: 200, delayMs: 300 } : { status: 200 }));
    const report = await runLoadTest({ url: server.url, profile: 'constant:100', durationSeconds: 2, connections: 1 });
    assert.equal(report.requests.sent, 200, 'open loop: nothing is skipped while the server stalls');
    assert.ok(report.latency.maxMs >= 295, `max ${report.latency.maxMs}`);
    assert.ok(report.latency.p90Ms >= 80, `p90 ${report.latency.p90Ms}: the queued requests carry the stall`);
    assert.ok(report.generator.waitedForConnection >= 20, `waited ${report.generator.waitedForConnection}`);
  });

  it('keeps its connections alive, opens no more than asked, and sends waiting requests in arrival order', async () => {
    // 20 ms per answer on one connection against 100 arrivals/s: most requests wait for the connection.
    const server = await stub(() => ({ status: 200, delayMs: 20 }));
    const report = await runLoadTest({ url: server.url, profile: 'constant:100', durationSeconds: 0.5, connections: 1 });
    assert.equal(report.requests.ok, 50);
    assert.equal(server.connections, 1, 'one keep-alive connection carried every request');
    assert.ok(report.generator.waitedForConnection >= 20, `waited ${report.generator.waitedForConnection}`);
    // Request k (k = 1, 2, ...) carries body k mod 512 of the seeded pool; first come, first served.
    const bodies = buildRequestPayloads({ kind: 'single' }, { seed: 42 }).bodies.map(String);
    assert.deepEqual(server.bodies, Array.from({ length: 50 }, (_, j) => bodies[(j + 1) % bodies.length]));

    const wider = await stub(() => ({ status: 200, delayMs: 20 }));
    const four = await runLoadTest({ url: wider.url, profile: 'constant:400', durationSeconds: 0.5, connections: 4 });
    assert.equal(four.requests.ok, 200);
    assert.ok(wider.connections >= 1 && wider.connections <= 4, `${wider.connections} connections`);
  });

  it('a reset connection fails only the request on it; the requests waiting behind it still go out', async () => {
    const server = await stub((n) => (n % 10 === 4 ? 'reset' : { status: 200, delayMs: 15 }));
    const report = await runLoadTest({ url: server.url, profile: 'constant:100', durationSeconds: 0.5, connections: 1 });
    assert.equal(report.requests.sent, 50);
    assert.equal(server.received, 50, 'each request sent once');
    assert.equal(report.errors.byKind.connection_closed, 5);
    assert.equal(report.requests.ok, 45);
    assert.equal(report.latency.count, 45);
    assert.equal(server.connections, 6, 'a new connection after each reset');
  });

  it('a server that closes the connection after each response still answers every request', async () => {
    const server = await stub(() => ({ status: 200, delayMs: 15, close: true }));
    const report = await runLoadTest({ url: server.url, profile: 'constant:100', durationSeconds: 0.3, connections: 1 });
    assert.equal(report.requests.ok, 30, JSON.stringify(report.errors.byKind));
    assert.equal(server.received, 30);
    assert.equal(server.connections, 30, 'one connection per request, one at a time');
  });

  it('classifies transport failures: refused, timed out, dropped', async () => {
    const refused = await runLoadTest({ url: `http://127.0.0.1:${await closedPort()}`, profile: 'constant:20', durationSeconds: 0.5 });
    assert.equal(refused.errors.byKind.connection_refused, 10);
    assert.equal(refused.requests.ok, 0);
    assert.equal(refused.target.model, null);

    const hanging = await stub(() => 'hang');
    const timedOut = await runLoadTest({ url: hanging.url, profile: 'constant:20', durationSeconds: 0.25, timeoutMs: 300 });
    assert.equal(timedOut.errors.byKind.timeout, 5);

    const dropped = await runLoadTest({ url: hanging.url, profile: 'constant:40', durationSeconds: 0.5, timeoutMs: 300, maxInFlight: 3 });
    assert.equal(dropped.requests.sent, 3);
    assert.equal(dropped.errors.byKind.dropped, 17);
    assert.equal(dropped.errors.rate, 1);
    assert.ok(dropped.warnings.some((w) => w.includes('dropped')), dropped.warnings.join('\n'));
  });

  it('warms up on the same connections and counts none of it', async () => {
    // A cold server: its first five answers take 200 ms. Measured, they are in the latency; as the warm-up, nowhere.
    const cold = (n: number) => ({ status: n < 5 ? 500 : 200, delayMs: n < 5 ? 200 : 1 });
    const unwarmed = await runLoadTest({ url: (await stub(cold)).url, profile: 'constant:100', durationSeconds: 0.5, connections: 4 });
    assert.ok(unwarmed.latency.maxMs >= 200, `max ${unwarmed.latency.maxMs} ms`);
    assert.equal(unwarmed.statuses['500'], 5);

    const server = await stub(cold);
    const report = await runLoadTest({ url: server.url, profile: 'constant:100', durationSeconds: 0.5, connections: 4, warmupSeconds: 0.5 });
    assert.equal(server.received, 100, 'fifty warm-up requests, then fifty measured');
    assert.equal(report.requests.offered, 50);
    assert.equal(report.requests.sent, 50);
    assert.equal(report.requests.ok, 50);
    assert.equal(report.latency.count, 50);
    assert.deepEqual(report.statuses, { 200: 50 }, 'the five cold answers (500s) were warm-up');
    assert.ok(server.connections <= 4, `${server.connections} connections: the measured run reuses the warm-up's`);
    assert.equal(report.profile.warmupSeconds, 0.5);
    assert.equal(report.timeline.points[0]!.t, 0);
    await assert.rejects(runLoadTest({ url: server.url, profile: 'constant:10', durationSeconds: 0.1, warmupSeconds: -1 }), { code: 'INVALID_ARGUMENT' });
  });

  it('stops early on abort and says so', async () => {
    const server = await stub();
    const controller = new AbortController();
    const started = performance.now();
    const report = await runLoadTest({
      url: server.url, profile: 'constant:50', durationSeconds: 30, signal: controller.signal, timelineIntervalSeconds: 0.1,
      onProgress: (s) => { if (s.elapsedSeconds >= 0.3) controller.abort(); },
    });
    assert.ok(performance.now() - started < 5000);
    assert.ok(report.requests.offered > 5 && report.requests.offered < 40, `offered ${report.requests.offered}`);
    assert.ok(report.warnings.some((w) => w.includes('stopped')));
  });

  it('reports progress once per interval', async () => {
    const server = await stub();
    const snapshots: number[] = [];
    await runLoadTest({ url: server.url, profile: 'constant:50', durationSeconds: 1.2, timelineIntervalSeconds: 0.25, onProgress: (s) => snapshots.push(s.sent) });
    assert.ok(snapshots.length >= 3, `${snapshots.length} snapshots`);
    for (let i = 1; i < snapshots.length; i++) assert.ok(snapshots[i]! >= snapshots[i - 1]!);
  });
});
