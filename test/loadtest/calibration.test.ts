import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isChurnError } from '../../src/errors.js';
import { calibrateCapacity } from '../../src/loadtest/calibration.js';
import { readCapacityProfile, writeCapacityProfile } from '../../src/loadtest/capacity-profile.js';
import { closedPort, startStubServer, type StubServer } from './stub-server.js';

const work = mkdtempSync(join(tmpdir(), 'churn-calibration-'));
const servers: StubServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(work, { recursive: true, force: true });
});

/**
 * A server with a hard capacity: 503 whenever its last 50 requests arrived faster than `rps`. A window of
 * arrivals (not of time) shrugs off most scheduling hiccups of a busy test machine.
 */
async function limitedServer(rps: number): Promise<StubServer> {
  const window = 50;
  const arrivals: number[] = [];
  const server = await startStubServer(() => {
    const now = performance.now();
    arrivals.push(now);
    if (arrivals.length > window) arrivals.shift();
    const observed = arrivals.length < window ? 0 : ((window - 1) * 1000) / (now - arrivals[0]!);
    return { status: observed > rps ? 503 : 200 };
  });
  servers.push(server);
  return server;
}

describe('calibrateCapacity', { timeout: 30_000 }, () => {
  it('grows the rate until the error bound breaks, bisects, and writes a valid capacity profile', async () => {
    const server = await limitedServer(130);
    const steps: number[] = [];
    const result = await calibrateCapacity({
      url: server.url, startRps: 40, growthFactor: 2, stepSeconds: 1, warmupSeconds: 0, refineSteps: 1, maxSteps: 6,
      sloP99Ms: 5000, maxErrorRate: 0.05, onStep: (s) => steps.push(s.offeredRps),
    });
    // 40 and 80 pass, 160 is over capacity, then the geometric midpoint of 80 and 160 (113.14) is tried. It is
    // below capacity and normally passes, but on a very busy machine bunched arrivals can fail it; either way the
    // answer must be the highest passing rate.
    assert.deepEqual(steps, [40, 80, 160, 113.14]);
    assert.deepEqual(result.steps.slice(0, 3).map((s) => s.withinSlo), [true, true, false]);
    assert.equal(result.profile.maxSustainableRps, result.steps[3]!.withinSlo ? 113.14 : 80);
    assert.match(result.stoppedBecause, /160 requests\/s broke the objective: error rate/);
    assert.ok(result.profile.cpuSecondsPerRequest > 0, 'CPU per request from /metrics');
    assert.ok(result.profile.memory.rssBytesPeak >= result.profile.memory.rssBytesIdle);
    assert.deepEqual(result.profile.target.model, { name: 'stub', version: '0.0.1' });
    for (const step of result.profile.steps) assert.ok(step.cpuUtilization >= 0 && step.rssBytes > 0);
    const file = join(work, 'capacity.json');
    writeCapacityProfile(file, result.profile);
    assert.deepEqual(readCapacityProfile(file), result.profile);
  });

  it('stops at the latency objective too', async () => {
    let inFlight = 0;
    // Latency grows with concurrency, as on a saturated server.
    const server = await startStubServer(() => {
      inFlight++;
      setTimeout(() => inFlight--, 0);
      return { status: 200, delayMs: 0 };
    });
    servers.push(server);
    const result = await calibrateCapacity({ url: server.url, startRps: 50, stepSeconds: 0.5, warmupSeconds: 0, refineSteps: 0, maxSteps: 2, sloP99Ms: 0.001 });
    assert.equal(result.steps.length, 1);
    assert.equal(result.profile.maxSustainableRps, 0);
    assert.match(result.steps[0]!.failure ?? '', /p99/);
    assert.ok(result.warnings.some((w) => w.includes('first step')));
  });

  it('a target without /metrics cannot be calibrated', async () => {
    await assert.rejects(calibrateCapacity({ url: `http://127.0.0.1:${await closedPort()}`, stepSeconds: 0.5, warmupSeconds: 0 }),
      (e: unknown) => isChurnError(e) && e.code === 'TARGET_UNAVAILABLE');
    await assert.rejects(calibrateCapacity({ url: 'http://127.0.0.1:1', growthFactor: 1 }),
      (e: unknown) => isChurnError(e) && e.code === 'INVALID_ARGUMENT');
  });
});
